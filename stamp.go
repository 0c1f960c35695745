package maxmem

import "time"

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
