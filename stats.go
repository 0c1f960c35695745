package maxmem

import (
	"fmt"
	"strings"
)

// Stats is a snapshot of the cache's INFO figures.
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
	OOMRejections  uint64 // writes refused with ErrOOM
}

// Stats returns the current figures. Each shard is read under its lock, one
// after the other, so the figures of a busy cache are not one instant's.
func (c *Cache[K, V]) Stats() Stats {
	st := Stats{
		UsedMemory:     c.budget.used.Load(),
		UsedMemoryPeak: c.budget.peak.Load(),
		MaxMemory:      c.budget.max.Load(),
		Policy:         c.policy.Load().p.Name(),
		OOMRejections:  c.oom.Load(),
	}
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		st.Keys += int64(len(s.kvs) - 1)
		st.Expires += int64(s.ttl.Len())
		st.Hits += s.counters.hits
		st.Misses += s.counters.misses
		st.EvictedKeys += s.counters.evicted
		st.ExpiredKeys += s.counters.expired
		s.mu.Unlock()
	}
	return st
}

// String renders the figures as Redis's INFO does: sections headed "# Name",
// "field:value" lines ending in CRLF, and Redis's field names.
func (s Stats) String() string {
	var b strings.Builder
	line := func(name string, value any) { fmt.Fprintf(&b, "%s:%v\r\n", name, value) }
	b.WriteString("# Memory\r\n")
	line("used_memory", s.UsedMemory)
	line("used_memory_human", humanBytes(s.UsedMemory))
	line("used_memory_peak", s.UsedMemoryPeak)
	line("used_memory_peak_human", humanBytes(s.UsedMemoryPeak))
	line("maxmemory", s.MaxMemory)
	line("maxmemory_human", humanBytes(s.MaxMemory))
	line("maxmemory_policy", s.Policy)
	b.WriteString("\r\n# Stats\r\n")
	line("keyspace_hits", s.Hits)
	line("keyspace_misses", s.Misses)
	line("evicted_keys", s.EvictedKeys)
	line("expired_keys", s.ExpiredKeys)
	line("total_oom_errors", s.OOMRejections)
	b.WriteString("\r\n# Keyspace\r\n")
	if s.Keys > 0 {
		fmt.Fprintf(&b, "db0:keys=%d,expires=%d\r\n", s.Keys, s.Expires)
	}
	return b.String()
}

// humanBytes formats n as Redis's bytesToHuman: 512B, 1.50K, 2.00M, ...
func humanBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%dB", n)
	}
	v := float64(n)
	for _, unit := range []string{"K", "M", "G", "T", "P"} {
		v /= 1024
		if v < 1024 || unit == "P" {
			return fmt.Sprintf("%.2f%s", v, unit)
		}
	}
	panic("unreachable")
}
