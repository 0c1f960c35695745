package maxmem

import (
	"fmt"
	"testing"
)

// checkInvariants verifies every shard's bookkeeping (internal/shard's
// CheckLocked) and that each entry's key is found at its own slot.
func checkInvariants[K comparable, V any](t *testing.T, c *Cache[K, V]) {
	t.Helper()
	for i := range c.shards {
		s := &c.shards[i]
		s.Lock()
		err := s.CheckLocked()
		for slot := uint32(1); err == nil && slot <= s.LenLocked(); slot++ {
			key := s.key(slot)
			if got, ok := s.find(key, c.hash.of(key)); !ok || got != slot {
				err = fmt.Errorf("slot %d: its key is found at %d, %v", slot, got, ok)
			}
		}
		s.Unlock()
		if err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
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
