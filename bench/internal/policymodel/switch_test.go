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
