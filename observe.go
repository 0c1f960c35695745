package maxmem

import (
	"expvar"
	"log/slog"
	"sync"
)

// publishMu serializes Publish's check-then-publish.
var publishMu sync.Mutex

// Publish exports the cache's Stats through expvar under name (served as
// JSON at /debug/vars by net/http's default mux once expvar is imported),
// read afresh at every request, keyed by Redis's INFO field names. A name
// already published is an error, not expvar's panic; an empty name is an
// error wrapping ErrInvalidArgument.
//
// expvar has no Unpublish: the cache stays reachable from the variable,
// so publish long-lived caches only.
func (c *Cache[K, V]) Publish(name string) error {
	if name == "" {
		return invalid("Publish: empty name")
	}
	publishMu.Lock()
	defer publishMu.Unlock()
	if expvar.Get(name) != nil {
		return invalid("Publish: expvar %q is already published", name)
	}
	expvar.Publish(name, expvar.Func(func() any { return c.Stats().Map() }))
	return nil
}

// Map returns the figures keyed by their INFO names, with "keys",
// "expires" and "avg_ttl" (milliseconds) from the keyspace line; it is
// what Publish serves. Figures are numbers (percentages as float64, 95.33
// where INFO writes "95.33%"); only maxmemory_policy and the _human
// fields are text.
func (s Stats) Map() map[string]any {
	m := map[string]any{
		"keys":    s.Keys,
		"expires": s.Expires,
		"avg_ttl": s.AvgTTL.Milliseconds(),
	}
	for _, sec := range s.sections() {
		for _, f := range sec.fields {
			m[f.name] = f.value
			if p, ok := f.value.(percent); ok {
				m[f.name] = float64(p) // a number, not INFO's "95.33%"
			}
		}
	}
	return m
}

// LogValue makes Stats a log/slog group of the figures an operator looks
// at first, with INFO's names: slog.Info("cache", "stats", c.Stats()).
func (s Stats) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int64("used_memory", s.UsedMemory),
		slog.Int64("used_memory_peak", s.UsedMemoryPeak),
		slog.Int64("maxmemory", s.MaxMemory),
		slog.String("maxmemory_policy", s.Policy),
		slog.Int64("keys", s.Keys),
		slog.Int64("expires", s.Expires),
		slog.Uint64("keyspace_hits", s.Hits),
		slog.Uint64("keyspace_misses", s.Misses),
		slog.Uint64("evicted_keys", s.EvictedKeys),
		slog.Uint64("expired_keys", s.ExpiredKeys),
		slog.Uint64("total_oom_errors", s.OOMRejections),
		slog.Uint64("process_heap_inuse", s.ProcessHeapInuse),
	)
}
