package tinylfu

import (
	"math"
	"testing"
)

// period feeds the climber one sample period of n requests, hits of them
// hits, and starts the next period of n.
func period(c *climber, n, hits int) {
	for i := range n {
		hit := 0
		if i < hits {
			hit = 1
		}
		if c.count(hit, 1) {
			c.startPeriod(n)
		}
	}
}

// The climber keeps moving the window the way that raised the hit ratio,
// turns back when the ratio falls, shrinks its step while the ratio is
// steady, and restarts the step after a jump of 5 points or more.
func TestClimberFollowsTheHitRatio(t *testing.T) {
	c := newClimber()
	c.startPeriod(1000) // the first period only starts counting
	period(&c, 1000, 300)
	// first period: rate 0.30 from 0 is a jump, so the step (shrink first)
	// is applied and restarts at full size.
	if c.window != 0 || c.step != -climbStep {
		t.Fatalf("after the first period: window %v, step %v", c.window, c.step)
	}
	period(&c, 1000, 200) // the ratio fell by 10 points: turn back, restart
	if math.Abs(c.window-climbStep) > 1e-12 || c.step != climbStep {
		t.Fatalf("after a fall: window %v, step %v; want %v, %v", c.window, c.step, climbStep, climbStep)
	}
	period(&c, 1000, 210) // rose by 1 point: keep going, step decays
	if math.Abs(c.window-2*climbStep) > 1e-12 || math.Abs(c.step-climbDecay*climbStep) > 1e-12 {
		t.Fatalf("after a small rise: window %v, step %v", c.window, c.step)
	}
	period(&c, 1000, 205) // fell by half a point: turn back, step decays
	if math.Abs(c.window-(2-climbDecay)*climbStep) > 1e-12 || c.step >= 0 {
		t.Fatalf("after a small fall: window %v, step %v", c.window, c.step)
	}
}

// The share stays within 0 and 1 however long the ratio keeps rising.
func TestClimberKeepsTheShareInRange(t *testing.T) {
	c := newClimber()
	c.step = climbStep
	c.startPeriod(100)
	for i := range 100 {
		period(&c, 100, i) // a rising ratio: always grow
	}
	if c.window != 1 {
		t.Fatalf("window %v after 100 rising periods, want 1", c.window)
	}
}

// hintPeriod feeds the climber one period of 1000 requests with hits of
// them hits and ghosts ghost hits, and starts the next period.
func hintPeriod(c *climber, hits, ghosts int) {
	for range ghosts {
		c.ghostHit()
	}
	period(c, 1000, hits)
}

// A period in which 1.5 % of the misses or more found a ghost grows the
// window by the step, even when the hit ratio fell; fewer ghost hits leave
// the direction to the hit ratio.
func TestGhostHintGrowsTheWindow(t *testing.T) {
	c := newClimber()
	c.startPeriod(1000)
	hintPeriod(&c, 500, 0)
	w := c.window
	hintPeriod(&c, 490, 8) // 8 of 510 misses: 1.57 %; the ratio fell a point
	if c.window <= w || !c.forced {
		t.Fatalf("ghost hits on 1.57 %% of the misses: window %v -> %v, forced %v", w, c.window, c.forced)
	}
	w = c.window
	hintPeriod(&c, 490, 7) // 7 of 510: 1.37 %; the ratio held: the last move (growth) is kept
	if c.window <= w || c.forced {
		t.Fatalf("1.37 %%, steady ratio: window %v -> %v, forced %v", w, c.window, c.forced)
	}
	w = c.window
	hintPeriod(&c, 480, 7) // 1.35 % and the ratio fell: turn back
	if c.window >= w || c.forced {
		t.Fatalf("1.35 %%, falling ratio: window %v -> %v, forced %v", w, c.window, c.forced)
	}
}

// A period with no ghost hit is never forced, even without misses.
func TestGhostHintNeedsAGhostHit(t *testing.T) {
	c := newClimber()
	c.startPeriod(1000)
	hintPeriod(&c, 1000, 0)
	hintPeriod(&c, 1000, 0)
	if c.forced || c.window > initialWindow {
		t.Fatalf("periods without misses or ghosts: window %v, forced %v", c.window, c.forced)
	}
}

// When a growth the hint forced lowered the hit ratio, the hint is off for
// hintBlock periods, then on again.
func TestGhostHintBacksOffAfterALoss(t *testing.T) {
	c := newClimber()
	c.startPeriod(1000)
	hintPeriod(&c, 900, 0)
	hintPeriod(&c, 900, 10) // forced growth
	if !c.forced {
		t.Fatal("10 ghost hits in 100 misses did not force the window")
	}
	hintPeriod(&c, 880, 10) // the forced growth cost 2 points: the hint goes off
	if c.forced || c.blocked != hintBlock-1 {
		t.Fatalf("after a forced growth lowered the ratio: forced %v, blocked %d", c.forced, c.blocked)
	}
	for i := range hintBlock - 1 {
		hintPeriod(&c, 880, 50)
		if c.forced {
			t.Fatalf("the hint forced period %d of its block", i+2)
		}
	}
	hintPeriod(&c, 880, 50)
	if !c.forced {
		t.Fatalf("the hint is still off %d periods after the loss", hintBlock+1)
	}
}
