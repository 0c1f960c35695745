package main

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/maxmem/maxmem/bench"
	"github.com/maxmem/maxmem/bench/internal/peers"
)

// The GC under evicting writes: a full cache takes Sets of keys it never
// saw, so every write evicts, and nothing else allocates but the new
// keys. A cache whose writes allocate makes the GC run in proportion to
// its write rate; one that recycles its own memory does not.

// gcWritesResult is what a "gcwrites" subprocess measures.
type gcWritesResult struct {
	Cache       string
	N           int     // entries filled before the writes
	Stored      int     // entries held after the fill
	StoredAfter int     // entries held after the writes
	HeapMB      float64 // live heap with the cache filled
	Writes      int
	Wall        time.Duration // of the writes
	GCCycles    uint64        // GC cycles that ended during the writes
	GCFraction  float64       // GC CPU over total CPU, whole cycles only
	AllocBytes  uint64        // allocated during the writes
}

// cyclesPerMillion is the GC cycles per million writes.
func (g gcWritesResult) cyclesPerMillion() float64 {
	if g.Writes == 0 {
		return 0
	}
	return float64(g.GCCycles) * 1e6 / float64(g.Writes)
}

// bytesPerWrite is the bytes allocated per write.
func (g gcWritesResult) bytesPerWrite() float64 {
	if g.Writes == 0 {
		return 0
	}
	return float64(g.AllocBytes) / float64(g.Writes)
}

// writesPerSec is the writes' rate over their wall time.
func (g gcWritesResult) writesPerSec() float64 {
	if g.Wall <= 0 {
		return 0
	}
	return float64(g.Writes) / g.Wall.Seconds()
}

// measureGCWrites fills the named cache with n entries, then makes
// writes evicting writes (see evictingWrites) and reports the GC cycles,
// GC CPU share and bytes allocated during them.
func measureGCWrites(name string, n, writes int) (gcWritesResult, error) {
	c, err := newEvictingCache(name, n)
	if err != nil {
		return gcWritesResult{}, err
	}
	defer c.Close()
	fill(c, n, false)
	r := gcWritesResult{Cache: name, N: n, Stored: c.Len()}
	r.HeapMB = float64(liveHeap()) / (1 << 20)
	keys := evictingKeys(n)
	evictingWrites(c, keys, len(keys)) // steady state: the fill's chunks, sized as it grew, are replaced once
	gc0, total0, cycles0, allocs0 := cpuSample()
	start := time.Now()
	r.Writes = evictingWrites(c, keys, writes)
	r.Wall = time.Since(start)
	gc1, total1, cycles1, allocs1 := cpuSample()
	// As in measureGC, the CPU figures move only when a cycle ends: the
	// share covers the forced GCs' end to the last cycle's end.
	r.GCCycles, r.AllocBytes = cycles1-cycles0, allocs1-allocs0
	if total1 > total0 {
		r.GCFraction = (gc1 - gc0) / (total1 - total0)
	}
	r.StoredAfter = c.Len()
	return r, nil
}

// newEvictingCache builds the named cache to hold n entries of the fill
// and evict past them: count-bounded caches get room for n entries (the
// byte arenas with the adapters' headroom), a cache that charges its own
// bytes (maxmem) the bytes it charges for n such entries.
func newEvictingCache(name string, n int) (peers.Cache, error) {
	f, ok := peers.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown cache %q", name)
	}
	cfg := peers.Config{Capacity: n, EntryBytes: keyLen + valueLen}
	if chargesMemory(f) {
		cfg.Bytes = fillBudget(n)
	}
	return f.New(cfg), nil
}

// chargesMemory tells whether f's caches account their own bytes,
// judged on a cache built for one entry.
func chargesMemory(f peers.Factory) bool {
	c := f.New(peers.Config{Capacity: 1, EntryBytes: keyLen + valueLen})
	defer c.Close()
	_, ok := c.(peers.Charger)
	return ok
}

