package policymodel

import "math"

// climber is maxmem's hill climber (climber.go in the core) with its
// constants made parameters: at the end of every sample period it compares
// the hit ratio with the previous period's and moves the window's share in
// the direction that raised it, the step decaying as the ratio settles and
// restarting when it jumps.
type climber struct {
	opt    climberOptions
	window float64 // the window's share, 0 to 1

	hits, requests, period int // the current period; period 0: not started
	prevRate               float64
	step                   float64 // signed share added at the next period's end
}

// climberOptions are the climber's parameters.
type climberOptions struct {
	initial float64 // the window's first share (maxmem: 0.01)
	step    float64 // first and restart step (maxmem: 0.0625)
	decay   float64 // the step's factor per period (maxmem: 0.98)
	restart float64 // a change of hit ratio that restarts the step (maxmem: 0.05)
	ratio   float64 // a period is ratio × capacity requests (maxmem: 10)
	max     float64 // the window's largest share (maxmem: 1)
}

// maxmemClimber are the options of maxmem's climber.
var maxmemClimber = climberOptions{initial: 0.01, step: 0.0625, decay: 0.98, restart: 0.05, ratio: 10, max: 1}

func newClimber(o climberOptions) climber {
	return climber{opt: o, window: o.initial, step: -o.step}
}

// count records requests, hits of them, and reports whether the period
// is over.
func (c *climber) count(hits, requests int) bool {
	c.hits += hits
	c.requests += requests
	return c.requests >= c.period
}

// startPeriod ends the current period, adapting the window unless it was
// the first, and starts one of ratio × capacity requests (none while the
// capacity is 0).
func (c *climber) startPeriod(capacity int) { c.startPeriodGrowing(capacity, false) }

// startPeriodGrowing is startPeriod; with grow, the window grows by the
// step's size whatever the hit ratio did.
func (c *climber) startPeriodGrowing(capacity int, grow bool) {
	if c.period > 0 {
		if grow {
			c.step = math.Abs(c.step)
		}
		c.adapt(float64(c.hits)/float64(c.requests), grow)
	}
	c.hits, c.requests, c.period = 0, 0, int(c.opt.ratio*float64(capacity))
}

// adapt moves the window's share in the direction that last raised the
// hit ratio.
func (c *climber) adapt(rate float64, grow bool) {
	change, amount := rate-c.prevRate, c.step
	if change < 0 && !grow {
		amount = -amount
	}
	if math.Abs(change) >= c.opt.restart {
		c.step = math.Copysign(c.opt.step, amount)
	} else {
		c.step = c.opt.decay * amount
	}
	c.prevRate = rate
	c.window = min(max(c.window+amount, 0), c.opt.max)
}
