package maxmem

// The recency lists: intrusive doubly linked lists threaded through the
// slab by slot number, front most recent. Slot 0 is never an entry and
// means "none", so the zero list is empty and zero links are unlinked.
// The links live in kv, beside the stamp they order, so that a read
// restamps and relinks an entry in the cache line it has already loaded.

// links are an entry's neighbours: prev towards the front, next towards
// the back.
type links struct {
	prev, next uint32
}

// recencyList is the head of one list.
type recencyList struct {
	front, back uint32
}

// pushFrontLocked links slot i, which is in no list, at the front of l.
func (s *shard[K, V]) pushFrontLocked(l *recencyList, i uint32) {
	s.kvs[i].links = links{next: l.front}
	if l.front != 0 {
		s.kvs[l.front].links.prev = i
	} else {
		l.back = i
	}
	l.front = i
}

// unlinkLocked takes slot i out of l.
func (s *shard[K, V]) unlinkLocked(l *recencyList, i uint32) {
	n := s.kvs[i].links
	if n.prev != 0 {
		s.kvs[n.prev].links.next = n.next
	} else {
		l.front = n.next
	}
	if n.next != 0 {
		s.kvs[n.next].links.prev = n.prev
	} else {
		l.back = n.prev
	}
	s.kvs[i].links = links{}
}

// moveToFrontLocked moves slot i, which is in l, to the front of l.
func (s *shard[K, V]) moveToFrontLocked(l *recencyList, i uint32) {
	if l.front != i {
		s.unlinkLocked(l, i)
		s.pushFrontLocked(l, i)
	}
}

// relinkLocked points the neighbours of the entry now at slot i, whose kv
// (links included) was copied there from another slot, and the ends of l,
// at i.
func (s *shard[K, V]) relinkLocked(l *recencyList, i uint32) {
	n := s.kvs[i].links
	if n.prev != 0 {
		s.kvs[n.prev].links.next = i
	} else {
		l.front = i
	}
	if n.next != 0 {
		s.kvs[n.next].links.prev = i
	} else {
		l.back = i
	}
}
