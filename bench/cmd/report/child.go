package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maxmem/maxmem/bench"
	"github.com/maxmem/maxmem/bench/internal/peers"
)

// Sizes of the memory and GC entries: 16-byte keys, 64-byte values.
const (
	keyLen   = 16
	valueLen = 64
	childTTL = time.Hour
)

// memResult is what a "mem" subprocess measures.
type memResult struct {
	Cache    string
	TTL      bool
	N        int
	Stored   int     // entries the cache holds after the fill
	PerEntry float64 // heap retained per stored entry, bytes
	Charged  float64 // maxmem: Stats().UsedMemory per entry; else 0
}

// gcResult is what a "gc" subprocess measures.
type gcResult struct {
	Cache       string
	N           int
	Stored      int
	HeapMB      float64       // live heap with the cache filled
	ForcedGC    time.Duration // median of three runtime.GC() calls
	Ops         int
	Wall        time.Duration // of the mixed workload
	GCFraction  float64       // GC CPU over total CPU during the workload
	GCCycles    uint64        // GC cycles during the workload
	AllocMB     float64       // allocated during the workload
	OpsPerSec   float64
	FillSeconds float64
}

// scaleResult is what a "scale" subprocess measures.
type scaleResult struct {
	N        int
	GetNs    float64 // maxmem Get hit
	SetNs    float64 // maxmem Set of an existing key
	MapGetNs float64 // built-in map lookup of the same keys
	MaxmemMB float64 // live heap of the filled maxmem
}

// runChild runs the measurement o.child asks for and writes it as JSON.
func runChild(o options, w io.Writer) error {
	var v any
	var err error
	switch o.child {
	case "mem":
		v, err = measureMemory(o.cache, o.n, o.ttl)
	case "gc":
		v, err = measureGC(o.cache, o.n, o.gcOps, o.gcGarbage)
	case "gcwrites":
		v, err = measureGCWrites(o.cache, o.n, o.gcwWrites)
	case "scale":
		v = measureScale(o.n)
	case "profile":
		v, err = measureProfile(o.cache, o.op, o.profTime)
	default:
		err = fmt.Errorf("unknown child %q", o.child)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(v)
}

// liveHeap runs two full GCs and returns the bytes of live heap objects.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// newCache builds the named cache for n entries of keyLen+valueLen bytes,
// with no byte limit on maxmem.
func newCache(name string, n int, ttl bool) (peers.Cache, error) {
	f, ok := peers.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown cache %q", name)
	}
	if ttl && !f.TTL {
		return nil, fmt.Errorf("%s has no TTL", name)
	}
	cfg := peers.Config{Capacity: n, EntryBytes: keyLen + valueLen}
	if ttl {
		cfg.TTL = childTTL
	}
	return f.New(cfg), nil
}

// fill stores n fresh 16-byte keys with fresh 64-byte values, so the
// cache is the only thing holding them.
func fill(c peers.Cache, n int, ttl bool) {
	for i := 0; i < n; i++ {
		v := make([]byte, valueLen)
		v[0] = byte(i)
		if ttl {
			c.SetTTL(bench.FixedKey(i), v, childTTL)
		} else {
			c.Set(bench.FixedKey(i), v)
		}
	}
}

// measureMemory fills a cache with n entries and reports the heap it
// retains per entry.
func measureMemory(name string, n int, ttl bool) (memResult, error) {
	before := liveHeap()
	c, err := newCache(name, n, ttl)
	if err != nil {
		return memResult{}, err
	}
	fill(c, n, ttl)
	stored := c.Len()
	after := liveHeap()
	r := memResult{Cache: name, TTL: ttl, N: n, Stored: stored}
	if stored > 0 {
		r.PerEntry = float64(after-before) / float64(stored)
	}
	if ch, ok := c.(peers.Charger); ok && stored > 0 {
		r.Charged = float64(ch.Charged()) / float64(stored)
	}
	runtime.KeepAlive(c)
	return r, nil
}

// cpuSample reads the GC and total CPU seconds, GC cycles and bytes
// allocated so far.
func cpuSample() (gc, total float64, cycles, allocs uint64) {
	s := []metrics.Sample{
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/gc/heap/allocs:bytes"},
	}
	metrics.Read(s)
	return s[0].Value.Float64(), s[1].Value.Float64(), s[2].Value.Uint64(), s[3].Value.Uint64()
}

