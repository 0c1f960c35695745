package policymodel

import (
	"fmt"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// switchedHitRatio replays the first half of reqs under exact LRU, switches
// the cache to p and returns the hit ratio of the second half, and the
// policy's bytes at the end. With p nil the cache stays under LRU;
// fresh runs p from the start.
func switchedHitRatio(p *Policy, fresh bool, n int64, reqs []trace.Request) (float64, int64) {
	cfg := Config{Budget: n * (DefaultOverhead + 1), Overhead: DefaultOverhead}
	start := LRU
	if fresh {
		start = *p
	}
	c := start.New(cfg)
	half := len(reqs) / 2
	sim.Replay(c, reqs[:half])
	if p != nil && !fresh {
		c.Switch(*p)
	}
	return sim.Replay(c, reqs[half:]).HitRatio(), c.PolicyBytes()
}

// TestSwitchHitRatio is the run-time switch: a full cache of
// same-size values under LRU switched to maxmem's tinylfu keeps no sketch,
// and does no better than LRU where a cache created with tinylfu does 5
// points better; the recommended design evicts for its sketch and ghosts
// and recovers most of that. Run with -v for the figures.
func TestSwitchHitRatio(t *testing.T) {
	const n = 2000
	reqs := mustGen(t, "scan-mixed", n)
	tiny := mustPolicy(t, "tinylfu")
	lruHit, _ := switchedHitRatio(nil, false, n, reqs)
	rows := []struct {
		name   string
		p      *Policy
		fresh  bool
		hit    float64
		policy int64
	}{
		{name: "tinylfu, created with it", p: &tiny, fresh: true},
		{name: "tinylfu, switched to", p: &tiny},
		{name: Recommended.Name + ", created with it", p: &Recommended, fresh: true},
		{name: Recommended.Name + ", switched to", p: &Recommended},
	}
	fmt.Printf("scan-mixed@%d, second half: LRU %.2f %%\n", n, lruHit)
	for i := range rows {
		r := &rows[i]
		r.hit, r.policy = switchedHitRatio(r.p, r.fresh, n, reqs)
		fmt.Printf("  %-36s %.2f %% (policy memory %d B)\n", r.name, r.hit, r.policy)
	}
	if rows[1].policy != 0 || rows[1].hit > lruHit+1 || rows[0].hit < lruHit+5 {
		t.Errorf("maxmem's switch: %d policy bytes, %.2f %%, LRU %.2f, created with it %.2f: the issue's bug is not reproduced",
			rows[1].policy, rows[1].hit, lruHit, rows[0].hit)
	}
	if rows[3].policy == 0 || rows[3].hit < rows[2].hit-3 || rows[3].hit < rows[1].hit+3 {
		t.Errorf("recommended, switched: %.2f %% with %d policy bytes; created with it: %.2f %%", rows[3].hit, rows[3].policy, rows[2].hit)
	}
}

// TestGhostShares measures the ghost hint's signal: the share of misses
// whose key is a rejected candidate's ghost, under the recommended design,
// is at most 1 % on frequency and loop traffic (OLTP: under 2 %) and at
// least 2 % on recency-biased traffic. Run with -v for the figures; the
// real traces are skipped when absent.
func TestGhostShares(t *testing.T) {
	type load func() []trace.Request
	real := func(name string) load { return func() []trace.Request { return loadTrace(t, name) } }
	synth := func(name string, n int) load { return func() []trace.Request { return mustGen(t, name, n) } }
	const frequency, recency = 1.0, 2.0 // the bounds of the two classes
	for _, tc := range []struct {
		name   string
		size   int64
		reqs   load
		lo, hi float64
	}{
		{"loop-1.05x", 2000, synth("loop-1.05x", 2000), 0, frequency},
		{"recency-log", 2000, synth("recency-log", 2000), recency, 100},
		{"recency-flat", 2000, synth("recency-flat", 2000), recency, 100},
		{"shift-2x", 2000, synth("shift-2x", 2000), recency, 100},
		{"gli", 1000, real("gli"), 0, frequency},
		{"cs", 280, real("cs"), 0, frequency},
		{"loop", 500, real("loop"), 0, frequency},
		{"multi2", 570, real("multi2"), 0, frequency},
		{"zipf_1.0", 100, real("zipf_1.0"), 0, frequency},
		{"OLTP", 1000, real("OLTP"), 0, 2},
		{"sprite", 710, real("sprite"), recency, 100},
		{"web07", 2000, real("web07"), recency, 100},
		{"vaultservice", 4500, real("vaultservice"), recency, 100},
	} {
		share := ghostShare(tc.reqs(), tc.size)
		fmt.Printf("%-13s @%-5d %5.2f %% of misses find a ghost\n", tc.name, tc.size, share)
		if share < tc.lo || share > tc.hi {
			t.Errorf("%s@%d: %.2f %% of misses find a ghost", tc.name, tc.size, share)
		}
	}
}

// ghostShare replays reqs under the recommended design with n entries'
// bytes and returns the share of misses, in percent, whose key was a
// rejected candidate's ghost.
func ghostShare(reqs []trace.Request, n int64) float64 {
	c := Recommended.New(Config{Budget: n * (DefaultOverhead + 1), Overhead: DefaultOverhead})
	rejected := c.pol.(*tinyLFU).rejected
	misses, ghosts := 0, 0
	for _, r := range reqs {
		if c.Get(r.Key) {
			continue
		}
		misses++
		if rejected.contains(mix64(r.Key)) {
			ghosts++
		}
		c.Set(r.Key, r.Size)
	}
	return 100 * float64(ghosts) / float64(max(misses, 1))
}
