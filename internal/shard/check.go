package shard

import "fmt"

// CheckLocked verifies the shard's invariants (see the package doc) and
// returns the first it finds broken: the index finds every entry at its
// slot, the heap holds exactly the entries with a deadline at their
// recorded places, every word of the packed layout names a live item, and
// the lease's charge is the sum of the entries' charges and the policy's
// bytes. For tests; it costs a pass over the shard.
func (s *Shard) CheckLocked() error {
	if got := s.idx.Len(); got != int(s.n) {
		return fmt.Errorf("index holds %d entries, shard %d", got, s.n)
	}
	var sum int64
	withTTL := 0
	for slot := uint32(1); slot <= s.n; slot++ {
		h := s.head(slot)
		if got, ok := s.idx.Load().Find(h.Hash(), func(c uint32) bool { return c == slot }); !ok || got != slot {
			return fmt.Errorf("slot %d: the index does not find it under its hash", slot)
		}
		if s.arena != nil && !s.arena.Readable(h.word) {
			return fmt.Errorf("slot %d: word %x names no live item", slot, h.word)
		}
		sum += s.chargeOf(h.word)
		if h.expireAt != 0 {
			withTTL++
			if int(h.heapPos) >= len(s.ttl) || s.ttl[h.heapPos] != slot {
				return fmt.Errorf("slot %d: heap position %d is wrong", slot, h.heapPos)
			}
		}
	}
	if withTTL != len(s.ttl) {
		return fmt.Errorf("heap holds %d slots, %d entries have a deadline", len(s.ttl), withTTL)
	}
	for i := 1; i < len(s.ttl); i++ {
		if s.deadlineAt((i-1)/2) > s.deadlineAt(i) {
			return fmt.Errorf("heap out of order at %d", i)
		}
	}
	if s.adm != nil {
		sum += s.adm.Bytes() - s.owed
	}
	if got := s.Lease.Charged(); got != sum {
		return fmt.Errorf("charged %d, entries and policy sum to %d", got, sum)
	}
	if err := s.checkRecencyLocked(); err != nil {
		return err
	}
	return s.checkAdmissionLocked()
}

// checkRecencyLocked verifies that the bucket lists hold every entry
// exactly once, in its class, linked both ways.
func (s *Shard) checkRecencyLocked() error {
	seen := make(map[uint32]bool, s.n)
	for c := range 2 {
		for b := range buckets {
			head := sentinelOf(c, uint64(b))
			prev := head
			for slot := s.rec.link(head).next; slot != head; slot = s.rec.link(slot).next {
				if slot == 0 || slot > s.n || seen[slot] || s.rec.link(slot).prev != prev {
					return fmt.Errorf("class %d bucket %d broken at slot %d", c, b, slot)
				}
				if classOf(s.head(slot).expireAt) != c {
					return fmt.Errorf("slot %d is in class %d, its deadline says otherwise", slot, c)
				}
				seen[slot], prev = true, slot
			}
		}
	}
	if len(seen) != int(s.n) {
		return fmt.Errorf("the buckets hold %d entries, the shard %d", len(seen), s.n)
	}
	return nil
}

// checkAdmissionLocked verifies that the admission layout's lists hold
// every entry once and weigh what their entries are charged.
func (s *Shard) checkAdmissionLocked() error {
	if s.adm == nil {
		return nil
	}
	if err := s.adm.Check(); err != nil {
		return err
	}
	if s.adm.Total() != s.totalChargesLocked() {
		return fmt.Errorf("admission lists weigh %d, entries are charged %d", s.adm.Total(), s.totalChargesLocked())
	}
	return nil
}

// totalChargesLocked sums the entries' charges.
func (s *Shard) totalChargesLocked() int64 {
	var sum int64
	for slot := uint32(1); slot <= s.n; slot++ {
		sum += s.chargeOf(s.head(slot).word)
	}
	return sum
}
