package maxmem

import (
	"fmt"
	"testing"
)

// checkInvariants verifies every shard's bookkeeping against shard.go's
// invariants: the index finds every resident entry at its slot, the lists
// hold every slot exactly once, the heap holds exactly the slots with a
// deadline at their recorded positions, every word names a readable item
// of the entry's own key (packed layout), and charged is the sum of the
// charges.
func checkInvariants[K comparable, V any](t *testing.T, c *Cache[K, V]) {
	t.Helper()
	for i := range c.shards {
		s := &c.shards[i]
		s.lock()
		err := s.invariantsLocked()
		s.unlock()
		if err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
}

func (s *shard[K, V]) invariantsLocked() error {
	if got := s.idx.count(); got != int(s.n) {
		return fmt.Errorf("index holds %d entries, shard %d", got, s.n)
	}
	var sum int64
	for slot := uint32(1); slot <= s.n; slot++ {
		if s.arena != nil {
			if s.arena.table.Load().chunkOf(s.head(slot).word) == nil {
				return fmt.Errorf("slot %d: word %x names no chunk", slot, s.head(slot).word)
			}
		}
		key := s.keyAt(slot)
		if got, ok := s.findLocked(key, s.node(slot).hash); !ok || got != slot {
			return fmt.Errorf("slot %d: index finds its key at %d, %v", slot, got, ok)
		}
		sum += s.charge(slot)
		if s.head(slot).expireAt != 0 {
			if pos := s.node(slot).heapPos; int(pos) >= s.ttl.Len() || s.ttl.At(int(pos)) != slot {
				return fmt.Errorf("slot %d: heap position %d is wrong", slot, pos)
			}
		}
	}
	if s.adm != nil {
		sum += s.adm.policyBytes()
	}
	if got := s.charged.Load(); got != sum {
		return fmt.Errorf("charged %d, entries sum to %d", got, sum)
	}
	seen := map[uint32]bool{}
	for li := range s.lists {
		prev := uint32(0)
		for slot := s.lists[li].front; slot != 0; slot = s.node(slot).next {
			if seen[slot] || slot > s.n || s.node(slot).prev != prev || int(s.node(slot).list) != li {
				return fmt.Errorf("list %d broken at slot %d", li, slot)
			}
			seen[slot], prev = true, slot
		}
		if s.lists[li].back != prev {
			return fmt.Errorf("list %d: back %d, last %d", li, s.lists[li].back, prev)
		}
	}
	if len(seen) != int(s.n) {
		return fmt.Errorf("lists hold %d slots, shard %d", len(seen), s.n)
	}
	return nil
}

// The bookkeeping stays consistent through a random mix of every
// operation, in both layouts, one goroutine at a time.
func TestInvariantsUnderRandomOperations(t *testing.T) {
	for _, p := range []Policy{AllKeysLRU, VolatileTTL, AllKeysLFU, AllKeysTinyLFU} {
		t.Run(p.Name()+"/packed", func(t *testing.T) {
			c := newUnitBytesCache(t, 40, p)
			clock := c.cfg.Clock.(*fakeClock)
			for round := range 50 {
				hammer(c, clock, uint64(round), 200, round%7 == 0, func(i int) []byte { return fmt.Append(nil, i) })
				checkInvariants(t, c)
			}
		})
		t.Run(p.Name()+"/generic", func(t *testing.T) {
			c, clock := newTestCache(t, 40, p)
			for round := range 50 {
				hammer(c, clock, uint64(round), 200, round%7 == 0, func(i int) int { return i })
				checkInvariants(t, c)
			}
		})
	}
}

// The same with values of many sizes and the built-in sizer, so that items
// of every header length share chunks and compaction runs.
func TestInvariantsPackedVariableSizes(t *testing.T) {
	for _, p := range []Policy{AllKeysLRU, AllKeysTinyLFU, NoEviction} {
		t.Run(p.Name(), func(t *testing.T) {
			clock := newFakeClock()
			c := mustNew(t, Options[string, []byte]{MaxMemory: 64 * 200, Policy: p, Clock: clock, Shards: 4, Seed: 1})
			for round := range 100 {
				hammer(c, clock, uint64(round), 300, round%7 == 0, func(i int) []byte { return make([]byte, i%200) })
				checkInvariants(t, c)
			}
		})
	}
}
