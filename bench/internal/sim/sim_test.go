package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/trace"
)

// zipfTrace returns n unit-size requests over keys drawn from a Zipf law.
func zipfTrace(n int, keys uint64, seed uint64) []trace.Request {
	r := rand.New(rand.NewPCG(seed, 1))
	z := rand.NewZipf(r, 1.1, 1, keys-1)
	out := make([]trace.Request, n)
	for i := range out {
		out[i] = trace.Request{Key: z.Uint64(), Size: 1}
	}
	return out
}

// TestLRUMatchesGolangLRU checks the exact LRU against an independent
// implementation: both must hit on exactly the same requests.
func TestLRUMatchesGolangLRU(t *testing.T) {
	reqs := zipfTrace(50_000, 5000, 7)
	for _, capacity := range []int64{1, 10, 100, 1000} {
		ref := NewLRU(capacity)
		peer, err := newGolangLRU(Spec{Capacity: capacity})
		if err != nil {
			t.Fatal(err)
		}
		a, b := Replay(ref, reqs), Replay(peer, reqs)
		if a != b {
			t.Errorf("capacity %d: exact LRU %+v, golang-lru %+v", capacity, a, b)
		}
		if ref.Len() > int(capacity) {
			t.Errorf("capacity %d: holds %d entries", capacity, ref.Len())
		}
	}
}

func TestLRUWeighted(t *testing.T) {
	c := NewLRU(10)
	c.Set(1, 4)
	c.Set(2, 4)
	c.Get(1)    // 2 is now least recent
	c.Set(3, 4) // evicts 2
	if !c.Get(1) || c.Get(2) || !c.Get(3) {
		t.Fatal("wrong eviction order")
	}
	c.Set(4, 11) // larger than the cache: not inserted, nothing evicted
	if c.Get(4) || !c.Get(1) || !c.Get(3) {
		t.Fatal("oversized entry disturbed the cache")
	}
	if c.used != 8 {
		t.Fatalf("used = %d, want 8", c.used)
	}
}

// TestRedisPoolInsert checks the pool keeps ascending scores and drops the
// worst candidate when full, as evictionPoolPopulate does.
func TestRedisPoolInsert(t *testing.T) {
	c := NewRedis(SampledLRU, 100, 5, 1)
	for i := range uint64(PoolSize) {
		c.poolInsert(i, 100+i*10)
	}
	c.poolInsert(99, 50) // worse than all in a full pool: dropped
	if c.pool[0].key != 0 {
		t.Fatalf("pool[0] = %+v, want key 0", c.pool[0])
	}
	c.poolInsert(77, 1000) // best: the lowest score is shifted out
	if c.pool[PoolSize-1].key != 77 || c.pool[0].key != 1 {
		t.Fatalf("pool ends = %+v ... %+v", c.pool[0], c.pool[PoolSize-1])
	}
	for k := 1; k < PoolSize; k++ {
		if c.pool[k-1].idle > c.pool[k].idle {
			t.Fatalf("pool not ascending at %d", k)
		}
	}
}

// TestRedisSampledLRUApproximatesLRU checks the sampled LRU ends within a
// few points of exact LRU on a skewed trace and never exceeds capacity.
func TestRedisSampledLRUApproximatesLRU(t *testing.T) {
	reqs := zipfTrace(200_000, 20_000, 3)
	for _, capacity := range []int64{100, 1000} {
		exact := Replay(NewLRU(capacity), reqs).HitRatio()
		c := NewRedis(SampledLRU, capacity, 5, 1)
		got := Replay(c, reqs).HitRatio()
		if d := got - exact; d < -3 || d > 3 {
			t.Errorf("capacity %d: sampled LRU %.2f%%, exact %.2f%%", capacity, got, exact)
		}
		if c.Len() > int(capacity) {
			t.Errorf("capacity %d: holds %d", capacity, c.Len())
		}
	}
}

// TestRedisLFUKeepsHotKeys checks LFU protects a frequently used key from a
// scan that would flush an LRU.
func TestRedisLFUKeepsHotKeys(t *testing.T) {
	c := NewRedis(SampledLFU, 10, 5, 1)
	c.Get(1)
	c.Set(1, 1)
	for range 200 {
		c.Get(1)
	}
	for k := uint64(100); k < 1000; k++ {
		if !c.Get(k) {
			c.Set(k, 1)
		}
	}
	if !c.Get(1) {
		t.Fatal("hot key evicted by a scan")
	}
}

func TestLFUCounter(t *testing.T) {
	if got := lfuTimeElapsed(65535, 1); got != 1 {
		t.Errorf("wrapped elapsed = %d, want 1 (Redis: 65535-ldt+now)", got)
	}
	c := NewRedis(SampledLFU, 10, 5, 1)
	e := &redisEntry{counter: 10}
	c.now = 3 * RequestsPerMinute
	if got := c.lfuDecr(e); got != 7 {
		t.Errorf("decay after 3 minutes = %d, want 7", got)
	}
	for v := range uint8(LFUInitVal) {
		if got := c.lfuLogIncr(v); got != v+1 {
			t.Errorf("incr below init: %d -> %d", v, got)
		}
	}
}

