package maxmem

import (
	"fmt"
	"testing"
)

// A replayed read goes behind every entry with a later stamp, walking past
// at most maxWalk of them: a read that waited longer in its ring counts as
// made with the read the walk stops at, and the list stays in stamp order.
func TestPlaceWalksAtMostMaxWalk(t *testing.T) {
	for _, tc := range []struct {
		name     string
		later    int // entries written after the one read
		wantFrom int // where the read one ends up, counted from the front
	}{
		{"short walk", maxWalk / 2, maxWalk / 2},
		{"long walk", 3 * maxWalk, maxWalk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, Options[string, []byte]{Policy: AllKeysLRU, Shards: 1, Clock: newFakeClock()})
			for i := 0; i <= tc.later; i++ {
				mustSetBytes(t, c, fmt.Sprint("k", i))
			}
			s, h := c.shardOf("k0")
			s.lockAndDrain()
			defer s.unlock()
			slot, ok := s.findLocked("k0", h)
			if !ok {
				t.Fatal("k0 not found")
			}
			// Replay a read of k0 made just after it was written, before
			// every later write.
			s.placeLocked(s.node(slot), slot, s.node(slot).stamp+1)

			order := s.listOrderLocked(s.node(slot).list)
			if got := indexOf(order, slot); got != tc.wantFrom {
				t.Errorf("k0 is %d from the front, want %d", got, tc.wantFrom)
			}
			for i := 1; i < len(order); i++ {
				if a, b := s.node(order[i-1]).stamp, s.node(order[i]).stamp; a < b {
					t.Fatalf("stamps out of order at %d: %d before %d", i, a, b)
				}
			}
		})
	}
}

// mustSetBytes sets key to a small value.
func mustSetBytes(t *testing.T, c *Cache[string, []byte], key string) {
	t.Helper()
	if err := c.Set(key, []byte("v")); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

// listOrderLocked returns the slots of list i, front to back; a list that
// loops is cut after one more entry than the shard holds.
func (l *ledger) listOrderLocked(i uint8) []uint32 {
	var order []uint32
	for at := l.lists[i].front; at != 0 && len(order) <= int(l.n); at = l.node(at).links.next {
		order = append(order, at)
	}
	return order
}

// indexOf returns where slot is in order, or -1.
func indexOf(order []uint32, slot uint32) int {
	for i, s := range order {
		if s == slot {
			return i
		}
	}
	return -1
}
