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
	l.linkBeforeLocked(list, i, list.front)
}

// linkBeforeLocked links slot i, which is in no list, in front of at, which
// is in list, or at the back of list if at is 0.
func (l *ledger) linkBeforeLocked(list *recencyList, i, at uint32) {
	prev := list.back
	if at != 0 {
		prev = l.node(at).links.prev
		l.node(at).links.prev = i
	} else {
		list.back = i
	}
	l.node(i).links = links{prev: prev, next: at}
	if prev != 0 {
		l.node(prev).links.next = i
	} else {
		list.front = i
	}
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
	if list.front == i {
		return
	}
	n := l.node(i)
	prev, next := n.links.prev, n.links.next
	l.node(prev).links.next = next // prev != 0: i is not the front
	if next != 0 {
		l.node(next).links.prev = prev
	} else {
		list.back = prev
	}
	n.links = links{next: list.front}
	l.node(list.front).links.prev = i
	list.front = i
}

// placeLocked gives slot, whose node is n, the recency stamp of a read
// being replayed, and moves it to the place in its list (in the classic
// layout) that the stamp says: behind the entries with later stamps, which
// reads replayed from other rings may have put in front. Those are few,
// since replays follow reads closely, so the walk from the front is short;
// it stops after maxWalk entries, and a read that waited longer than that
// in its ring counts as made with the read it stops at.
func (l *ledger) placeLocked(n *node, slot uint32, stamp uint64) {
	n.stamp = stamp
	list := &l.lists[n.list]
	if list.front == slot {
		return
	}
	at := list.front              // the entry to go in front of
	if l.node(at).stamp > stamp { // reads replayed from other rings went ahead
		for steps := 0; at != 0 && (at == slot || l.node(at).stamp > stamp); steps++ {
			if steps == maxWalk && at != slot {
				n.stamp = l.node(at).stamp
				break
			}
			at = l.node(at).links.next
		}
		if n.links.next == at {
			return // already in place: right in front of at, behind later stamps
		}
	}
	if list.back == slot {
		l.gen.Add(1) // the shard's least recent entry changes
	}
	if at == list.front { // the usual case
		l.moveToFrontLocked(list, slot)
		return
	}
	l.unlinkLocked(list, slot)
	l.linkBeforeLocked(list, slot, at)
}

// maxWalk bounds the entries placeLocked walks past: each is a cache miss
// in a large cache. A ring whose processor stopped reading the shard keeps
// its events until an eviction replays them, however many reads other
// rings replayed meanwhile.
const maxWalk = 16

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
