package gen

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// nsOf returns the namespace of a key.
func nsOf(k uint64) namespace { return namespace(k >> 56) }

// phaseOf returns the phase bits of a key.
func phaseOf(k uint64) int { return int(k >> 28 & (1<<28 - 1)) }

// mustLookup returns the named generator or fails.
func mustLookup(t *testing.T, name string) Generator {
	t.Helper()
	g, ok := Lookup(name)
	if !ok {
		t.Fatalf("no generator %q", name)
	}
	return g
}

// lruHit replays reqs through an exact LRU of capacity entries.
func lruHit(reqs []trace.Request, capacity int64) float64 {
	return sim.Replay(sim.NewLRU(capacity), reqs).HitRatio()
}

func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range All() {
		if g.Name == "" || g.About == "" || g.build == nil {
			t.Errorf("incomplete generator %+v", g.Name)
		}
		if seen[g.Name] {
			t.Errorf("duplicate name %s", g.Name)
		}
		seen[g.Name] = true
		if got, ok := Lookup(g.Name); !ok || got.Name != g.Name {
			t.Errorf("Lookup(%s) = %v, %v", g.Name, got.Name, ok)
		}
	}
	if _, ok := Lookup("no-such"); ok {
		t.Error("Lookup found an unknown name")
	}
	if len(Sizes) != 8 || slices.Max(Sizes) != 40000 || Sizes[2] > 100 {
		t.Errorf("Sizes = %v: want 8, three of at most 100 entries, up to 40,000", Sizes)
	}
}

func TestLength(t *testing.T) {
	for _, tc := range []struct{ capacity, want int }{
		{1, minLength}, {4000, minLength}, {8000, 400_000}, {40000, maxLength}, {1 << 20, maxLength},
	} {
		if got := Length(tc.capacity); got != tc.want {
			t.Errorf("Length(%d) = %d, want %d", tc.capacity, got, tc.want)
		}
	}
}

// TestDeterministic: the same capacity gives the same stream, another
// capacity another one; every request has size 1.
func TestDeterministic(t *testing.T) {
	for _, g := range All() {
		a, b, other := g.Requests(100), g.Requests(100), g.Requests(101)
		if len(a) != Length(100) || !slices.Equal(a, b) {
			t.Errorf("%s: two streams for 100 entries differ", g.Name)
		}
		if slices.Equal(a[:1000], other[:1000]) {
			t.Errorf("%s: 100 and 101 entries start alike", g.Name)
		}
		for _, r := range a {
			if r.Size != 1 {
				t.Fatalf("%s: request of size %d", g.Name, r.Size)
			}
		}
	}
}

// TestShifting: the hot set's phase is the request's index over the
// period, so no key outlives its phase.
func TestShifting(t *testing.T) {
	for _, tc := range []struct {
		name   string
		period int
	}{{"shift-0.5x", 50}, {"shift-2x", 200}, {"shift-10x", 1000}} {
		for i, r := range mustLookup(t, tc.name).Requests(100) {
			if nsOf(r.Key) != nsHot || phaseOf(r.Key) != i/tc.period {
				t.Fatalf("%s: request %d has key %x, want phase %d", tc.name, i, r.Key, i/tc.period)
			}
		}
	}
}

