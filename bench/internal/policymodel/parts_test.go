package policymodel

import (
	"math/rand/v2"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

func TestSketchCountsSaturatesAndHalves(t *testing.T) {
	var s sketch
	s.resize(1000, maxmemSketch)
	h := mix64(42)
	for want := 1; want <= 20; want++ {
		s.increment(h)
		if got := s.estimate(h); got != min(want, 15) {
			t.Fatalf("after %d increments: estimate %d", want, got)
		}
	}
	s.halve()
	if got := s.estimate(h); got != 7 {
		t.Errorf("after halving 15: %d, want 7", got)
	}
	s.add(h, 3)
	if got := s.estimate(h); got != 10 {
		t.Errorf("add 3 to 7: %d", got)
	}
}

// TestSketchPeriod: the table halves after aging × capacity increments.
func TestSketchPeriod(t *testing.T) {
	var s sketch
	s.resize(100, sketchOptions{perEntry: 2, aging: 2})
	r := rand.New(rand.NewPCG(1, 2))
	halvings := 0
	for range 10_000 {
		if s.increment(r.Uint64()) {
			halvings++
		}
	}
	// Each halving halves the additions too, so a period after the first
	// takes half the increments: about 1 + (10000-200)/100 halvings.
	if halvings < 90 || halvings > 110 {
		t.Errorf("%d halvings in 10,000 increments of a period of 200", halvings)
	}
}

// TestConservativeUpdate: a key sharing counters with a hot one is
// estimated lower when only the minimal counters are raised.
func TestConservativeUpdate(t *testing.T) {
	errs := map[bool]int{}
	for _, cu := range []bool{false, true} {
		var s sketch
		s.resize(64, sketchOptions{perEntry: 1, aging: 1000, conservative: cu})
		r := rand.New(rand.NewPCG(5, 6))
		keys := make([]uint64, 200)
		for i := range keys {
			keys[i] = r.Uint64()
		}
		for i := range 2000 {
			s.increment(keys[i%len(keys)/(1+i%7)])
		}
		for _, k := range keys[100:] {
			errs[cu] += s.estimate(k)
		}
	}
	if errs[true] >= errs[false] {
		t.Errorf("conservative update estimates the rare keys at %d in all, plain at %d", errs[true], errs[false])
	}
}

func TestSketchLayout(t *testing.T) {
	for _, tc := range []struct {
		capacity int
		o        sketchOptions
		bytes    int64
	}{
		{1, maxmemSketch, 8},
		{16, maxmemSketch, 32},
		{1000, maxmemSketch, 2048},
		{1000, sketchOptions{perEntry: 1}, 1024},
		{10, sketchOptions{perEntry: 1, minBytes: 64}, 64},
	} {
		if got := sketchBytes(tc.capacity, tc.o); got != tc.bytes {
			t.Errorf("capacity %d, %+v: %d bytes, want %d", tc.capacity, tc.o, got, tc.bytes)
		}
	}
}

func TestDoorkeeper(t *testing.T) {
	var d doorkeeper
	d.resize(100, 8)
	if got := doorkeeperBytes(100, 8); got != 128 || len(d.words)*8 != 128 {
		t.Fatalf("100 entries at 8 bits: %d bytes, %d words", got, len(d.words))
	}
	h := mix64(7)
	if d.contains(h) || d.add(h) || !d.contains(h) || !d.add(h) {
		t.Fatal("a first add must report absent, a second present")
	}
	d.clear()
	if d.contains(h) {
		t.Error("clear kept a key")
	}
}

// TestGhostList: ghosts are charged while kept and trimmed oldest first.
func TestGhostList(t *testing.T) {
	c := newCache(Config{Budget: 1000, Overhead: DefaultOverhead})
	g := newGhostList(c)
	for k := range uint64(5) {
		g.push(k, 52)
	}
	if c.PolicyBytes() != 5*ghostBytes || g.bytes != 5*52 {
		t.Fatalf("5 ghosts: policy bytes %d, ghost bytes %d", c.PolicyBytes(), g.bytes)
	}
	g.trim(3)
	if g.contains(0) || g.contains(1) || !g.contains(2) || g.n != 3 {
		t.Error("trim did not drop the two oldest ghosts")
	}
	if !g.remove(3) || g.remove(3) || c.PolicyBytes() != 2*ghostBytes {
		t.Errorf("remove: policy bytes %d", c.PolicyBytes())
	}
}

// fill writes keys [from, to) into c as misses, then reads each
// reads times.
func fill(c *Cache, from, to uint64, reads int) {
	for k := from; k < to; k++ {
		if !c.Get(k) {
			c.Set(k, 1)
		}
	}
	for range reads {
		for k := from; k < to; k++ {
			c.Get(k)
		}
	}
}

// TestScanResistance: a scan of one-hit keys ten times the cache leaves
// most of a hot set read before it in place under S3-FIFO and the TinyLFU
// baseline, and none under LRU.
func TestScanResistance(t *testing.T) {
	for _, tc := range []struct {
		p    Policy
		keep int
	}{{s3fifoPolicy("s3fifo", 0.1), 40}, {mustPolicy(t, "tinylfu"), 30}, {LRU, 0}} {
		c := tc.p.New(Config{Budget: 100 * 52, Overhead: DefaultOverhead})
		fill(c, 0, 50, 3)
		fill(c, 1000, 2000, 0)
		kept := 0
		for k := range uint64(50) {
			if c.Contains(k) {
				kept++
			}
		}
		if tc.keep > 0 && kept < tc.keep || tc.keep == 0 && kept != 0 {
			t.Errorf("%s kept %d of 50 hot keys after the scan", tc.p.Name, kept)
		}
	}
}

// mustPolicy returns the named policy or fails.
func mustPolicy(t *testing.T, name string) Policy {
	t.Helper()
	p, ok := Lookup(name)
	if !ok {
		t.Fatalf("no policy %s", name)
	}
	return p
}

// TestARCGhostHitRaisesTarget: a miss on a key T1 evicted raises T1's
// target and the key enters T2; a miss on a key T2 evicted lowers it.
func TestARCGhostHitRaisesTarget(t *testing.T) {
	c := ARC.New(Config{Budget: 10 * 52, Overhead: DefaultOverhead})
	a := c.pol.(*arc)
	fill(c, 0, 5, 1)     // keys 0-4 in T2
	fill(c, 100, 130, 0) // T1 turns over, its evictions become B1 ghosts
	k, ok := ghostOf(a.b1, 100, 130)
	if !ok {
		t.Fatal("no B1 ghost")
	}
	c.Get(k)
	if a.p <= 0 {
		t.Fatalf("B1 hit left p at %v", a.p)
	}
	c.Set(k, 1)
	if !c.Contains(k) || c.ents[c.index[k]].list != arcT2 {
		t.Fatal("a B1 ghost hit did not enter T2")
	}
	before := a.p
	fill(c, 200, 260, 0) // T1 now has room to grow: T2's entries leave for B2
	k, ok = ghostOf(a.b2, 0, 5)
	if !ok {
		t.Fatal("no B2 ghost")
	}
	c.Get(k)
	if a.p >= before {
		t.Errorf("B2 hit left p at %v (was %v)", a.p, before)
	}
}

// ghostOf returns a key in [from, to) that has a ghost in g.
func ghostOf(g *ghostList, from, to uint64) (uint64, bool) {
	for k := from; k < to; k++ {
		if g.contains(mix64(k)) {
			return k, true
		}
	}
	return 0, false
}

// TestSwitchGivesThePolicyItsMemory: a full cache of same-size values
// switched from LRU to maxmem's tinylfu gets no sketch (each eviction frees
// one entry, which the next write takes); with evictForSketch the switch
// evicts for the sketch, which the budget then holds.
func TestSwitchGivesThePolicyItsMemory(t *testing.T) {
	for _, tc := range []struct {
		o      tinyOptions
		sketch bool
	}{{maxmemTiny, false}, {with(maxmemTiny, func(o *tinyOptions) { o.freq.evictForSketch = true }), true}} {
		c := LRU.New(Config{Budget: 1000 * 52, Overhead: DefaultOverhead})
		fill(c, 0, 5000, 0)
		c.Switch(tinyPolicy("t", "", tc.o))
		fill(c, 5000, 7000, 0)
		if got := c.PolicyBytes() > 0; got != tc.sketch {
			t.Errorf("evictForSketch %v: policy bytes %d", tc.o.freq.evictForSketch, c.PolicyBytes())
		}
		if c.Used() > c.Budget() || c.Used() != c.charges()+c.PolicyBytes() {
			t.Errorf("used %d, budget %d, charges %d + policy %d", c.Used(), c.Budget(), c.charges(), c.PolicyBytes())
		}
	}
}

// TestClimberFollowsTheHitRatio: the window keeps moving while the hit
// ratio rises, and turns back when it falls.
func TestClimberFollowsTheHitRatio(t *testing.T) {
	c := newClimber(maxmemClimber)
	c.startPeriod(10) // the first period: nothing to compare yet
	rates := []int{50, 52, 54, 40}
	var windows []float64
	for _, hits := range rates {
		c.count(hits, 100)
		c.startPeriod(10)
		windows = append(windows, c.window)
	}
	if !(windows[1] < windows[0] || windows[0] == 0) || windows[3] <= windows[2] {
		t.Errorf("windows %v for hit ratios %v: want shrinking while rising, then growing", windows, rates)
	}
}

// replayModel replays reqs through a new cache under p with n entries'
// bytes and returns the hit ratio and the cache.
func replayModel(p Policy, n int64, reqs []trace.Request) (float64, *Cache) {
	c := p.New(Config{Budget: n * (DefaultOverhead + 1), Overhead: DefaultOverhead})
	return sim.Replay(c, reqs).HitRatio(), c
}

// TestGhostHintGrowsTheWindow: on recency-biased traffic the hint takes
// the window far beyond where the climber alone leaves it, and the hit
// ratio with it; on a loop one entry longer than a hundredth of the cache,
// where rejected candidates come back as ghosts every round, the guard
// keeps the window small and the loop cached.
func TestGhostHintGrowsTheWindow(t *testing.T) {
	without := tinyPolicy("aging5", "", stepAging)
	reqs := mustGen(t, "recency-flat", 400)
	hw, cw := replayModel(Recommended, 400, reqs)
	h, c := replayModel(without, 400, reqs)
	ww, w := cw.pol.(*tinyLFU).climb.window, c.pol.(*tinyLFU).climb.window
	if ww < 2*w || hw <= h {
		t.Errorf("recency-flat@400: with the hint window %.3f, %.2f %%; without %.3f, %.2f %%", ww, hw, w, h)
	}
	loop := make([]trace.Request, 300_000)
	for i := range loop {
		loop[i] = trace.Request{Key: uint64(i % 1010), Size: 1}
	}
	if h, _ := replayModel(Recommended, 1000, loop); h < 90 {
		t.Errorf("loop of 1010 keys in 1000 entries: %.2f %%", h)
	}
}
