package tinylfu

import "math"

// The hill climber's constants: the window's initial share of a shard's
// bytes, the step (its initial and restart size, its decay per period, and
// the change of hit ratio that restarts it), and the length of a sample
// period.
const (
	initialWindow    = 0.01
	climbStep        = 0.0625
	climbDecay       = 0.98
	climbRestart     = 0.05
	climbPeriodRatio = 10 // a sample period is this many requests per entry the shard holds when full
)

// The judge's hint: a growth it forces is at least hintLeap of the shard;
// a forced growth that lowered the hit ratio is undone, and the hint stays
// off for hintBlock periods.
const (
	hintLeap  = 0.25
	hintBlock = 8
)

// climber sets the share of a shard's bytes that the admission layout's
// window may hold. At the end of every sample period it compares the hit
// ratio with the previous period's and moves the share by its step, in the
// direction that raised the ratio, the step shrinking as the ratio settles
// and growing back when the ratio jumps.
//
// The judge's hint overrides the direction: a period that ends while the
// judge admits ties (judge.go: the window's candidates have been coming
// back before the main space's victims) grows the window by at least
// hintLeap, whatever the hit ratio did, since such traffic rewards
// recency sooner than the climber's small steps reach it. Where a larger
// window lowers the hit ratio after all, the growth is taken back and the
// hint is off for hintBlock periods.
type climber struct {
	window float64 // the window's share, 0 to 1

	hits, requests, period int // the current period; period 0: not started
	prevRate               float64
	step                   float64 // signed share added at the next period's end

	noHint  bool    // the judge's hint is ignored (for tests)
	forced  bool    // the last period's move was the hint's
	leapt   float64 // how far that move took the window
	blocked int     // periods the hint stays off
}

func newClimber() climber { return climber{window: initialWindow, step: -climbStep} }

// count records requests, hits of them, and reports whether the period is
// over; the caller then starts the next one.
func (c *climber) count(hits, requests int) (periodOver bool) {
	c.hits += hits
	c.requests += requests
	return c.requests >= c.period
}

// startPeriod ends the current period, adapting the window to its hit
// ratio unless it was the first (tiesAdmitted: the judge's hint), and
// starts one of n requests (0 while the shard is empty: no period yet).
func (c *climber) startPeriod(n int, tiesAdmitted bool) {
	if c.period > 0 {
		rate := float64(c.hits) / float64(c.requests)
		if c.forced && rate < c.prevRate {
			c.undo(rate)
		} else {
			c.adapt(rate, c.hint(tiesAdmitted))
		}
	}
	c.hits, c.requests, c.period = 0, 0, n
}

// undo takes back a growth the hint forced that lowered the hit ratio,
// to rate, and turns the hint off for hintBlock periods; the climber then
// goes on shrinking the window from where it was.
func (c *climber) undo(rate float64) {
	c.window = max(c.window-c.leapt, 0)
	c.forced, c.blocked = false, hintBlock
	c.step, c.prevRate = -climbStep, rate
}

// hint reports whether the period ending is to grow the window: the judge
// admits ties, and no growth the hint forced lowered the hit ratio in the
// last hintBlock periods. A forced growth is at least hintLeap.
func (c *climber) hint(tiesAdmitted bool) bool {
	c.forced = false
	if c.blocked > 0 {
		c.blocked--
		return false
	}
	if c.forced = tiesAdmitted && !c.noHint; c.forced {
		c.step = math.Max(math.Abs(c.step), hintLeap)
	}
	return c.forced
}

// adapt moves the window's share in the direction that last raised the
// hit ratio, or, when grow is set, up by the step's size.
func (c *climber) adapt(rate float64, grow bool) {
	if grow {
		c.step = math.Abs(c.step)
	}
	change, amount := rate-c.prevRate, c.step
	if change < 0 && !grow {
		amount = -amount
	}
	if math.Abs(change) >= climbRestart {
		c.step = math.Copysign(climbStep, amount)
	} else {
		c.step = climbDecay * amount
	}
	c.prevRate = rate
	w := c.window
	c.window = min(max(c.window+amount, 0), 1)
	c.leapt = c.window - w
}