// fillBudget returns the bytes maxmem charges for n entries of the fill's
// shape: 16-byte keys and 64-byte values.
func fillBudget(n int) int64 {
	keys := make([]string, n)
	values := make([][]byte, n)
	value := make([]byte, valueLen)
	for i := range keys {
		keys[i], values[i] = bench.FixedKey(i), value
	}
	return peers.MaxmemBudget(keys, values)
}

// evictingKeys returns the keys of the evicting writes: 2n keys the fill
// of n never wrote, made before the writes so that the writers allocate
// nothing. Written in turn, a key comes back only after n others, when
// the cache has evicted it.
func evictingKeys(n int) []string {
	keys := make([]string, 2*n)
	for i := range keys {
		keys[i] = bench.FixedKey(n + i)
	}
	return keys
}

// evictingWrites makes writes Sets of keys in turn over GOMAXPROCS
// goroutines, each goroutine every GOMAXPROCS-th write. Every write
// passes the same 64-byte value, so the writers allocate nothing. It
// returns the writes made: writes rounded down to a multiple of the
// goroutines.
func evictingWrites(c peers.Cache, keys []string, writes int) int {
	workers := runtime.GOMAXPROCS(0)
	per := writes / workers
	value := make([]byte, valueLen)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range per {
				c.Set(keys[(w+i*workers)%len(keys)], value)
			}
		})
	}
	wg.Wait()
	return per * workers
}

// gcWritesSection measures the GC under evicting writes, one process per
// cache.
func (r *report) gcWritesSection() error {
	fs, err := selectCaches(r.o.caches)
	if err != nil {
		return err
	}
	r.gcw = map[string]gcWritesResult{}
	r.printf("%s", gcWritesIntro(r.o.gcwN, r.o.gcwWrites))
	r.printf("| cache | live heap MiB | GC cycles | cycles per M writes | GC CPU | B/write | Mwrites/s | stored | stored after |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, f := range fs {
		var g gcWritesResult
		args := []string{"-child", "gcwrites", "-cache", f.Name, "-n", strconv.Itoa(r.o.gcwN), "-gcw-writes", strconv.Itoa(r.o.gcwWrites)}
		if err := subprocess(&g, args...); err != nil {
			return err
		}
		r.gcw[f.Name] = g
		r.printf("%s\n", gcWritesRow(g))
	}
	r.printf("\n")
	return nil
}

// gcWritesIntro is the section's heading and what it measures.
func gcWritesIntro(n, writes int) string {
	return fmt.Sprintf("## GC under evicting writes\n\n"+
		"A cache filled with %s entries (16-byte keys, 64-byte values) takes %s Sets of keys it never held, on GOMAXPROCS goroutines, so every write evicts (or is refused, in the admission-filtered caches) and the cache stays full. "+
		"They follow a warm-up of as many writes as the pool holds, so that what is measured is the steady state. No application garbage: the keys come from a pool of twice the entries made before the writes (a key comes back only after the cache evicted it), and every write passes the same 64-byte value, so the writers allocate nothing and B/write is the cache's own. "+
		"GC cycles and GC CPU (`/cpu/classes/gc/total` over `/cpu/classes/total`, whole cycles only: – when no cycle ended) are those the writes cause. "+
		"maxmem gets the bytes it charges for that many entries, the others room for that many. One process per cache.\n\n",
		commas(n), commas(writes))
}

// gcWritesRow formats one cache's figures as a row of the table.
func gcWritesRow(g gcWritesResult) string {
	gcCPU := "–"
	if g.GCCycles > 0 {
		gcCPU = fmt.Sprintf("%.1f %%", 100*g.GCFraction)
	}
	return fmt.Sprintf("| %s | %.0f | %d | %.2f | %s | %.1f | %.2f | %s | %s |", g.Cache, g.HeapMB, g.GCCycles,
		g.cyclesPerMillion(), gcCPU, g.bytesPerWrite(), g.writesPerSec()/1e6, commas(g.Stored), commas(g.StoredAfter))
}