// measureGC fills a cache with n entries, times forced GCs, then runs
// ops mixed operations (see mixedWorkload) on GOMAXPROCS goroutines and
// reports the GC's share of the CPU.
func measureGC(name string, n, ops, garbage int) (gcResult, error) {
	c, err := newCache(name, n, false)
	if err != nil {
		return gcResult{}, err
	}
	start := time.Now()
	fill(c, n, false)
	r := gcResult{Cache: name, N: n, Ops: ops, FillSeconds: time.Since(start).Seconds()}
	r.Stored = c.Len()
	r.HeapMB = float64(liveHeap()) / (1 << 20)
	r.ForcedGC = medianForcedGC(3)

	gc0, total0, cycles0, allocs0 := cpuSample()
	start = time.Now()
	mixedWorkload(c, n, ops, garbage)
	r.Wall = time.Since(start)
	gc1, total1, cycles1, allocs1 := cpuSample()
	// The runtime folds CPU time into these metrics when a GC cycle
	// ends, so the deltas cover the window from the forced GCs just
	// before the workload to the last cycle that ended within it.
	r.GCCycles = cycles1 - cycles0
	if total1 > total0 {
		r.GCFraction = (gc1 - gc0) / (total1 - total0)
	}
	r.AllocMB = float64(allocs1-allocs0) / (1 << 20)
	r.OpsPerSec = float64(ops) / r.Wall.Seconds()
	runtime.KeepAlive(c)
	return r, nil
}

// medianForcedGC returns the median time of k runtime.GC() calls.
func medianForcedGC(k int) time.Duration {
	d := make([]time.Duration, k)
	for i := range d {
		start := time.Now()
		runtime.GC()
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d[k/2]
}

// zipfDraws is how many Zipf indices each workload goroutine draws
// ahead of time and then cycles through.
const zipfDraws = 1 << 20

// mixedWorkload runs ops operations over GOMAXPROCS goroutines: three
// Gets of Zipf-drawn keys for each Set of a fresh value. Each operation
// also allocates garbage bytes of pointer-free "request" memory, as
// the code around a cache would, so the heap cycles through GCs at a
// rate set by the application rather than by the cache.
func mixedWorkload(c peers.Cache, n, ops, garbage int) {
	workers := runtime.GOMAXPROCS(0)
	draws := make([][]int32, workers)
	for w := range draws {
		z := bench.NewScrambledZipf(n, uint64(w+1))
		draws[w] = make([]int32, zipfDraws)
		for i := range draws[w] {
			draws[w][i] = int32(z.Next())
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(idx []int32) {
			defer wg.Done()
			for i := 0; i < ops/workers; i++ {
				k := bench.FixedKey(int(idx[i&(zipfDraws-1)]))
				if i%4 == 3 {
					c.Set(k, make([]byte, valueLen))
				} else {
					c.Get(k)
				}
				if garbage > 0 {
					sinkBytes.Store(make([]byte, garbage))
				}
			}
		}(draws[w])
	}
	wg.Wait()
}

// sinkBytes keeps the request garbage from being stack-allocated.
var sinkBytes atomic.Value

// scaleOps is the number of timed operations per scale measurement.
const scaleOps = 2_000_000

// measureScale times maxmem's Get and Set of stored keys, in a
// scattered order, with n entries, next to a built-in map's lookup.
func measureScale(n int) scaleResult {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = bench.FixedKey(i)
	}
	value := make([]byte, valueLen)
	r := scaleResult{N: n}
	r.GetNs, r.SetNs, r.MaxmemMB = scaleMaxmem(keys, value)
	m := make(map[string][]byte, n)
	for _, k := range keys {
		m[k] = value
	}
	r.MapGetNs = timeOps(scaleOps, func(i int) { _ = m[keys[scatter(i, n)]] })
	return r
}

// scaleMaxmem fills an unlimited maxmem with keys and returns its Get
// and Set ns/op and the heap it takes in MiB.
func scaleMaxmem(keys []string, value []byte) (getNs, setNs, mb float64) {
	n := len(keys)
	before := liveHeap()
	c, _ := newCache("maxmem", n, false)
	defer c.Close()
	for _, k := range keys {
		c.Set(k, value)
	}
	mb = float64(liveHeap()-before) / (1 << 20)
	getNs = timeOps(scaleOps, func(i int) { c.Get(keys[scatter(i, n)]) })
	setNs = timeOps(scaleOps, func(i int) { c.Set(keys[scatter(i, n)], value) })
	return getNs, setNs, mb
}

// scatter maps i to a pseudo-random index in [0, n); the multiplier
// is odd and not a multiple of 5, so it permutes powers of ten.
func scatter(i, n int) int {
	return int(uint64(i) * 2654435761 % uint64(n))
}

// timeOps returns the best ns/op of three runs of ops calls of op.
func timeOps(ops int, op func(i int)) float64 {
	best := 0.0
	for run := 0; run < 3; run++ {
		start := time.Now()
		for i := 0; i < ops; i++ {
			op(run*ops + i)
		}
		ns := float64(time.Since(start).Nanoseconds()) / float64(ops)
		if run == 0 || ns < best {
			best = ns
		}
	}
	return best
}
