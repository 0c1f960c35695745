package policymodel

import (
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/gen"
	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// zipfTrace returns n requests over keys drawn from a Zipf law, with sizes
// from 1 to maxSize.
func zipfTrace(n int, keys, maxSize uint64, seed uint64) []trace.Request {
	r := rand.New(rand.NewPCG(seed, 1))
	z := rand.NewZipf(r, 1.1, 1, keys-1)
	out := make([]trace.Request, n)
	for i := range out {
		k := z.Uint64()
		out[i] = trace.Request{Key: k, Size: int64(1 + mix64(k)%maxSize)}
	}
	return out
}

// replay runs reqs through a cache made by f for spec.
func replay(t *testing.T, f sim.Factory, s sim.Spec, reqs []trace.Request) sim.Result {
	t.Helper()
	c, err := f.New(s)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return sim.Replay(c, reqs)
}

// TestLRUEqualsExactLRU: the model's LRU, given N entries' bytes, hits
// exactly where the simulator's exact LRU of N entries does; with no
// overhead it equals the byte-bounded exact LRU on weighted traffic.
func TestLRUEqualsExactLRU(t *testing.T) {
	traces := map[string][]trace.Request{
		"zipf":        zipfTrace(100_000, 5000, 1, 7),
		"recency-log": mustGen(t, "recency-log", 100),
	}
	for name, reqs := range traces {
		for _, n := range []int64{1, 10, 100, 1000} {
			got := replay(t, Factory(LRU, DefaultOverhead, true), sim.Spec{Capacity: n}, reqs)
			if want := sim.Replay(sim.NewLRU(n), reqs); got != want {
				t.Errorf("%s@%d: model LRU %+v, exact LRU %+v", name, n, got, want)
			}
		}
	}
	reqs := zipfTrace(100_000, 5000, 1000, 8)
	for _, capacity := range []int64{500, 50_000, 500_000} {
		got := replay(t, Factory(LRU, 0, true), sim.Spec{Capacity: capacity, Weighted: true}, reqs)
		if want := sim.Replay(sim.NewLRU(capacity), reqs); got != want {
			t.Errorf("weighted@%d: model LRU %+v, exact LRU %+v", capacity, got, want)
		}
	}
}

// mustGen returns a generator's requests for capacity entries.
func mustGen(t *testing.T, name string, capacity int) []trace.Request {
	t.Helper()
	g, ok := gen.Lookup(name)
	if !ok {
		t.Fatalf("no generator %s", name)
	}
	return g.Requests(capacity)
}

// TestBudgetHolds: under every policy, on weighted and entry-count
// traffic, the entries' charges plus the policy's memory never exceed the
// budget, and what the cache counts as used is exactly that sum.
func TestBudgetHolds(t *testing.T) {
	reqs := zipfTrace(30_000, 3000, 2000, 9)
	for _, p := range Policies() {
		for _, cfg := range []Config{
			{Budget: 300 * 52, Overhead: DefaultOverhead},
			{Budget: 200_000, Overhead: DefaultOverhead, Weighted: true},
			{Budget: 2_000, Overhead: DefaultOverhead, Weighted: true},
		} {
			c := p.New(cfg)
			for i, r := range reqs {
				if !c.Get(r.Key) {
					c.Set(r.Key, r.Size)
				}
				if c.Used() > c.Budget() {
					t.Fatalf("%s %+v: request %d: used %d > budget %d", p.Name, cfg, i, c.Used(), c.Budget())
				}
			}
			if sum := c.charges() + c.PolicyBytes(); sum != c.Used() {
				t.Errorf("%s %+v: used %d, charges + policy %d", p.Name, cfg, c.Used(), sum)
			}
		}
	}
}

// charges sums the resident entries' charges.
func (c *Cache) charges() int64 {
	var sum int64
	for _, i := range c.index {
		sum += c.ents[i].charge
	}
	return sum
}

// tracesDir is where the real traces are: $HITRATIO_TRACES or the
// repository's default.
func tracesDir() string {
	if d := os.Getenv("HITRATIO_TRACES"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "..", "shared", "traces")
}

// loadTrace reads a real trace, or skips the test when traces are absent.
func loadTrace(t *testing.T, name string) []trace.Request {
	t.Helper()
	entries, err := trace.LoadSources(tracesDir())
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no traces in %s (set HITRATIO_TRACES): %v", tracesDir(), err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name == name {
			reqs, err := trace.ReadAll(filepath.Join(tracesDir(), e.File), e.Format)
			if err != nil {
				t.Fatal(err)
			}
			return reqs
		}
	}
	t.Fatalf("no trace %s", name)
	return nil
}

// TestTinyLFUReproducesMaxmem: on single-shard cells, tinylfu-buffered
// gives maxmem's allkeys-tinylfu figures of bench/hitratio.md (the
// 2026-11-29 run), both with the policy's memory beside N entries and
// inside them; tinylfu, without the read buffering, stays within 2 points
// (its climber's periods end at other requests, and a climber's path
// depends on small differences).
func TestTinyLFUReproducesMaxmem(t *testing.T) {
	buffered, _ := Lookup("tinylfu-buffered")
	plain, _ := Lookup("tinylfu")
	for _, tc := range []struct {
		trace           string
		size            int64
		beside, insideN float64
	}{
		{"gli", 250, 14.76, 14.85},
		{"loop", 250, 19.96, 20.67},
		{"multi1", 26, 14.41, 13.09},
		{"cs", 280, 15.97, 15.62},
		{"OLTP", 250, 24.03, 22.63},
	} {
		reqs := loadTrace(t, tc.trace)
		for _, inside := range []bool{false, true} {
			want := map[bool]float64{false: tc.beside, true: tc.insideN}[inside]
			s := sim.Spec{Capacity: tc.size}
			if got := replay(t, Factory(buffered, DefaultOverhead, inside), s, reqs).HitRatio(); math.Abs(got-want) > 0.005 {
				t.Errorf("%s@%d inside=%v: tinylfu-buffered %.2f, maxmem %.2f", tc.trace, tc.size, inside, got, want)
			}
			if got := replay(t, Factory(plain, DefaultOverhead, inside), s, reqs).HitRatio(); math.Abs(got-want) > 2 {
				t.Errorf("%s@%d inside=%v: tinylfu %.2f, maxmem %.2f", tc.trace, tc.size, inside, got, want)
			}
		}
	}
}
