// Package clock is the cache's fast time of day. With the system clock,
// time.Now reads two clocks, about 65 ns on a small virtual machine, and a
// Get of an entry with a TTL would pay that every time. Where the
// processor's time-stamp counter runs at a constant rate and in step on
// every core (Linux with the tsc clocksource, on amd64), Now instead
// extrapolates: the time of day at the last calibration plus the ticks
// since, at the counter's rate.
//
// Invariant: Now never strays more than one calibration's span
// (renewEvery) of ticks from time.Now, so a step of the system clock (by
// NTP, an operator, a virtual machine resumed) is followed within a
// millisecond, as Redis, which caches the time of day per command, follows
// within a command.
package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// A calibration serves for a millisecond of ticks (renewEvery); whoever
// reads the clock after that reads time.Now and makes the next one. So
// when the system clock is stepped (by NTP, by an operator, or when a
// virtual machine resumes and its clock is set forward) the cache follows
// within a millisecond, as Redis, which caches the time of day per
// command, follows within a command. The counter's rate is measured once,
// against the monotonic clock, which steps do not move: measured between
// two readings of the time of day, a step would pass for a change of rate
// and stretch every extrapolation after it.

// renewEvery is how long a calibration serves.
const renewEvery = time.Millisecond

// calibration ties a time-stamp counter reading to the time of day.
type calibration struct {
	tsc  uint64 // counter at the calibration
	wall int64  // unix nanoseconds at the calibration
	mult uint64 // nanoseconds per tick, << 32
	max  uint64 // ticks it serves for (renewEvery); 0 without a rate
}

// calibrated is the calibration Now extrapolates from; nil until the
// first read.
var calibrated atomic.Pointer[calibration]

// tscRate returns the counter's rate in nanoseconds per tick, << 32; 0
// when it could not be measured.
var tscRate = sync.OnceValue(measureRate)

// tsc reports whether Now reads the time-stamp counter.
var tsc = tscSynchronized()

// Now returns the time of day in unix nanoseconds.
func Now() int64 {
	if !tsc {
		return time.Now().UnixNano()
	}
	tsc := rdtsc()
	if c := calibrated.Load(); c != nil {
		if t, ok := c.at(tsc); ok {
			return t
		}
	}
	return recalibrate()
}

// at returns the time of day at counter reading tsc, or false when tsc
// is outside the span c serves for: from c.tsc to c.max ticks later.
func (c *calibration) at(tsc uint64) (int64, bool) {
	dt := tsc - c.tsc
	if dt >= c.max {
		return 0, false
	}
	return c.wall + int64(dt*c.mult>>32), true
}

// newCalibration returns the calibration that reads wall at counter
// reading tsc, at a rate of mult (nanoseconds per tick, << 32). With a
// rate of 0 it serves for no tick at all.
func newCalibration(tsc uint64, wall int64, mult uint64) *calibration {
	c := &calibration{tsc: tsc, wall: wall, mult: mult}
	if mult != 0 {
		c.max = uint64(renewEvery) << 32 / mult
	}
	return c
}

// recalibrate reads time.Now and the counter, stores the calibration they
// make and returns the time.
func recalibrate() int64 {
	wall := time.Now().UnixNano()
	calibrated.Store(newCalibration(rdtsc(), wall, tscRate()))
	return wall
}

// measureRate counts the counter's ticks over a hundred microseconds of
// the monotonic clock and returns nanoseconds per tick, << 32.
func measureRate() uint64 {
	start, t0 := time.Now(), rdtsc()
	for time.Since(start) < 100*time.Microsecond {
	}
	ns, ticks := time.Since(start), int64(rdtsc()-t0)
	if ticks <= 0 {
		return 0 // the counter stood still or went back: no rate
	}
	return uint64(float64(ns) * (1 << 32) / float64(ticks))
}
