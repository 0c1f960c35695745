package tinylfu

import (
	"math"
	"testing"
)

// period feeds the climber one sample period of n requests, hits of them
// hits, and starts the next period of n, the judge admitting no ties.
func period(c *climber, n, hits int) { hintPeriod(c, n, hits, false) }

// hintPeriod is period, the judge admitting ties or not at its end.
func hintPeriod(c *climber, n, hits int, ties bool) {
	for i := range n {
		hit := 0
		if i < hits {
			hit = 1
		}
		if c.count(hit, 1) {
			c.startPeriod(n, ties)
		}
	}
}

// The climber keeps moving the window the way that raised the hit ratio,
// turns back when the ratio falls, shrinks its step while the ratio is
// steady, and restarts the step after a jump of 5 points or more.
func TestClimberFollowsTheHitRatio(t *testing.T) {
	c := newClimber()
	c.startPeriod(1000, false) // the first period only starts counting
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
	c.startPeriod(100, false)
	for i := range 100 {
		period(&c, 100, i) // a rising ratio: always grow
	}
	if c.window != 1 {
		t.Fatalf("window %v after 100 rising periods, want 1", c.window)
	}
}

// A period that ends while the judge admits ties grows the window by at
// least hintLeap, even when the hit ratio fell; once the judge stops, the
// direction is the hit ratio's again.
func TestJudgeHintGrowsTheWindow(t *testing.T) {
	c := newClimber()
	c.startPeriod(1000, false)
	period(&c, 1000, 500)
	w := c.window
	hintPeriod(&c, 1000, 490, true) // the ratio fell a point
	if c.window < w+hintLeap || !c.forced {
		t.Fatalf("ties admitted: window %v -> %v, forced %v", w, c.window, c.forced)
	}
	w = c.window
	period(&c, 1000, 490) // the ratio held: the last move (growth) is kept
	if c.window <= w || c.forced {
		t.Fatalf("no ties, steady ratio: window %v -> %v, forced %v", w, c.window, c.forced)
	}
	w = c.window
	period(&c, 1000, 480) // the ratio fell: turn back
	if c.window >= w || c.forced {
		t.Fatalf("no ties, falling ratio: window %v -> %v, forced %v", w, c.window, c.forced)
	}
}

// With the hint off (noHint), the judge's ties change nothing.
func TestJudgeHintCanBeOff(t *testing.T) {
	off, plain := newClimber(), newClimber()
	off.noHint = true
	for _, c := range []*climber{&off, &plain} {
		c.startPeriod(1000, false)
		period(c, 1000, 500)
		hintPeriod(c, 1000, 490, c == &off)
		hintPeriod(c, 1000, 450, c == &off)
	}
	if plain.noHint = true; off != plain {
		t.Fatalf("hint off: %+v; without ties: %+v", off, plain)
	}
}

// When a growth the hint forced lowered the hit ratio, it is taken back,
// the window goes on shrinking, and the hint is off for the next
// hintBlock periods, then on again.
func TestJudgeHintBacksOffAfterALoss(t *testing.T) {
	c := newClimber()
	c.startPeriod(1000, false)
	period(&c, 1000, 900)
	before := c.window
	hintPeriod(&c, 1000, 900, true) // forced growth
	if !c.forced || c.window < before+hintLeap {
		t.Fatalf("ties admitted: window %v -> %v, forced %v", before, c.window, c.forced)
	}
	hintPeriod(&c, 1000, 880, true) // the forced growth cost 2 points: undone, the hint goes off
	if c.forced || c.blocked != hintBlock || math.Abs(c.window-before) > 1e-12 || c.step >= 0 {
		t.Fatalf("after a forced growth lowered the ratio: window %v (was %v), step %v, forced %v, blocked %d",
			c.window, before, c.step, c.forced, c.blocked)
	}
	for i := range hintBlock {
		hintPeriod(&c, 1000, 880, true)
		if c.forced {
			t.Fatalf("the hint forced period %d of its block", i+1)
		}
	}
	hintPeriod(&c, 1000, 880, true)
	if !c.forced {
		t.Fatalf("the hint is still off %d periods after the loss", hintBlock+1)
	}
}
