package shard

// The TTL heap: a binary min-heap of the slots with a deadline, ordered by
// deadline, so the top is always the entry that expires soonest. It
// stores only slot numbers; each member's place in it is in its head, so
// it costs four bytes per member. Push, remove and fix are O(log n).

// pushTTLLocked adds slot, whose head already holds its deadline.
func (s *Shard) pushTTLLocked(slot uint32) {
	s.ttl = append(s.ttl, slot)
	s.heapUp(len(s.ttl) - 1)
}

// removeTTLLocked takes out the member at pos.
func (s *Shard) removeTTLLocked(pos int) {
	last := len(s.ttl) - 1
	if pos != last {
		s.heapPlace(pos, s.ttl[last])
	}
	s.ttl = s.ttl[:last]
	if pos != last {
		s.fixTTLLocked(pos)
	}
	if c := cap(s.ttl); c > 64 && len(s.ttl) <= c/4 {
		s.ttl = append(make([]uint32, 0, c/2), s.ttl...)
	}
}

// fixTTLLocked restores the order after the deadline of the member at pos
// changed.
func (s *Shard) fixTTLLocked(pos int) {
	if !s.heapDown(pos) {
		s.heapUp(pos)
	}
}

// heapPlace puts slot at pos and records pos in its head.
func (s *Shard) heapPlace(pos int, slot uint32) {
	s.ttl[pos] = slot
	s.head(slot).heapPos = uint32(pos)
}

func (s *Shard) deadlineAt(pos int) int64 { return s.head(s.ttl[pos]).expireAt }

func (s *Shard) heapUp(i int) {
	slot := s.ttl[i]
	d := s.head(slot).expireAt
	for i > 0 {
		parent := (i - 1) / 2
		if s.deadlineAt(parent) <= d {
			break
		}
		s.heapPlace(i, s.ttl[parent])
		i = parent
	}
	s.heapPlace(i, slot)
}

// heapDown sifts the member at i towards the leaves and reports whether
// it moved.
func (s *Shard) heapDown(i int) bool {
	start, n := i, len(s.ttl)
	slot := s.ttl[i]
	d := s.head(slot).expireAt
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if r := child + 1; r < n && s.deadlineAt(r) < s.deadlineAt(child) {
			child = r
		}
		if d <= s.deadlineAt(child) {
			break
		}
		s.heapPlace(i, s.ttl[child])
		i = child
	}
	s.heapPlace(i, slot)
	return i > start
}

// SoonestExpiredLocked returns the slot whose deadline is earliest if it
// has passed at now.
func (s *Shard) SoonestExpiredLocked(now int64) (uint32, bool) {
	if len(s.ttl) == 0 || s.head(s.ttl[0]).expireAt > now {
		return 0, false
	}
	return s.ttl[0], true
}
