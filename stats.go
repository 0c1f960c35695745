package maxmem

import (
	"fmt"

	"github.com/maxmem/maxmem/internal/flight"
	"github.com/maxmem/maxmem/internal/info"
	"github.com/maxmem/maxmem/internal/shard"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of the cache's INFO figures. The counters (hits,
// misses, evictions, expirations, writes, OOM refusals) and the peak are
// since the cache was created or ResetStats was last called.
type Stats struct {
	UsedMemory     int64  // used_memory: bytes charged now
	UsedMemoryPeak int64  // used_memory_peak: the most ever charged
	MaxMemory      int64  // maxmemory; 0 means no limit
	Policy         string // maxmemory_policy
	Keys           int64  // resident entries
	Expires        int64  // entries with a TTL
	Hits           uint64 // keyspace_hits
	Misses         uint64 // keyspace_misses
	EvictedKeys    uint64 // evicted_keys
	ExpiredKeys    uint64 // expired_keys
	OOMRejections  uint64 // total_oom_errors: writes refused with ErrOOM
	// UncachedLoads is total_uncached_loads: values loaded and returned but
	// not stored: they did not fit, came with a negative TTL or after Close.
	UncachedLoads uint64
	// Loads is total_loads, the loader calls (refreshes' too); LoadFailures
	// (total_load_failures) those that failed but for ErrNotFound, or
	// panicked; LoadTime (total_load_time_usec) their time by the cache's
	// Clock, MeanLoadTime avg_load_time_usec; Refreshes (total_refreshes)
	// the reloads RefreshAfter started.
	Loads, LoadFailures, Refreshes uint64
	LoadTime                       time.Duration

	// Overhead is used_memory_overhead: the cache's own bytes, Keys times
	// EntryOverhead (and, under AllKeysTinyLFU, each entry's place in the
	// policy's lists) plus PolicyMemory.
	Overhead int64
	// PolicyMemory (used_memory_policy) is what the policy keeps besides
	// the entries' own bytes, charged to the budget: AllKeysTinyLFU's
	// frequency sketches and duel judges (each entry's place in its lists
	// is charged with the entry, in Overhead).
	PolicyMemory int64
	// Dataset is used_memory_dataset: UsedMemory minus Overhead, the bytes
	// the Sizer counted for keys and values.
	Dataset int64
	// AvgTTL is avg_ttl: the mean time left of the entries with a TTL,
	// estimated from a sample of them in each shard; 0 if none.
	AvgTTL time.Duration
	// Writes counts the writes and TTL changes the cache accepted since it
	// was created or its stats were reset (total_writes).
	Writes uint64
	// ProcessHeapInuse is process_heap_inuse: bytes of the whole process's
	// Go heap in use (live and not yet swept objects plus the free space of
	// their spans), read from runtime/metrics when the snapshot was taken.
	// The cache's entries are part of it, and so is everything else the
	// program allocates: it is not the cache's own memory.
	ProcessHeapInuse uint64
	// ProcessHeapObjects is process_heap_objects: objects on the process's
	// Go heap.
	ProcessHeapObjects uint64
}

// avgTTLSamples bounds the TTL heap positions read per shard for AvgTTL.
const avgTTLSamples = 128

// Stats returns the current figures, as of one instant: it holds every
// shard's lock while it reads them (briefly: it reads counters, and at most
// avgTTLSamples deadlines per shard for AvgTTL).
func (c *Cache[K, V]) Stats() Stats {
	st := Stats{
		MaxMemory:     c.budget.Max(),
		Policy:        c.activePolicy().Name(),
		OOMRejections: c.stats.refused.total.Load(),
		UncachedLoads: c.stats.uncachedLoads.Load(),
		Loads:         c.stats.loads.Loads.Load(),
		LoadFailures:  c.stats.loads.Failures.Load(),
		Refreshes:     c.stats.loads.Refreshes.Load(),
		LoadTime:      time.Duration(c.stats.loads.Nanos.Load()),
	}
	now := c.now()
	var ttlSum float64 // Σ over shards of mean TTL × volatile entries
	c.lockAll()
	for i := range c.shards {
		ttlSum += c.shards[i].addStats(&st, now)
	}
	c.unlockAll()
	st.Hits, st.Misses = c.reads.Totals()
	if st.Expires > 0 {
		st.AvgTTL = time.Duration(ttlSum / float64(st.Expires))
	}
	c.budget.RaisePeak(st.UsedMemory)
	st.UsedMemoryPeak = c.budget.Peak()
	st.Overhead += st.PolicyMemory
	st.Dataset = max(0, st.UsedMemory-st.Overhead)
	st.ProcessHeapInuse, st.ProcessHeapObjects = readHeap()
	return st
}

// addStats adds the locked shard's figures to st and returns its mean TTL
// times its number of entries with a TTL.
func (s *kvShard[K, V]) addStats(st *Stats, now int64) float64 {
	st.UsedMemory += s.Lease.Charged()
	st.Keys += int64(s.LenLocked())
	st.Expires += int64(s.VolatileLocked())
	st.EvictedKeys += s.Counters.Evicted
	st.ExpiredKeys += s.Counters.Expired
	st.Writes += s.Counters.Writes
	st.PolicyMemory += s.PolicyBytesLocked()
	st.Overhead += int64(s.LenLocked())*s.EntryChargeLocked(0) + s.absent.Bytes()
	return s.MeanTTLLocked(now, avgTTLSamples) * float64(s.VolatileLocked())
}

// lockAll locks every shard, in order. No other code holds two shard
// locks but with TryLock, so the order cannot deadlock.
func (c *Cache[K, V]) lockAll() {
	for i := range c.shards {
		c.shards[i].Lock()
	}
}

// unlockAll unlocks every shard.
func (c *Cache[K, V]) unlockAll() {
	for i := range c.shards {
		c.shards[i].Unlock()
	}
}

// readHeap returns the process's heap bytes in use and heap objects.
func readHeap() (inuse, objects uint64) { return info.Heap() }

// PeakPerc is used_memory_peak_perc: UsedMemory as a percentage of
// UsedMemoryPeak (100 when nothing was ever stored).
func (s Stats) PeakPerc() float64 {
	if s.UsedMemoryPeak == 0 {
		return 100
	}
	return 100 * float64(s.UsedMemory) / float64(s.UsedMemoryPeak)
}

// field is one "name:value" line of INFO. Its value is a number, a name,
// or text for people (the _human fields); Map publishes it as it is.
type field struct {
	name  string
	value any
}

// percent is a share in percent: INFO writes it as Redis does ("95.33%"),
// Map publishes it as a number (see Stats.Map).
type percent float64

// String writes p as INFO does: two decimals and a percent sign.
func (p percent) String() string { return fmt.Sprintf("%.2f%%", float64(p)) }

// section is one "# Name" part of INFO.
type section struct {
	name   string
	fields []field
}

// sections lists the figures in INFO's order with Redis's field names.
func (s Stats) sections() []section {
	return []section{
		{"Memory", []field{
			{"used_memory", s.UsedMemory},
			{"used_memory_human", humanBytes(s.UsedMemory)},
			{"used_memory_peak", s.UsedMemoryPeak},
			{"used_memory_peak_human", humanBytes(s.UsedMemoryPeak)},
			{"used_memory_peak_perc", percent(s.PeakPerc())},
			{"used_memory_overhead", s.Overhead},
			{"used_memory_policy", s.PolicyMemory},
			{"used_memory_dataset", s.Dataset},
			{"used_memory_dataset_perc", percent(s.datasetPerc())},
			{"process_heap_inuse", s.ProcessHeapInuse},
			{"process_heap_inuse_human", humanBytes(int64(s.ProcessHeapInuse))},
			{"process_heap_objects", s.ProcessHeapObjects},
			{"maxmemory", s.MaxMemory},
			{"maxmemory_human", humanBytes(s.MaxMemory)},
			{"maxmemory_policy", s.Policy},
		}},
		{"Stats", []field{
			{"total_writes", s.Writes},
			{"keyspace_hits", s.Hits},
			{"keyspace_misses", s.Misses},
			{"evicted_keys", s.EvictedKeys},
			{"expired_keys", s.ExpiredKeys},
			{"total_oom_errors", s.OOMRejections},
			{"total_uncached_loads", s.UncachedLoads},
			{"total_loads", s.Loads},
			{"total_load_failures", s.LoadFailures},
			{"total_load_time_usec", s.LoadTime.Microseconds()},
			{"avg_load_time_usec", s.MeanLoadTime().Microseconds()},
			{"total_refreshes", s.Refreshes},
		}},
	}
}

// MeanLoadTime is avg_load_time_usec: LoadTime / Loads (0 before a load).
func (s Stats) MeanLoadTime() time.Duration { return s.LoadTime / time.Duration(max(s.Loads, 1)) }

// datasetPerc is used_memory_dataset_perc: Dataset as a share of UsedMemory.
func (s Stats) datasetPerc() float64 {
	if s.UsedMemory <= 0 {
		return 0
	}
	return 100 * float64(s.Dataset) / float64(s.UsedMemory)
}

// String renders the figures as Redis's INFO memory, INFO stats and INFO
// keyspace do: sections headed "# Name", "field:value" lines ending in
// CRLF, Redis's field names, and a "db0:keys=...,expires=...,avg_ttl=..."
// line (avg_ttl in milliseconds) when the cache holds keys.
// process_heap_inuse, process_heap_objects, total_writes and the load
// figures have no Redis counterpart. Redis's
// mem_fragmentation_ratio is left out: what the process's heap holds
// besides the cache's entries is the rest of the program's, not the
// cache's fragmentation.
func (s Stats) String() string {
	var b strings.Builder
	for _, sec := range s.sections() {
		fmt.Fprintf(&b, "# %s\r\n", sec.name)
		for _, f := range sec.fields {
			fmt.Fprintf(&b, "%s:%v\r\n", f.name, f.value)
		}
		b.WriteString("\r\n")
	}
	b.WriteString("# Keyspace\r\n")
	if s.Keys > 0 {
		fmt.Fprintf(&b, "db0:keys=%d,expires=%d,avg_ttl=%d\r\n",
			s.Keys, s.Expires, s.AvgTTL.Milliseconds())
	}
	return b.String()
}

// humanBytes formats n as Redis's bytesToHuman: 512B, 1.50K, 2.00M, ...
func humanBytes(n int64) string { return info.Bytes(n) }

// The counters Stats reports are kept in four places: the shards'
// Counters (evictions, expirations, writes), under each shard's lock; the
// stripes of reads (hits and misses); the budget's peak; and cacheStats,
// for what belongs to no shard. ResetStats zeroes them all.

// cacheStats are the counters of Stats kept for the cache as a whole.
type cacheStats struct {
	refused       refusals      // writes refused with ErrOOM
	uncachedLoads atomic.Uint64 // loaded values returned but not stored
	loads         flight.Meter  // the loader calls
}

// reset zeroes the counters.
func (cs *cacheStats) reset() {
	cs.refused.reset()
	cs.uncachedLoads.Store(0)
	cs.loads.Reset()
}

// refusals counts the writes refused with ErrOOM, each filed under its
// cause as judged when it was refused (the policy then, and whether the
// entry alone was larger than maxmemory then), so that Doctor judges it by
// the rules in force when it happened, not by the present ones.
type refusals struct {
	total   atomic.Uint64      // total_oom_errors
	mu      sync.Mutex         // guards the fields below
	causes  map[refusal]uint64 // refusals by cause; nil until the first
	largest int64              // the largest entry refused as larger than maxmemory
}

// refusal is the cause of a refused write, as judged when it was refused.
type refusal struct {
	policy   string // maxmemory-policy then
	tooLarge bool   // the entry alone was larger than maxmemory then
}

// add counts the refusal e reports.
func (r *refusals) add(e *OOMError) {
	r.total.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.causes == nil {
		r.causes = make(map[refusal]uint64)
	}
	r.causes[refusal{e.Policy, e.TooLarge}]++
	if e.TooLarge {
		r.largest = max(r.largest, e.Need)
	}
}

// snapshot returns a copy of the counts by cause and the largest entry
// refused as too large.
func (r *refusals) snapshot() (causes map[refusal]uint64, largest int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.causes), r.largest
}

// reset zeroes the counts.
func (r *refusals) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total.Store(0)
	r.causes, r.largest = nil, 0
}

// ResetStats zeroes the counters of Stats, as Redis's CONFIG RESETSTAT
// does: keyspace_hits, keyspace_misses, evicted_keys, expired_keys,
// total_writes, total_oom_errors (with the causes Doctor reads) and the
// load figures, and starts used_memory_peak again from
// used_memory. The figures that describe the present (used_memory, keys,
// maxmemory, ...) are unchanged.
func (c *Cache[K, V]) ResetStats() {
	c.lockAll()
	for i := range c.shards {
		c.shards[i].Counters = shard.Counters{}
	}
	c.budget.ResetPeak()
	c.reads.Reset()
	c.unlockAll()
	c.stats.reset()
}
