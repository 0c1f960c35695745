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
	"github.com/maxmem/maxmem/bench/internal/peers"
)

// The shape of BenchmarkLatency (bench/throughput_test.go and
// latency_test.go), which the profiles repeat outside the test binary.
const (
	latCapacity   = 1 << 14
	latKeySpace   = 1 << 15
	latKeyMask    = latKeySpace - 1
	latItems      = latKeySpace / 3
	latInsertPool = 1 << 18
	latInsertMask = latInsertPool - 1
	latSeed       = 42
)

// latencyFixture holds BenchmarkLatency's keys and values.
type latencyFixture struct {
	keys       []string // Zipf-drawn keys, all in the prefill
	missKeys   []string // keys never stored
	fillKeys   []string // Key(i) for i < latCapacity
	insertKeys []string // keys never in the prefill
	values     [][]byte // values[i] belongs with Key(i)
	updates    [][]byte // values[i] with its first byte changed
}

// newLatencyFixture builds the keys as the benchmark does.
func newLatencyFixture() *latencyFixture {
	x := &latencyFixture{keys: bench.ZipfKeys(latKeySpace, latItems, latSeed)}
	for i := 0; i < latKeySpace; i++ {
		x.values = append(x.values, bench.Value(i))
		x.missKeys = append(x.missKeys, bench.Key(10_000_000+i))
	}
	for i := 0; i < latCapacity; i++ {
		x.fillKeys = append(x.fillKeys, bench.Key(i))
		x.updates = append(x.updates, bytes.Clone(x.values[i]))
		x.updates[i][0] ^= 1
	}
	for i := 0; i < latInsertPool; i++ {
		x.insertKeys = append(x.insertKeys, bench.Key(1_000_000+i))
	}
	return x
}

// filled builds the named cache for latCapacity entries (maxmem gets the
// bytes it charges for them) and prefills it.
func (x *latencyFixture) filled(name string) (peers.Cache, error) {
	f, ok := peers.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown cache %q", name)
	}
	c := f.New(peers.Config{
		Capacity:   latCapacity,
		Bytes:      peers.MaxmemBudget(x.fillKeys, x.values[:latCapacity]),
		EntryBytes: len(bench.Key(latCapacity/2)) + len(bench.Value(latCapacity/2)),
	})
	for i, k := range x.fillKeys {
		c.Set(k, x.values[i])
	}
	c.Len()
	return c, nil
}

// op returns the i-th call of a BenchmarkLatency operation on c.
func (x *latencyFixture) op(name string, c peers.Cache) (func(i int), error) {
	switch name {
	case "GetHit":
		return func(i int) { c.Get(x.keys[i&latKeyMask]) }, nil
	case "GetMiss":
		return func(i int) { c.Get(x.missKeys[i&latKeyMask]) }, nil
	case "SetUpdate":
		return func(i int) {
			j := i & (latCapacity - 1)
			v := x.values[j]
			if i&latCapacity == 0 {
				v = x.updates[j]
			}
			c.Set(x.fillKeys[j], v)
		}, nil
	case "SetInsertEvict":
		return func(i int) { c.Set(x.insertKeys[i&latInsertMask], x.values[i&latKeyMask]) }, nil
	}
	return nil, fmt.Errorf("unknown operation %q (want one of %s)", name, strings.Join(latencyOps, ", "))
}

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
	if !slices.Contains(latencyOps, op) {
		return profileResult{}, fmt.Errorf("unknown operation %q (want one of %s)", op, strings.Join(latencyOps, ", "))
	}
	if _, ok := peers.Lookup(cache); !ok {
		return profileResult{}, fmt.Errorf("unknown cache %q", cache)
	}
	x := newLatencyFixture()
	c, err := x.filled(cache)
	if err != nil {
		return profileResult{}, err
	}
	defer c.Close()
	run, err := x.op(op, c)
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
