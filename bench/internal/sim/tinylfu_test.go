package sim

import (
	"math/rand/v2"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/trace"
)

func TestSketchCountsAndAges(t *testing.T) {
	s := newSketch(1000, 8, 10, false)
	if s.Bytes() != 8000 {
		t.Fatalf("Bytes = %d, want 8000", s.Bytes())
	}
	h := mixHash(42, 1)
	for i := range 20 {
		if got, want := s.Estimate(h), min(i, 15); got != want {
			t.Fatalf("after %d increments Estimate = %d, want %d", i, got, want)
		}
		s.Increment(h)
	}
	if s.Estimate(h) != 15 {
		t.Fatalf("counter does not saturate at 15: %d", s.Estimate(h))
	}
	// Unseen keys mostly estimate 0 in a lightly loaded sketch.
	zero := 0
	for k := range uint64(1000) {
		if s.Estimate(mixHash(k+1000, 1)) == 0 {
			zero++
		}
	}
	if zero < 990 {
		t.Fatalf("only %d of 1000 unseen keys estimate 0", zero)
	}
	s.reset()
	if s.Estimate(h) != 7 {
		t.Fatalf("after reset Estimate = %d, want 7", s.Estimate(h))
	}
}

func TestSketchResetsAfterSample(t *testing.T) {
	s := newSketch(100, 8, 10, false) // sample 1000 increments
	hot := mixHash(7, 1)
	for range 10 {
		s.Increment(hot)
	}
	for k := range uint64(1200) {
		s.Increment(mixHash(k+100, 1))
	}
	if got := s.Estimate(hot); got >= 10 {
		t.Fatalf("hot key not aged: %d", got)
	}
}

func TestSketchConservativeNeverUnderestimates(t *testing.T) {
	for _, cons := range []bool{false, true} {
		s := newSketch(64, 2, 1000, cons)
		counts := map[uint64]int{}
		r := rand.New(rand.NewPCG(1, 2))
		for range 3000 {
			k := r.Uint64N(500)
			counts[k]++
			s.Increment(mixHash(k, 3))
		}
		for k, n := range counts {
			if got := s.Estimate(mixHash(k, 3)); got < min(n, 15) {
				t.Fatalf("conservative=%v: key %d seen %d times, estimate %d", cons, k, n, got)
			}
		}
	}
}

// weightedTrace returns n requests over keys drawn from a Zipf law, each key
// with a fixed size in [1, 50].
func weightedTrace(n int, keys uint64, seed uint64) []trace.Request {
	out := zipfTrace(n, keys, seed)
	for i := range out {
		out[i].Size = int64(mixHash(out[i].Key, 9)%50) + 1
	}
	return out
}

// checkInvariants verifies the accounting of every shard.
func checkInvariants(t *testing.T, c *TinyLFU) {
	t.Helper()
	var used int64
	for _, s := range c.shards {
		var total int64
		n := 0
		for q := range s.lists {
			var w int64
			for i := s.lists[q].head; i >= 0; i = s.nodes[i].next {
				if s.nodes[i].queue != uint8(q) {
					t.Fatalf("node in list %d has queue %d", q, s.nodes[i].queue)
				}
				w += s.nodes[i].size
				n++
			}
			if w != s.lists[q].weight {
				t.Fatalf("list %d weight %d, counted %d", q, s.lists[q].weight, w)
			}
			total += w
		}
		if n != len(s.index) {
			t.Fatalf("lists hold %d nodes, index %d", n, len(s.index))
		}
		used += total
	}
	if used != c.used {
		t.Fatalf("used %d, counted %d", c.used, used)
	}
}

func TestTinyLFUNeverExceedsCapacity(t *testing.T) {
	for _, shards := range []int{1, 8} {
		for _, weighted := range []bool{false, true} {
			reqs := zipfTrace(30_000, 5000, 3)
			capacity, items := int64(500), int64(500)
			if weighted {
				reqs = weightedTrace(30_000, 5000, 3)
				capacity, items = 10_000, 400
			}
			cfg := DefaultTinyLFU()
			cfg.Shards = shards
			c := NewTinyLFU(cfg, capacity, items, weighted)
			if c.Capacity() >= capacity || c.SketchBytes == 0 {
				t.Fatalf("sketch (%d bytes) not charged: capacity %d of %d", c.SketchBytes, c.Capacity(), capacity)
			}
			for i, r := range reqs {
				if !c.Get(r.Key) {
					c.Set(r.Key, r.Size)
				}
				if c.Used() > c.Capacity() {
					t.Fatalf("shards %d weighted %v: request %d: used %d > capacity %d", shards, weighted, i, c.Used(), c.Capacity())
				}
				if i%5000 == 0 {
					checkInvariants(t, c)
				}
			}
			checkInvariants(t, c)
			if c.Used() < c.Capacity()*9/10 {
				t.Errorf("shards %d weighted %v: only %d of %d used", shards, weighted, c.Used(), c.Capacity())
			}
		}
	}
}

func TestTinyLFUDeterministic(t *testing.T) {
	reqs := weightedTrace(20_000, 3000, 5)
	run := func(seed uint64) Result {
		cfg := DefaultTinyLFU()
		cfg.Shards, cfg.Seed = 8, seed
		return Replay(NewTinyLFU(cfg, 5000, 200, true), reqs)
	}
	a, b := run(1), run(1)
	if a != b {
		t.Fatalf("same seed, different results: %+v vs %+v", a, b)
	}
}

func TestTinyLFUOversizedEntryIgnored(t *testing.T) {
	cfg := DefaultTinyLFU()
	cfg.ChargeSketch = false
	c := NewTinyLFU(cfg, 100, 10, true)
	c.Set(1, 40)
	c.Set(2, 101)
	if c.Get(2) || !c.Get(1) || c.Used() != 40 {
		t.Fatalf("oversized entry disturbed the cache: used %d", c.Used())
	}
}

// TestTinyLFUScanResistant: a hot set survives a long scan of one-hit keys,
// which an LRU of the same size loses.
func TestTinyLFUScanResistant(t *testing.T) {
	cfg := DefaultTinyLFU()
	cfg.ChargeSketch = false
	c := NewTinyLFU(cfg, 100, 100, false)
	var reqs []trace.Request
	for round := range 20 {
		for k := range uint64(50) {
			reqs = append(reqs, trace.Request{Key: k, Size: 1})
		}
		for k := range uint64(200) {
			reqs = append(reqs, trace.Request{Key: 1000 + uint64(round)*200 + k, Size: 1})
		}
	}
	got := Replay(c, reqs)
	lru := Replay(NewLRU(100), reqs)
	if got.Hits <= lru.Hits+500 {
		t.Fatalf("W-TinyLFU %d hits, LRU %d: not scan resistant", got.Hits, lru.Hits)
	}
}
