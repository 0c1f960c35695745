package maxmem

// The recency lists: intrusive doubly linked lists threaded through the
// nodes by slot number, front most recent. Slot 0 is never an entry and
// means "none", so the zero list is empty and zero links are unlinked.
// The links live in the node, beside the stamp they order, so that a read
// restamps and relinks an entry in the cache line it has already loaded.

// recencyList is the head of one list.
type recencyList struct {
	front, back uint32
}

// pushFrontLocked links slot i, which is in no list, at the front of list.
func (l *ledger) pushFrontLocked(list *recencyList, i uint32) {
	l.node(i).links = links{next: list.front}
	if list.front != 0 {
		l.node(list.front).links.prev = i
	} else {
		list.back = i
	}
	list.front = i
}

// unlinkLocked takes slot i out of list.
func (l *ledger) unlinkLocked(list *recencyList, i uint32) {
	n := l.node(i)
	prev, next := n.links.prev, n.links.next
	if prev != 0 {
		l.node(prev).links.next = next
	} else {
		list.front = next
	}
	if next != 0 {
		l.node(next).links.prev = prev
	} else {
		list.back = prev
	}
	n.links = links{}
}

// moveToFrontLocked moves slot i, which is in list, to the front of list.
func (l *ledger) moveToFrontLocked(list *recencyList, i uint32) {
	if list.front != i {
		l.unlinkLocked(list, i)
		l.pushFrontLocked(list, i)
	}
}

// toFrontLocked moves slot, whose node is n, to the front of its list in
// the classic layout, after its stamp was renewed.
func (l *ledger) toFrontLocked(n *node, slot uint32) {
	list := &l.lists[n.list]
	if list.front == slot {
		return
	}
	if list.back == slot {
		l.gen.Add(1) // the shard's least recent entry changes
	}
	prev, next := n.links.prev, n.links.next
	l.node(prev).links.next = next // prev != 0: slot is not the front
	if next != 0 {
		l.node(next).links.prev = prev
	} else {
		list.back = prev
	}
	n.links = links{next: list.front}
	l.node(list.front).links.prev = slot // the list holds at least slot and another
	list.front = slot
}

// relinkLocked points the neighbours of the entry now at slot i, whose node
// (links included) was copied there from another slot, and the ends of
// list, at i.
func (l *ledger) relinkLocked(list *recencyList, i uint32) {
	n := l.node(i).links
	if n.prev != 0 {
		l.node(n.prev).links.next = i
	} else {
		list.front = i
	}
	if n.next != 0 {
		l.node(n.next).links.prev = i
	} else {
		list.back = i
	}
}