// TestDeterministic checks fixed seeds give identical results.
func TestDeterministic(t *testing.T) {
	reqs := zipfTrace(50_000, 5000, 9)
	for _, mode := range []RedisMode{SampledLRU, SampledLFU} {
		a := Replay(NewRedis(mode, 300, 5, 42), reqs)
		b := Replay(NewRedis(mode, 300, 5, 42), reqs)
		if a != b {
			t.Errorf("mode %d: %+v vs %+v", mode, a, b)
		}
	}
}

// TestPeersRun smoke-tests every peer on entry and weighted traces.
func TestPeersRun(t *testing.T) {
	reqs := zipfTrace(20_000, 2000, 5)
	for _, f := range append(References(), Peers()...) {
		for _, weighted := range []bool{false, true} {
			if weighted && !f.Weighted {
				continue
			}
			c, err := f.New(Spec{Capacity: 200, Items: 200, Weighted: weighted, Seed: 1})
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			res := Replay(c, reqs)
			c.Close()
			if hr := res.HitRatio(); hr < 20 || hr > 95 {
				t.Errorf("%s weighted=%v: hit ratio %.2f%% implausible", f.Name, weighted, hr)
			}
		}
	}
}

// TestMaxmemRuns smoke-tests maxmem under every policy: it must hold about
// as many entries as asked.
func TestMaxmemRuns(t *testing.T) {
	reqs := zipfTrace(50_000, 5000, 11)
	exact := Replay(NewLRU(500), reqs).HitRatio()
	for _, p := range MaxmemPolicies {
		f := MaxmemFactory(p)
		c, err := f.New(Spec{Capacity: 500, Items: 500, Seed: 1})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		hr := Replay(c, reqs).HitRatio()
		n := c.(*maxmemCache).c.Len()
		c.Close()
		t.Logf("%-16s %.2f%% (exact LRU %.2f%%), %d entries", p, hr, exact, n)
		if n > 500 || n < 400 {
			t.Errorf("%s: holds %d entries for a 500-entry budget", p, n)
		}
	}
}

// TestMaxmemLRUTracksExactLRU replays two Zipf traces at three sizes
// (entry-counted: on weighted traces maxmem charges its overhead on top of
// each object, so exact LRU is not its reference): maxmem's allkeys-lru
// must be within half a point of exact LRU's hit ratio in every cell.
func TestMaxmemLRUTracksExactLRU(t *testing.T) {
	for _, seed := range []uint64{11, 12} {
		reqs := zipfTrace(50_000, 5000, seed)
		for _, capacity := range []int64{100, 500, 2000} {
			c, err := MaxmemFactory("allkeys-lru").New(Spec{Capacity: capacity, Items: capacity, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			exact, got := Replay(NewLRU(capacity), reqs).HitRatio(), Replay(c, reqs).HitRatio()
			c.Close()
			if d := got - exact; d < -0.5 || d > 0.5 {
				t.Errorf("trace %d, capacity %d: allkeys-lru %.2f%%, exact LRU %.2f%%", seed, capacity, got, exact)
			}
		}
	}
}

// TestMaxmemCheckBudget replays a byte-weighted trace through every policy:
// the peak stays within the budget, and the check reports a budget the
// peak passed.
func TestMaxmemCheckBudget(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 1))
	reqs := zipfTrace(20_000, 2000, 13)
	for i := range reqs {
		reqs[i].Size = 1 + int64(reqs[i].Key*7919%4096) + int64(r.IntN(2))
	}
	for _, p := range MaxmemPolicies {
		c, err := MaxmemFactory(p).New(Spec{Capacity: 256 << 10, Weighted: true, Seed: 1})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		Replay(c, reqs)
		m := c.(*maxmemCache)
		if err := m.CheckBudget(); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		peak := m.c.Stats().UsedMemoryPeak
		if peak < m.budget/2 {
			t.Errorf("%s: peak %d of %d: the trace did not fill the cache", p, peak, m.budget)
		}
		m.budget = peak - 1
		if m.CheckBudget() == nil {
			t.Errorf("%s: a peak above the budget passed the check", p)
		}
		c.Close()
	}
}

// TestRedisSamples: both sampled-LRU references are listed by name, and
// 10 samples evict closer to exact LRU than 5 on a Zipf trace (the pool
// sees more candidates, so it finds an idler key).
func TestRedisSamples(t *testing.T) {
	names := map[string]bool{}
	for _, f := range References() {
		names[f.Name] = true
	}
	if !names[RedisLRU5] || !names[RedisLRU10] {
		t.Fatalf("references %v lack %q or %q", names, RedisLRU5, RedisLRU10)
	}
	reqs := zipfTrace(100_000, 5000, 13)
	for _, capacity := range []int64{100, 1000} {
		exact := Replay(NewLRU(capacity), reqs).HitRatio()
		five := Replay(NewRedis(SampledLRU, capacity, DefaultSamples, 1), reqs).HitRatio()
		ten := Replay(NewRedis(SampledLRU, capacity, RecommendedSamples, 1), reqs).HitRatio()
		if math.Abs(ten-exact) >= math.Abs(five-exact) {
			t.Errorf("@%d: exact LRU %.2f, 5 samples %.2f, 10 samples %.2f: 10 should be closer", capacity, exact, five, ten)
		}
	}
}
