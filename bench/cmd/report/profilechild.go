package main

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/maxmem/maxmem/bench"
)

// profileResult is what a "profile" subprocess measures.
type profileResult struct {
	Cache   string
	Op      string
	Ops     int
	NsPerOp float64 // wall time per operation, under the profiler
	CPU     float64 // seconds of CPU the profile sampled
	Funcs   []funcShare
}

// funcShare is one function's share of a profile's total value: flat in
// the function itself, cum with what it calls.
type funcShare struct {
	Func      string
	Flat, Cum float64 // fractions, 0 to 1
}

// measureProfile runs op on a prefilled cache for d under the CPU
// profiler and returns each function's share of the samples.
func measureProfile(cache, op string, d time.Duration) (profileResult, error) {
	if !slices.Contains(bench.LatencyOps, op) {
		return profileResult{}, fmt.Errorf("unknown operation %q (want one of %s)", op, strings.Join(bench.LatencyOps, ", "))
	}
	c, err := bench.NewFilled(cache)
	if err != nil {
		return profileResult{}, err
	}
	defer c.Close()
	run, err := bench.LatencyOp(op, c)
	if err != nil {
		return profileResult{}, err
	}
	runtime.GC()
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return profileResult{}, err
	}
	ops, wall := runFor(d, run)
	pprof.StopCPUProfile()
	samples, err := decodeProfile(buf.Bytes())
	if err != nil {
		return profileResult{}, err
	}
	return profileResult{Cache: cache, Op: op, Ops: ops, NsPerOp: float64(wall.Nanoseconds()) / float64(ops),
		CPU: float64(total(samples)) / 1e9, Funcs: shares(samples)}, nil
}

// runBatch is how many calls runFor makes between looks at the clock.
const runBatch = 1024

// runFor calls run with 0, 1, 2... in batches of runBatch until d has
// passed, at least one batch, and returns the calls made and the time
// they took.
func runFor(d time.Duration, run func(i int)) (int, time.Duration) {
	start := time.Now()
	i := 0
	for {
		for end := i + runBatch; i < end; i++ {
			run(i)
		}
		if elapsed := time.Since(start); elapsed >= d {
			return i, elapsed
		}
	}
}