// TestShiftScanIssueCase: at 40,000 entries, 150,000 hot-set requests,
// then 30,000 one-hit keys, then the hot set moves.
func TestShiftScanIssueCase(t *testing.T) {
	reqs := mustLookup(t, "shift-scan").Requests(40000)
	if len(reqs) != 2_000_000 {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, r := range reqs {
		j, cycle := i%180_000, i/180_000
		want := nsHot
		if j >= 150_000 {
			want = nsScan
		}
		if nsOf(r.Key) != want || want == nsHot && phaseOf(r.Key) != cycle {
			t.Fatalf("request %d: key %x, want namespace %d, phase %d", i, r.Key, want, cycle)
		}
	}
	assertOneHit(t, reqs)
}

// assertOneHit fails if a scan key appears twice.
func assertOneHit(t *testing.T, reqs []trace.Request) {
	t.Helper()
	seen := map[uint64]bool{}
	for _, r := range reqs {
		if nsOf(r.Key) == nsScan {
			if seen[r.Key] {
				t.Fatalf("scan key %x requested twice", r.Key)
			}
			seen[r.Key] = true
		}
	}
}

func TestScanBurst(t *testing.T) {
	reqs := mustLookup(t, "scan-burst").Requests(100)
	for i, r := range reqs {
		if want := map[bool]namespace{true: nsHot, false: nsScan}[i%500 < 400]; nsOf(r.Key) != want {
			t.Fatalf("request %d in namespace %d, want %d", i, nsOf(r.Key), want)
		}
	}
	assertOneHit(t, reqs)
}

// shares returns the fraction of requests in each namespace.
func shares(reqs []trace.Request) map[namespace]float64 {
	out := map[namespace]float64{}
	for _, r := range reqs {
		out[nsOf(r.Key)] += 1 / float64(len(reqs))
	}
	return out
}

func TestScanMixedAndBlendShares(t *testing.T) {
	for _, tc := range []struct {
		name string
		want map[namespace]float64
	}{
		{"scan-mixed", map[namespace]float64{nsHot: 0.7, nsScan: 0.3}},
		{"mix-blend", map[namespace]float64{nsHot: 0.5, nsStack: 0.25, nsScan: 0.25}},
	} {
		reqs := mustLookup(t, tc.name).Requests(100)
		got := shares(reqs)
		if len(got) != len(tc.want) {
			t.Errorf("%s: namespaces %v, want %v", tc.name, got, tc.want)
		}
		for ns, w := range tc.want {
			if math.Abs(got[ns]-w) > 0.01 {
				t.Errorf("%s: namespace %d has %.3f of requests, want %.2f", tc.name, ns, got[ns], w)
			}
		}
		assertOneHit(t, reqs)
	}
}

// TestLoops: a loop of round(f × capacity) keys, which an LRU of the
// cache's size never hits and an LRU of the loop's size always does.
func TestLoops(t *testing.T) {
	for _, tc := range []struct {
		name       string
		capacity   int64
		loopLength int
	}{{"loop-1.05x", 100, 105}, {"loop-1.2x", 100, 120}, {"loop-1.05x", 16, 17}, {"loop-1.2x", 40000, 48000}} {
		reqs := mustLookup(t, tc.name).Requests(int(tc.capacity))
		for i, r := range reqs {
			if r.Key != nsLoop.key(0, i%tc.loopLength) {
				t.Fatalf("%s@%d: request %d is %x", tc.name, tc.capacity, i, r.Key)
			}
		}
		if h := lruHit(reqs, tc.capacity); h != 0 {
			t.Errorf("%s@%d: LRU hits %.2f %%", tc.name, tc.capacity, h)
		}
		want := 100 * (1 - float64(tc.loopLength)/float64(len(reqs)))
		if h := lruHit(reqs, int64(tc.loopLength)); math.Abs(h-want) > 1e-9 {
			t.Errorf("%s@%d: LRU of the loop's size hits %.4f %%, want %.4f", tc.name, tc.capacity, h, want)
		}
	}
}

// TestRecencyLRUHitRatio: an LRU of the cache's size hits the requests
// whose drawn depth is at most the cache: 90 % of the log-uniform share,
// 90 % of two thirds for the flat law.
func TestRecencyLRUHitRatio(t *testing.T) {
	for _, c := range []int64{16, 100, 2000} {
		logWant := 90 * math.Log(float64(c)+1) / math.Log(float64(4*c)+1)
		for name, want := range map[string]float64{"recency-log": logWant, "recency-flat": 60} {
			if got := lruHit(mustLookup(t, name).Requests(int(c)), c); math.Abs(got-want) > 1 {
				t.Errorf("%s@%d: LRU %.2f %%, want %.2f ± 1", name, c, got, want)
			}
		}
	}
}

// TestStackMatchesNaive drives the Fenwick stack and a slice-based LRU
// stack with the same draws: they must return the same keys.
func TestStackMatchesNaive(t *testing.T) {
	const n = 5000
	s := newStack(rand.New(rand.NewPCG(1, 2)), n, 0.05, uniform(50))
	naive := []uint64{} // most recent first
	r := rand.New(rand.NewPCG(1, 2))
	fresh := 0
	for i := range n {
		d := uniform(50)(r)
		var want uint64
		if r.Float64() >= 0.05 && d <= len(naive) {
			want = naive[d-1]
			naive = slices.Delete(naive, d-1, d)
		} else {
			want = nsStack.key(0, fresh)
			fresh++
		}
		naive = slices.Insert(naive, 0, want)
		if got := s.next(); got != want {
			t.Fatalf("request %d: stack %x, naive %x", i, got, want)
		}
	}
}

// TestZipf: rank 0 is drawn with probability 1/H(n, s).
func TestZipf(t *testing.T) {
	const n, draws = 1000, 200_000
	z := newZipf(rand.New(rand.NewPCG(3, 4)), n, hotSkew)
	h := 0.0
	for i := 1; i <= n; i++ {
		h += math.Pow(float64(i), -hotSkew)
	}
	zeros := 0
	for range draws {
		r := z.rank()
		if r < 0 || r >= n {
			t.Fatalf("rank %d out of [0, %d)", r, n)
		}
		if r == 0 {
			zeros++
		}
	}
	if got, want := float64(zeros)/draws, 1/h; math.Abs(got-want) > 0.005 {
		t.Errorf("rank 0 drawn %.4f of the time, want %.4f", got, want)
	}
}

// TestMixPhases: 4 cache-sizes of each source in turn.
func TestMixPhases(t *testing.T) {
	reqs := mustLookup(t, "mix-phases").Requests(100)
	for i, r := range reqs {
		ns := nsOf(r.Key)
		ok := false
		switch i / 400 % 4 {
		case 0:
			ok = ns == nsHot
		case 1:
			ok = ns == nsLoop
		case 2:
			ok = ns == nsStack
		case 3:
			ok = ns == nsHot || ns == nsScan
		}
		if !ok {
			t.Fatalf("request %d in namespace %d", i, ns)
		}
	}
	assertOneHit(t, reqs)
}
