package shard

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// With WriteTimes, every entry's write time follows it through inserts,
// updates, removals that move the last entry into the gap, evictions and
// a reset; a TTL change is not a write of the value.
func TestWriteTimesFollowEntries(t *testing.T) {
	h := newHarness(t, Policy{Kind: LRU}, 8_000)
	h.cfg.WriteTimes = true
	born := map[string]int64{}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 5_000 {
		h.now.Add(int64(1 + r.IntN(1000)))
		k := fmt.Sprint("key", r.IntN(300))
		if r.IntN(4) == 0 {
			h.del(k)
		} else if h.set(k, fmt.Sprint(i), 0) {
			born[k] = h.now.Load()
		}
		if i%500 == 0 {
			checkWriteTimes(t, h, born)
		}
	}
	checkWriteTimes(t, h, born)
	if !h.set("key7", "v", 0) {
		t.Fatal("set key7 failed")
	}
	h.s.Lock()
	slot, _ := h.s.FindPackedLocked("key7", h.hash("key7"))
	before := h.s.WrittenAtLocked(slot)
	h.now.Add(99)
	h.s.SetExpireLocked(slot, h.now.Load()+1e9)
	if h.s.WrittenAtLocked(slot) != before {
		t.Error("a TTL change moved the write time")
	}
	h.s.Lease.Release(h.s.ResetLocked())
	h.s.Unlock()
	h.model = map[string]string{}
	if !h.set("fresh", "v", 0) {
		t.Fatal("set after reset failed")
	}
	checkWriteTimes(t, h, map[string]int64{"fresh": h.now.Load()})
}

func checkWriteTimes(t *testing.T, h *harness, born map[string]int64) {
	t.Helper()
	h.s.Lock()
	defer h.s.Unlock()
	for k := range h.model {
		slot, ok := h.s.FindPackedLocked(k, h.hash(k))
		if !ok {
			t.Fatalf("%q missing", k)
		}
		if got := h.s.WrittenAtLocked(slot); got != born[k] {
			t.Fatalf("%q written at %d, want %d", k, got, born[k])
		}
	}
}
