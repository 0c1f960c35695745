package maxmem

import (
	"math/rand/v2"
	"testing"

	"github.com/maxmem/maxmem/internal/tinylfu"
)

// Tests of the admission design through the cache (its parts are tested
// in internal/tinylfu): the duel judge on a loop, and the policy's memory
// taken by evicting. They run one shard, as the policy model in
// bench/internal/policymodel does, on generated traffic.

// newEntryCache returns a one-shard cache of uint64 keys whose entries
// are all charged the same, with room for n of them (and, under
// allkeys-tinylfu, for their places in its lists).
func newEntryCache(t *testing.T, n int, p Policy) *Cache[uint64, int64] {
	t.Helper()
	per := EntryOverhead[uint64, int64]() + 1
	if p == AllKeysTinyLFU {
		per += tinylfu.NodeBytes
	}
	return newBudgetCache(t, int64(n)*per, p)
}

// newBudgetCache is newEntryCache with a budget of max bytes.
func newBudgetCache(t *testing.T, max int64, p Policy) *Cache[uint64, int64] {
	t.Helper()
	return mustNew(t, Options[uint64, int64]{
		MaxMemory: max,
		Policy:    p,
		Sizer:     func(uint64, int64) int64 { return 1 },
		Shards:    1,
		Seed:      1,
		Clock:     newFakeClock(),
	})
}

// replay requests keys as a look-aside cache does (a Get, and a Set after
// a miss) and returns the hit ratio in percent.
func replay(t *testing.T, c *Cache[uint64, int64], keys []uint64) float64 {
	t.Helper()
	hits := 0
	for _, k := range keys {
		if _, ok := c.Get(k); ok {
			hits++
		} else if err := c.Set(k, 1); err != nil {
			t.Fatalf("Set(%d): %v", k, err)
		}
	}
	return 100 * float64(hits) / float64(max(len(keys), 1))
}

// Key spaces of the generators, so that their keys never meet.
const (
	hotKeys   = 1 << 40
	freshKeys = 2 << 40
)

// scanMixed returns requests for a cache of n entries: a fixed Zipf hot set
// (16n keys, skew 1.1) with one-hit keys interleaved, 30 % of the requests
// (bench's scan-mixed generator).
func scanMixed(n, requests int) []uint64 {
	r := rand.New(rand.NewPCG(13, 1))
	z := rand.NewZipf(r, 1.1, 1, uint64(16*n-1))
	keys := make([]uint64, requests)
	for i := range keys {
		if r.Float64() < 0.3 {
			keys[i] = freshKeys + uint64(i)
		} else {
			keys[i] = hotKeys + z.Uint64()
		}
	}
	return keys
}

// loopOf returns requests cycling over keys keys.
func loopOf(keys, requests int) []uint64 {
	out := make([]uint64, requests)
	for i := range out {
		out[i] = uint64(i % keys)
	}
	return out
}

// used_memory_policy is the sketch and the judge sized for the entries
// the budget holds, and the budget holds them.
func TestTinyLFUChargesItsJudge(t *testing.T) {
	c := newEntryCache(t, 3200, AllKeysTinyLFU)
	replay(t, c, scanMixed(3200, 20_000))
	st := c.Stats()
	if want := tinylfu.BytesFor(int(st.Keys)); st.PolicyMemory < want/2 || st.PolicyMemory > 2*want {
		t.Fatalf("used_memory_policy %d for %d entries, want about %d", st.PolicyMemory, st.Keys, want)
	}
	checkInvariants(t, c)
	checkAccounting(t, c)
}

// The run-time switch: a full cache of same-size values switched
// from allkeys-lru to allkeys-tinylfu evicts for its sketch, judge and
// list places at once (each eviction frees one entry's bytes, which the
// next write would take: waiting for room would never give it any), and
// once it has seen a quarter of the traffic since the switch (it starts
// with no counts), its hit ratio comes within 2 points of that of a cache
// created with the policy in the same budget, above LRU's.
// (bench/internal/policymodel's TestSwitchHitRatio: LRU 49.66, created
// with it 55.74, switched 53.35.)
func TestTinyLFUSwitchGetsItsMemory(t *testing.T) {
	const n = 2000
	keys := scanMixed(n, 50*n)
	half, settled := len(keys)/2, 3*len(keys)/4
	budget := int64(n) * (EntryOverhead[uint64, int64]() + 1)
	run := func(start, to Policy) float64 {
		c := newBudgetCache(t, budget, start)
		replay(t, c, keys[:half])
		if to != nil {
			full := c.Len()
			if err := c.SetPolicy(to); err != nil {
				t.Fatal(err)
			}
			if st := c.Stats(); st.PolicyMemory == 0 || c.Len() >= full {
				t.Fatalf("switched: used_memory_policy %d, %d entries (%d before)", st.PolicyMemory, c.Len(), full)
			}
			checkAccounting(t, c)
		}
		replay(t, c, keys[half:settled])
		hit := replay(t, c, keys[settled:])
		checkInvariants(t, c)
		checkAccounting(t, c)
		return hit
	}
	lru := run(AllKeysLRU, nil)
	created := run(AllKeysTinyLFU, nil)
	switched := run(AllKeysLRU, AllKeysTinyLFU)
	t.Logf("scan-mixed@%d, last quarter: LRU %.2f %%, tinylfu %.2f %%, switched to it %.2f %%", n, lru, created, switched)
	if switched <= lru || switched < created-2 {
		t.Errorf("switched %.2f %%: want within 2 points of a cache created with it (%.2f) and above LRU (%.2f)", switched, created, lru)
	}
}

// On a loop of 1.01 times the cache, the victims of the duels come back
// before the candidates every round: the judge keeps refusing ties, its
// hint leaves the window small, and the loop stays cached (the judge
// itself: internal/tinylfu).
func TestTinyLFUKeepsALoopNearTheCacheSize(t *testing.T) {
	c := newEntryCache(t, 1000, AllKeysTinyLFU)
	if hit := replay(t, c, loopOf(1010, 300_000)); hit < 90 {
		t.Errorf("a loop of 1010 keys in 1000 entries: %.2f %%", hit)
	}
}
