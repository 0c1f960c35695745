// Package list is an intrusive doubly linked list over slab indices.
//
// The nodes live in a slice owned by the caller, indexed by slot; index 0 is
// never a member and stands for "none", so the zero List is an empty list and
// the zero Node is unlinked. Several lists may share one node slice as long as
// each slot belongs to at most one of them. Every operation is O(1).
package list

// Node holds the links of one slot. Prev points towards the front (most
// recent), Next towards the back (least recent); 0 means none.
type Node struct {
	Prev, Next uint32
}

// List is the head of one list. The zero value is an empty list.
type List struct {
	front, back uint32
	n           int
}

// Len returns the number of slots in l.
func (l *List) Len() int { return l.n }

// Front returns the first slot, or 0 if l is empty.
func (l *List) Front() uint32 { return l.front }

// Back returns the last slot, or 0 if l is empty.
func (l *List) Back() uint32 { return l.back }

// PushFront links slot i, which must not be in any list, at the front of l.
func (l *List) PushFront(nodes []Node, i uint32) {
	nodes[i] = Node{Next: l.front}
	if l.front != 0 {
		nodes[l.front].Prev = i
	} else {
		l.back = i
	}
	l.front = i
	l.n++
}

// Remove unlinks slot i, which must be in l.
func (l *List) Remove(nodes []Node, i uint32) {
	n := nodes[i]
	if n.Prev != 0 {
		nodes[n.Prev].Next = n.Next
	} else {
		l.front = n.Next
	}
	if n.Next != 0 {
		nodes[n.Next].Prev = n.Prev
	} else {
		l.back = n.Prev
	}
	nodes[i] = Node{}
	l.n--
}

// MoveToFront moves slot i, which must be in l, to the front of l.
func (l *List) MoveToFront(nodes []Node, i uint32) {
	if l.front == i {
		return
	}
	l.Remove(nodes, i)
	l.PushFront(nodes, i)
}

// Relocate records that the member at slot from now lives at slot to: the
// neighbours and the ends of l are repointed and nodes[to] takes the links.
// Slot to must not be a member of any list.
func (l *List) Relocate(nodes []Node, from, to uint32) {
	n := nodes[from]
	nodes[to] = n
	nodes[from] = Node{}
	if n.Prev != 0 {
		nodes[n.Prev].Next = to
	} else {
		l.front = to
	}
	if n.Next != 0 {
		nodes[n.Next].Prev = to
	} else {
		l.back = to
	}
}
