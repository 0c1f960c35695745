// Package maxmemprom exports a maxmem cache's Stats to Prometheus.
//
// The metrics carry redis_exporter's names with the maxmem_ prefix in
// place of redis_ (maxmem_memory_used_bytes, maxmem_keyspace_hits_total,
// maxmem_db_keys{db="db0"}, ...), so a Redis dashboard adapts with a
// find-and-replace. Each metric has a constant label cache, the name given
// to New or NewCollector, so several caches of one process can be
// registered in one registry.
//
// Wiring a cache takes one line:
//
//	prometheus.MustRegister(maxmemprom.New("sessions", cache))
//
// Counters (the _total metrics) are the cache's own, so they start again
// from 0 when the cache is created or its ResetStats is called; Prometheus's
// rate and increase read that as a counter reset. Stats' ProcessHeapInuse
// and ProcessHeapObjects are not exported: they describe the whole process,
// not the cache, and client_golang's Go collector already exports them as
// go_memstats_heap_inuse_bytes and go_memstats_heap_objects.
package maxmemprom

import (
	"maps"

	"github.com/maxmem/maxmem"
	"github.com/prometheus/client_golang/prometheus"
)

// prefix starts every metric's name, where redis_exporter writes redis_.
const prefix = "maxmem_"

// The two kinds of metric.
const (
	gauge   = prometheus.GaugeValue   // a level: it goes up and down
	counter = prometheus.CounterValue // a count since the stats were last reset
)

// metric describes one metric the collector reads off a Stats snapshot.
// A new field of Stats is exported by adding one row to metrics.
type metric struct {
	name  string               // after prefix
	help  string               // one line
	kind  prometheus.ValueType // gauge or counter
	value func(maxmem.Stats) float64
	// fixed are labels with one value for this metric (besides cache), as
	// redis_exporter has db="db0" on the keyspace metrics; nil if none.
	fixed prometheus.Labels
	// label names a label whose value is read from Stats by labelValue, as
	// the policy of an info-style metric; "" if none.
	label      string
	labelValue func(maxmem.Stats) string
}

// db0 is the db label of the keyspace metrics: a cache is one keyspace,
// which INFO keyspace calls db0.
var db0 = prometheus.Labels{"db": "db0"}

