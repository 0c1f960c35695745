package maxmem

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
