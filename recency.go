package maxmem

// The recency lists: intrusive doubly linked lists threaded through the
// nodes by slot number, front most recent. Slot 0 is never an entry and
// means "none", so the zero list is empty and zero links are unlinked.
//
// Invariant: within a shard, every list is in the order its entries were
// last accessed (or modified, under an LRM policy), as far as the shard
// has applied those accesses: writes at once, reads when their ring is
// drained (see reads.go). Each entry's node carries the recency stamp of
// that access, so lists of different shards can be compared by their
// least recent entries (see eviction.go).

// recencyList is the head of one list.
type recencyList struct {
	front, back uint32
}

// pushFrontLocked links slot i, which is in no list, at the front of list.
func (l *ledger) pushFrontLocked(list *recencyList, i uint32) {
	n := l.node(i)
	n.prev, n.next = 0, list.front
	if list.front != 0 {
		l.node(list.front).prev = i
	} else {
		list.back = i
	}
	list.front = i
}

// detachLocked takes slot i out of list.
func (l *ledger) detachLocked(list *recencyList, i uint32) {
	n := l.node(i)
	if n.prev != 0 {
		l.node(n.prev).next = n.next
	} else {
		list.front = n.next
	}
	if n.next != 0 {
		l.node(n.next).prev = n.prev
	} else {
		list.back = n.prev
	}
	n.prev, n.next = 0, 0
}

// moveToFrontLocked moves slot i, which is in list, to the front of list.
// It is detachLocked and pushFrontLocked in one, for reads, which call it
// all the time.
func (l *ledger) moveToFrontLocked(list *recencyList, i uint32) {
	front := list.front
	if front == i {
		return
	}
	n := l.node(i)
	l.node(n.prev).next = n.next // n.prev != 0: i is not the front
	if n.next != 0 {
		l.node(n.next).prev = n.prev
	} else {
		list.back = n.prev
	}
	n.prev, n.next = 0, front
	l.node(front).prev = i
	list.front = i
}

// relinkLocked points the neighbours of the entry now at slot i, whose node
// (links included) was copied there from another slot, and the ends of
// list, at i.
func (l *ledger) relinkLocked(list *recencyList, i uint32) {
	n := l.node(i)
	if n.prev != 0 {
		l.node(n.prev).next = i
	} else {
		list.front = i
	}
	if n.next != 0 {
		l.node(n.next).prev = i
	} else {
		list.back = i
	}
}
