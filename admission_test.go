package maxmem

import (
	"errors"
	"fmt"
	"testing"
)

// fill writes keys prefix0..prefix(n-1), reading each first as a
// look-aside cache does, rounds times over.
func lookAside(c *Cache[string, int], prefix string, n, rounds int) (hits int) {
	for range rounds {
		for i := range n {
			k := fmt.Sprint(prefix, i)
			if _, ok := c.Get(k); ok {
				hits++
			} else if err := c.Set(k, i); err != nil {
				panic(err)
			}
		}
	}
	return hits
}

// A one-off scan larger than the cache flushes the working set out of an
// LRU cache but not out of AllKeysTinyLFU: scanned keys, requested once,
// lose every duel against keys requested many times.
func TestTinyLFUResistsScans(t *testing.T) {
	for _, tc := range []struct {
		p       Policy
		minHits int
	}{{AllKeysTinyLFU, 300}, {AllKeysLRU, 0}} {
		t.Run(tc.p.Name(), func(t *testing.T) {
			c, _ := newTestCache(t, 500, tc.p)
			lookAside(c, "hot", 100, 20)
			lookAside(c, "scan", 5000, 1)
			hits := lookAside(c, "hot", 100, 1) // the working set, once more
			if tc.p == AllKeysTinyLFU && hits < 90 {
				t.Fatalf("%d of 100 hot keys survived the scan, want at least 90", hits)
			}
			if tc.p == AllKeysLRU && hits != 0 {
				t.Fatalf("LRU kept %d hot keys through a scan of 10x the cache", hits)
			}
		})
	}
}

// A loop over more keys than fit gives an LRU cache no hit at all; the
// admission policy keeps a stable part of the loop and hits it every round.
func TestTinyLFUKeepsPartOfALoop(t *testing.T) {
	c, _ := newTestCache(t, 500, AllKeysTinyLFU)
	lookAside(c, "loop", 1000, 5)
	hits := lookAside(c, "loop", 1000, 5)
	if hits < 1000 { // 20 % of 5000 requests; an ideal policy gets about 48 %
		t.Fatalf("%d hits in 5 rounds of a 1000-key loop in a 500-key cache", hits)
	}
	lru, _ := newTestCache(t, 500, AllKeysLRU)
	lookAside(lru, "loop", 1000, 5)
	if hits := lookAside(lru, "loop", 1000, 5); hits != 0 {
		t.Fatalf("LRU: %d hits on a loop larger than the cache", hits)
	}
}

// A new key is readable right after its write, even when the cache is full
// of keys requested more often: it gets its time in the window.
func TestTinyLFUAdmitsNewKeysToTheWindow(t *testing.T) {
	c, _ := newTestCache(t, 200, AllKeysTinyLFU)
	lookAside(c, "hot", 200, 10)
	for i := range 50 {
		k := fmt.Sprint("new", i)
		if err := c.Set(k, i); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Get(k); !ok {
			t.Fatalf("%s missing right after its Set", k)
		}
	}
}

// The sketch is charged to the budget (used_memory_policy) and given back
// when the policy changes; the budget is never exceeded.
func TestTinyLFUChargesItsSketch(t *testing.T) {
	c, _ := newTestCache(t, 1000, AllKeysTinyLFU)
	lookAside(c, "k", 3000, 2)
	st := c.Stats()
	if st.PolicyMemory <= 0 {
		t.Fatalf("used_memory_policy %d, want the sketch's bytes", st.PolicyMemory)
	}
	if st.UsedMemory > st.MaxMemory {
		t.Fatalf("used_memory %d > maxmemory %d", st.UsedMemory, st.MaxMemory)
	}
	checkAccounting(t, c) // used == Σ MemoryUsage + used_memory_policy
	if err := c.SetPolicy(AllKeysLRU); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.PolicyMemory != 0 {
		t.Fatalf("after switching to allkeys-lru: used_memory_policy %d", st.PolicyMemory)
	}
	checkAccounting(t, c)
}

// Switching away from AllKeysTinyLFU rebuilds exact recency order: LRU
// then evicts the least recently used key, as if it had run all along.
func TestTinyLFUSwitchKeepsRecency(t *testing.T) {
	c, _ := newTestCache(t, 100, AllKeysTinyLFU)
	for i := range 10 {
		c.Set(fmt.Sprint(i), i)
	}
	for _, k := range []string{"0", "1", "2"} { // 3 is now the least recent
		c.Get(k)
	}
	if err := c.SetPolicy(AllKeysLRU); err != nil {
		t.Fatal(err)
	}
	c.SetMaxMemory(9 * unit) // the sketch's bytes went with the switch: one key must go
	if _, ok := c.Get("3"); ok || c.Len() != 9 {
		t.Fatalf("after the switch LRU kept key 3 (len %d); want it evicted", c.Len())
	}
	if err := c.SetPolicy(AllKeysTinyLFU); err != nil { // and back, with entries
		t.Fatal(err)
	}
	lookAside(c, "more", 30, 2)
	checkAccounting(t, c)
}

func TestParseTinyLFU(t *testing.T) {
	p, err := ParsePolicy("ALLKEYS-TINYLFU")
	if err != nil || p != AllKeysTinyLFU || p.Name() != "allkeys-tinylfu" {
		t.Fatalf("ParsePolicy: %v, %v", p, err)
	}
}

// When the budget drops, the shards' sketches shrink with the entries and
// give their bytes back, so the lower limit holds.
func TestTinyLFUSketchShrinksWithTheBudget(t *testing.T) {
	c, _ := newTestCache(t, 4000, AllKeysTinyLFU)
	lookAside(c, "k", 4000, 2)
	before := c.Stats().PolicyMemory
	if err := c.SetMaxMemory(400 * unit); err != nil {
		t.Fatal(err)
	}
	lookAside(c, "k", 400, 2) // writes resize the sketches of the emptied shards
	st := c.Stats()
	if st.PolicyMemory*4 > before {
		t.Fatalf("used_memory_policy %d after the budget fell tenfold, was %d", st.PolicyMemory, before)
	}
	if st.UsedMemory > st.MaxMemory {
		t.Fatalf("used_memory %d > maxmemory %d", st.UsedMemory, st.MaxMemory)
	}
	checkAccounting(t, c)
}

// An entry that allkeys-tinylfu could never hold, counting its place in
// the policy's lists, is refused as too large before anything is evicted
// for it.
func TestTinyLFURefusesTooLargeUpFront(t *testing.T) {
	const max = 64 << 10
	c := mustNew(t, Options[string, int]{MaxMemory: max, Policy: AllKeysTinyLFU, Seed: 1,
		Sizer: func(_ string, v int) int64 { return int64(v) }})
	for i := range 100 {
		if err := c.Set(fmt.Sprint("k", i), 10); err != nil {
			t.Fatal(err)
		}
	}
	huge := int(max - EntryOverhead[string, int]() - 5) // fits but for the 12 bytes of its list place
	var oom *OOMError
	if err := c.Set("huge", huge); !errors.As(err, &oom) || !oom.TooLarge {
		t.Fatalf("Set of an entry no budget holds: %v, want a too-large OOM", err)
	}
	if n := c.Len(); n != 100 {
		t.Fatalf("%d entries left after the refused write, want 100: it evicted for nothing", n)
	}
}