// metrics are the metrics every collector exports, in the order of INFO.
var metrics = []metric{
	{name: "memory_used_bytes", kind: gauge,
		help:  "Bytes charged to the budget: keys, values and the cache's own overhead (used_memory).",
		value: func(s maxmem.Stats) float64 { return float64(s.UsedMemory) }},
	{name: "memory_used_peak_bytes", kind: gauge,
		help:  "The most bytes ever charged since the cache was created or its stats reset (used_memory_peak).",
		value: func(s maxmem.Stats) float64 { return float64(s.UsedMemoryPeak) }},
	{name: "memory_used_overhead_bytes", kind: gauge,
		help:  "The cache's own bytes: per-entry overhead plus the policy's memory (used_memory_overhead).",
		value: func(s maxmem.Stats) float64 { return float64(s.Overhead) }},
	{name: "memory_used_policy_bytes", kind: gauge,
		help:  "Bytes the policy keeps besides the entries, such as allkeys-tinylfu's sketches (used_memory_policy).",
		value: func(s maxmem.Stats) float64 { return float64(s.PolicyMemory) }},
	{name: "memory_used_dataset_bytes", kind: gauge,
		help:  "Bytes of keys and values as the Sizer counts them (used_memory_dataset).",
		value: func(s maxmem.Stats) float64 { return float64(s.Dataset) }},
	{name: "memory_max_bytes", kind: gauge,
		help:  "The byte budget; 0 means no limit (maxmemory).",
		value: func(s maxmem.Stats) float64 { return float64(s.MaxMemory) }},
	{name: "config_maxmemory_policy", kind: gauge, label: "policy",
		help:       "The eviction policy in force, as its label; always 1 (maxmemory_policy).",
		value:      func(maxmem.Stats) float64 { return 1 },
		labelValue: func(s maxmem.Stats) string { return s.Policy }},
	{name: "writes_total", kind: counter,
		help:  "Writes and TTL changes the cache accepted (total_writes).",
		value: func(s maxmem.Stats) float64 { return float64(s.Writes) }},
	{name: "keyspace_hits_total", kind: counter,
		help:  "Reads that found their key (keyspace_hits).",
		value: func(s maxmem.Stats) float64 { return float64(s.Hits) }},
	{name: "keyspace_misses_total", kind: counter,
		help:  "Reads that did not find their key (keyspace_misses).",
		value: func(s maxmem.Stats) float64 { return float64(s.Misses) }},
	{name: "evicted_keys_total", kind: counter,
		help:  "Keys the policy evicted to make room (evicted_keys).",
		value: func(s maxmem.Stats) float64 { return float64(s.EvictedKeys) }},
	{name: "expired_keys_total", kind: counter,
		help:  "Keys removed because their TTL passed (expired_keys).",
		value: func(s maxmem.Stats) float64 { return float64(s.ExpiredKeys) }},
	{name: "errors_total", kind: counter, fixed: prometheus.Labels{"err": "OOM"},
		help:  "Writes refused with ErrOOM, by error; Redis counts them as errorstat_OOM (total_oom_errors).",
		value: func(s maxmem.Stats) float64 { return float64(s.OOMRejections) }},
	{name: "uncached_loads_total", kind: counter,
		help:  "Values loaded and returned but not stored: they did not fit, came with a negative TTL or after Close (total_uncached_loads).",
		value: func(s maxmem.Stats) float64 { return float64(s.UncachedLoads) }},
	{name: "loads_total", kind: counter,
		help:  "Loader calls of GetOrLoad, GetOrLoadAll and refreshes (total_loads).",
		value: func(s maxmem.Stats) float64 { return float64(s.Loads) }},
	{name: "load_failures_total", kind: counter,
		help:  "Loader calls that failed or panicked; a not-found is no failure (total_load_failures).",
		value: func(s maxmem.Stats) float64 { return float64(s.LoadFailures) }},
	{name: "load_duration_seconds_total", kind: counter,
		help:  "Time the loader calls took, by the cache's clock; divide by maxmem_loads_total for the mean (total_load_time_usec).",
		value: func(s maxmem.Stats) float64 { return s.LoadTime.Seconds() }},
	{name: "refreshes_total", kind: counter,
		help:  "Background reloads that RefreshAfter started (total_refreshes).",
		value: func(s maxmem.Stats) float64 { return float64(s.Refreshes) }},
	{name: "db_keys", kind: gauge, fixed: db0,
		help:  "Keys resident in the cache (keys of INFO keyspace).",
		value: func(s maxmem.Stats) float64 { return float64(s.Keys) }},
	{name: "db_keys_expiring", kind: gauge, fixed: db0,
		help:  "Keys with a TTL (expires of INFO keyspace).",
		value: func(s maxmem.Stats) float64 { return float64(s.Expires) }},
	{name: "db_avg_ttl_seconds", kind: gauge, fixed: db0,
		help:  "Estimated mean time left of the keys with a TTL, 0 if none (avg_ttl of INFO keyspace).",
		value: func(s maxmem.Stats) float64 { return s.AvgTTL.Seconds() }},
}

// collector is a prometheus.Collector over one cache's Stats.
type collector struct {
	stats func() maxmem.Stats
	descs []*prometheus.Desc // descs[i] describes metrics[i]
}

// NewCollector returns a prometheus.Collector that reads stats once per
// scrape and exports its figures, each labelled cache=name. stats is
// usually a cache's Stats method (New passes it); it must not be nil. name
// tells apart the caches registered in one registry: two collectors with
// the same name conflict there.
func NewCollector(name string, stats func() maxmem.Stats) prometheus.Collector {
	c := &collector{stats: stats, descs: make([]*prometheus.Desc, len(metrics))}
	for i, m := range metrics {
		labels := prometheus.Labels{"cache": name}
		maps.Copy(labels, m.fixed)
		var variable []string
		if m.label != "" {
			variable = []string{m.label}
		}
		c.descs[i] = prometheus.NewDesc(prefix+m.name, m.help, variable, labels)
	}
	return c
}

// New returns a prometheus.Collector over cache's Stats, its metrics
// labelled cache=name; see NewCollector.
func New[K comparable, V any](name string, cache *maxmem.Cache[K, V]) prometheus.Collector {
	return NewCollector(name, cache.Stats)
}

// Describe sends the descriptions of every metric the collector exports.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect takes one Stats snapshot and sends every metric read off it, so
// the figures of one scrape are of one instant.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	for i, m := range metrics {
		var values []string
		if m.labelValue != nil {
			values = []string{m.labelValue(s)}
		}
		pm, err := prometheus.NewConstMetric(c.descs[i], m.kind, m.value(s), values...)
		if err != nil { // a label value that is not UTF-8, say
			pm = prometheus.NewInvalidMetric(c.descs[i], err)
		}
		ch <- pm
	}
}
