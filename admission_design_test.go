package maxmem

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Tests of the admission design of issue 13 (admission.go, climber.go):
// the warm-up, warm admission, ghosts, the ghost hint, and the policy's
// memory taken by evicting. They run one shard, as the policy model in
// bench/internal/policymodel does, on generated traffic.

// newEntryCache returns a one-shard cache of uint64 keys whose entries
// are all charged the same, with room for n of them, the policy's own
// memory included.
func newEntryCache(t *testing.T, n int, p Policy) *Cache[uint64, int64] {
	t.Helper()
	return mustNew(t, Options[uint64, int64]{
		MaxMemory: int64(n) * (EntryOverhead[uint64, int64]() + 1),
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

// recencyFlat returns recency-biased requests for a cache of n entries:
// each the key at an LRU stack depth drawn evenly from 1 to 1.5n, or, one
// time in ten (or when the stack is not that deep yet), a fresh key. LRU
// hits about 60 %; how often a key was requested says nothing of its
// future (bench's recency-flat generator).
func recencyFlat(n, requests int) []uint64 {
	r := rand.New(rand.NewPCG(13, 2))
	var stack []uint64 // most recent last
	keys := make([]uint64, requests)
	for i := range keys {
		d := 1 + r.IntN(n+n/2)
		if r.Float64() < 0.1 || d > len(stack) {
			keys[i] = freshKeys + uint64(i)
		} else {
			at := len(stack) - d
			keys[i] = stack[at]
			stack = slices.Delete(stack, at, at+1)
		}
		stack = append(stack, keys[i])
		if len(stack) > 2*n {
			stack = stack[len(stack)-2*n:]
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

// The sketch counts nothing while the shard fills, until it first holds
// half its nominal bytes; from then on it counts every request.
func TestTinyLFUSketchWaitsForHalfFull(t *testing.T) {
	c := newEntryCache(t, 100, AllKeysTinyLFU)
	s := &c.shards[0]
	for k := range uint64(40) {
		c.Set(k, 1)
		for range 3 {
			c.Get(k)
		}
	}
	s.lockAndDrain()
	est, warm := s.adm.sketch.Estimate(uint64(s.node(1).hash)), s.adm.warm
	s.unlock()
	if est != 0 || warm {
		t.Fatalf("at 40 %% of the budget: estimate %d, warm %v", est, warm)
	}
	for k := uint64(40); k < 60; k++ {
		c.Set(k, 1)
	}
	c.Get(0)
	c.Get(0)
	s.lockAndDrain()
	slot, _ := s.findLocked(0, uint32(c.hash.of(0)))
	est, warm = s.adm.sketch.Estimate(uint64(s.node(slot).hash)), s.adm.warm
	s.unlock()
	if est != 2 || !warm {
		t.Fatalf("past half: estimate %d after two reads, warm %v", est, warm)
	}
}

// A candidate at least warmFloor times requested wins against a victim as
// frequent about one time in warmOdds; below warmFloor, never.
func TestTinyLFUWarmAdmission(t *testing.T) {
	c := newEntryCache(t, 100, AllKeysTinyLFU)
	c.Set(1, 1)
	c.Set(2, 1)
	s := &c.shards[0]
	s.lock()
	defer s.unlock()
	for _, tc := range []struct {
		count    int
		min, max int // wins in 100 × warmOdds duels
	}{{warmFloor - 1, 0, 0}, {warmFloor, 60, 140}, {15, 60, 140}} {
		s.adm.sketch.Resize(1000)
		for range tc.count {
			s.adm.sketch.Increment(uint64(s.node(1).hash))
			s.adm.sketch.Increment(uint64(s.node(2).hash))
		}
		wins := 0
		for range 100 * warmOdds {
			if s.admitLocked(1, 2) {
				wins++
			}
		}
		if wins < tc.min || wins > tc.max {
			t.Errorf("both at %d: the candidate won %d of %d duels, want %d to %d", tc.count, wins, 100*warmOdds, tc.min, tc.max)
		}
	}
}

// A key that loses its duel leaves a ghost; written again while the ghost
// is kept, it skips the window for probation, the ghost goes, and the
// climber hears of a ghost hit.
func TestTinyLFUGhostSkipsTheWindow(t *testing.T) {
	c := newEntryCache(t, 100, AllKeysTinyLFU)
	s := &c.shards[0]
	for range 4 {
		for k := range uint64(120) {
			if _, ok := c.Get(k); !ok {
				c.Set(k, 1)
			}
		}
	}
	ghostOf := func(k uint64) bool {
		s.lockAndDrain()
		defer s.unlock()
		return s.adm.ghosts.Contains(uint32(c.hash.of(k)))
	}
	for k := uint64(1000); k < 1020; k++ {
		c.Set(k, 1) // once-seen keys: most lose their duels against the hot ones
	}
	k := uint64(1019) // the newest ghost: the eviction its write makes pushes one more
	for ; k >= 1000 && !ghostOf(k); k-- {
	}
	if _, ok := c.MemoryUsage(k); k < 1000 || ok {
		t.Fatalf("20 once-seen keys written and no ghost of one that left (key %d resident: %v)", k, ok)
	}
	c.Set(k, 1)
	s.lockAndDrain()
	defer s.unlock()
	h := uint32(c.hash.of(k))
	slot, _ := s.findLocked(k, h)
	if s.node(slot).list != probation || s.adm.ghosts.Contains(h) || s.adm.climb.ghostHits != 1 {
		t.Fatalf("key %d written again: list %d, ghost %v, ghost hits %d",
			k, s.node(slot).list, s.adm.ghosts.Contains(h), s.adm.climb.ghostHits)
	}
}

// used_memory_policy is the sketch and the ghosts, one ghost of 12 bytes
// per 32 entries, and the budget holds them.
func TestTinyLFUChargesItsGhosts(t *testing.T) {
	c := newEntryCache(t, 3200, AllKeysTinyLFU)
	replay(t, c, scanMixed(3200, 20_000))
	s := &c.shards[0]
	s.lock()
	sk, gh, capacity := s.adm.sketch.Bytes(), s.adm.ghosts.Bytes(), s.adm.sketch.Capacity()
	s.unlock()
	if st := c.Stats(); gh == 0 || gh != 12*int64(capacity/32) || st.PolicyMemory != sk+gh {
		t.Fatalf("used_memory_policy %d; sketch %d and ghosts %d bytes for %d entries", st.PolicyMemory, sk, gh, capacity)
	}
	checkInvariants(t, c)
	checkAccounting(t, c)
}

// The run-time switch: a full cache of same-size values switched
// from allkeys-lru to allkeys-tinylfu evicts for its sketch and ghosts at
// once (each eviction frees one entry's bytes, which the next write would
// take: waiting for room would never give it any), and its hit ratio on
// the rest of the traffic comes close to that of a cache created with the
// policy, well above LRU's. (bench/internal/policymodel's
// TestSwitchHitRatio: LRU 49.66, created with it 55.74, switched 53.35.)
func TestTinyLFUSwitchGetsItsMemory(t *testing.T) {
	const n = 2000
	keys := scanMixed(n, 50*n)
	half := len(keys) / 2
	run := func(start, to Policy) float64 {
		c := newEntryCache(t, n, start)
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
		hit := replay(t, c, keys[half:])
		checkInvariants(t, c)
		checkAccounting(t, c)
		return hit
	}
	lru := run(AllKeysLRU, nil)
	created := run(AllKeysTinyLFU, nil)
	switched := run(AllKeysLRU, AllKeysTinyLFU)
	t.Logf("scan-mixed@%d, second half: LRU %.2f %%, tinylfu %.2f %%, switched to it %.2f %%", n, lru, created, switched)
	if switched < lru+2 || switched < created-3 {
		t.Errorf("switched %.2f %%: want within 3 points of a cache created with it (%.2f) and 2 above LRU (%.2f)", switched, created, lru)
	}
}

// On recency-biased traffic the ghost hint takes the window far beyond
// where the climber alone leaves it, and the hit ratio with it; on a loop
// of 1.01 times the cache, whose rejected keys come back as ghosts every
// round, the guard keeps the window small and the loop cached.
func TestTinyLFUGhostHint(t *testing.T) {
	const n = 400
	keys := recencyFlat(n, 50*n)
	run := func(hint bool) (float64, float64) {
		c := newEntryCache(t, n, AllKeysTinyLFU)
		if !hint {
			c.shards[0].adm.climb.hintShare = 0
		}
		hit := replay(t, c, keys)
		return hit, c.shards[0].adm.climb.window
	}
	lru := replay(t, newEntryCache(t, n, AllKeysLRU), keys)
	hw, ww := run(true)
	h, w := run(false)
	t.Logf("recency-flat@%d: LRU %.2f %%; with the hint %.2f %% (window %.3f), without %.2f %% (window %.3f)", n, lru, hw, ww, h, w)
	if ww < 2*w || hw <= h {
		t.Errorf("recency-flat@%d: with the hint %.2f %% (window %.3f), without %.2f %% (window %.3f)", n, hw, ww, h, w)
	}
	c := newEntryCache(t, 1000, AllKeysTinyLFU)
	if hit := replay(t, c, loopOf(1010, 300_000)); hit < 90 {
		t.Errorf("a loop of 1010 keys in 1000 entries: %.2f %% (window %.3f)", hit, c.shards[0].adm.climb.window)
	}
}

// A writer that chose the admission layout's eviction may reach a shard
// after SetPolicy switched away from it: the shard then names no victim
// (the writer chooses again) instead of reading a layout it no longer has.
func TestAdmittedVictimAfterSwitchAway(t *testing.T) {
	c := newEntryCache(t, 100, AllKeysTinyLFU)
	for k := range uint64(100) {
		c.Set(k, 1)
	}
	if err := c.SetPolicy(AllKeysLRU); err != nil {
		t.Fatal(err)
	}
	s := &c.shards[0]
	ok := func() bool {
		s.lockAndDrain()
		defer s.unlock() // a panic fails the test instead of hanging its cleanup
		_, _, ok := admittedVictim(&s.ledger)
		return ok
	}()
	if ok {
		t.Fatal("admittedVictim named a victim in a shard under allkeys-lru")
	}
	if err := c.Set(1000, 1); err != nil {
		t.Fatalf("a write after the switch: %v", err)
	}
}
