package maxmem

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

// climber sets the share of a shard's bytes that the admission layout's
// window may hold. At the end of every sample period it compares the hit
// ratio with the previous period's and moves the share by its step, in the
// direction that raised the ratio, the step shrinking as the ratio settles
// and growing back when the ratio jumps.
type climber struct {
	window float64 // the window's share, 0 to 1

	hits, requests, period int // the current period; period 0: not started
	prevRate               float64
	step                   float64 // signed share added at the next period's end
}

func newClimber() climber {
	return climber{window: initialWindow, step: -climbStep}
}

// count records requests, hits of them, and reports whether the period is
// over; the caller then starts the next one.
func (c *climber) count(hits, requests int) (periodOver bool) {
	c.hits += hits
	c.requests += requests
	return c.requests >= c.period
}

// startPeriod ends the current period, adapting the window to its hit
// ratio unless it was the first, and starts one of n requests (0 while the
// shard is empty: no period yet).
func (c *climber) startPeriod(n int) {
	if c.period > 0 {
		c.adapt(float64(c.hits) / float64(c.requests))
	}
	c.hits, c.requests, c.period = 0, 0, n
}

// adapt moves the window's share in the direction that last raised the
// hit ratio.
func (c *climber) adapt(rate float64) {
	change, amount := rate-c.prevRate, c.step
	if change < 0 {
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
