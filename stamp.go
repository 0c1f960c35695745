package maxmem

import (
	"sync/atomic"
	"time"
)

// The recency clock
//
// Stamps order accesses and writes for the LRU and LRM policies, within a
// shard and across shards. A counter that every access increments would
// order them exactly, but it is one cache line that every core writes:
// measured on two cores, reads ran a fifth slower with it than with a clock
// (see BenchmarkStamp). So stamps come from a clock that only moves:
// the processor's time-stamp counter where the operating system keeps it in
// step across cores (Linux with the tsc clocksource, on amd64), the
// monotonic clock elsewhere. Unlike the cache's Clock, it moves even under
// a fake clock in tests. Two accesses made one after the other get
// increasing stamps, whichever shards they touch, so the LRU is exact; two
// made at the same moment on different cores may tie or come in either
// order, and either order is right for them. A write takes a stamp above
// every stamp its shard handed out before (see writeStampLocked), so it
// always renews its entry's stamp, which Compute relies on.

// recencyTSC reports whether recencyNow reads the time-stamp counter.
var recencyTSC = tscSynchronized()

// recencyEpoch is the monotonic clock's zero for recencyNow.
var recencyEpoch = time.Now()

// recencyNow returns the recency clock's time, never 0: time-stamp counter
// ticks, or nanoseconds of the monotonic clock.
func recencyNow() uint64 {
	if recencyTSC {
		return rdtsc()
	}
	return uint64(time.Since(recencyEpoch)) + 1
}

// The wall clock
//
// TTL deadlines and LFU decay read the time of day, and with the system
// clock (no Options.Clock) time.Now costs two clock reads on every Get of
// an entry with a TTL. Where the time-stamp counter is in step across cores
// (see recencyTSC), the cache instead extrapolates from it: the time of day
// at the last calibration plus the ticks since, at the rate measured
// between the last two calibrations. A calibration older than a second is
// renewed by whoever next reads the clock, so the estimate never strays
// further than one second of rate error from time.Now.

// calibration ties a time-stamp counter reading to the time of day.
type calibration struct {
	tsc  uint64 // counter at the calibration
	wall int64  // unix nanoseconds at the calibration
	mult uint64 // nanoseconds per tick, << 32
	max  uint64 // ticks after which it is renewed: about a second
}

var calibrated atomic.Pointer[calibration]

// wallNow returns the time of day in unix nanoseconds.
func wallNow() int64 {
	if !recencyTSC {
		return time.Now().UnixNano()
	}
	c := calibrated.Load()
	if c == nil {
		return calibrate(nil)
	}
	dt := rdtsc() - c.tsc
	if dt > c.max {
		return calibrate(c)
	}
	return c.wall + int64(dt*c.mult>>32)
}

// calibrate reads time.Now and the counter, measures the counter's rate
// against prev (or, the first time, over a hundred microseconds), stores
// the new calibration and returns the time.
func calibrate(prev *calibration) int64 {
	wall, tsc := time.Now().UnixNano(), rdtsc()
	if prev == nil {
		for time.Now().UnixNano()-wall < int64(100*time.Microsecond) {
		}
		w, t := time.Now().UnixNano(), rdtsc()
		prev = &calibration{tsc: tsc, wall: wall}
		wall, tsc = w, t
	}
	ticks, ns := tsc-prev.tsc, uint64(wall-prev.wall)
	if ticks == 0 || wall <= prev.wall {
		return wall
	}
	mult := ns << 32 / ticks
	calibrated.Store(&calibration{tsc: tsc, wall: wall, mult: mult, max: uint64(time.Second) << 32 / mult})
	return wall
}
