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

// The ghost hint's constants: the share of a period's misses that must
// find a rejected candidate's ghost for the window to grow, and how many
// periods the hint stays off after a growth it forced lowered the hit
// ratio.
const (
	ghostHintShare = 0.015
	hintBlock      = 8
)

// climber sets the share of a shard's bytes that the admission layout's
// window may hold. At the end of every sample period it compares the hit
// ratio with the previous period's and moves the share by its step, in the
// direction that raised the ratio, the step shrinking as the ratio settles
// and growing back when the ratio jumps.
//
// The ghost hint overrides the direction: a period in which at least
// ghostHintShare of the misses were writes of keys the window had just
// turned away (ghost hits, admission.go) grows the window, whatever the
// hit ratio did, since such keys come back sooner than the sketch can
// learn (recency-biased traffic). A loop slightly longer than the shard
// also brings its rejected keys back, and there a larger window lowers
// the hit ratio: when a forced growth did, the hint is off for hintBlock
// periods.
type climber struct {
	window float64 // the window's share, 0 to 1

	hits, requests, period int // the current period; period 0: not started
	ghostHits              int // the current period's writes that found a ghost
	prevRate               float64
	step                   float64 // signed share added at the next period's end

	hintShare float64 // the ghost hint's threshold: ghostHintShare (0: no hint)
	forced    bool    // the last period's move was the hint's
	blocked   int     // periods the hint stays off
}

func newClimber() climber {
	return climber{window: initialWindow, step: -climbStep, hintShare: ghostHintShare}
}

// count records requests, hits of them, and reports whether the period is
// over; the caller then starts the next one.
func (c *climber) count(hits, requests int) (periodOver bool) {
	c.hits += hits
	c.requests += requests
	return c.requests >= c.period
}

// ghostHit records a write that found a ghost.
func (c *climber) ghostHit() { c.ghostHits++ }

// startPeriod ends the current period, adapting the window to its hit
// ratio unless it was the first, and starts one of n requests (0 while the
// shard is empty: no period yet).
func (c *climber) startPeriod(n int) {
	if c.period > 0 {
		rate := float64(c.hits) / float64(c.requests)
		c.adapt(rate, c.hint(rate))
	}
	c.hits, c.requests, c.ghostHits, c.period = 0, 0, 0, n
}

// hint reports whether the period ending, whose hit ratio was rate, calls
// for a larger window: enough of its misses found a ghost (at least one),
// and no growth the hint forced lowered the hit ratio in the last
// hintBlock periods.
func (c *climber) hint(rate float64) bool {
	if c.forced && rate < c.prevRate {
		c.blocked = hintBlock
	}
	c.forced = false
	if c.blocked > 0 {
		c.blocked--
		return false
	}
	misses := c.requests - c.hits
	c.forced = c.hintShare > 0 && c.ghostHits > 0 && float64(c.ghostHits) >= c.hintShare*float64(misses)
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
	c.window = min(max(c.window+amount, 0), 1)
}
