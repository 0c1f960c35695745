// Package sim replays cache traces through simulated and real caches and
// measures their hit ratios.
//
// Every cache is driven the way a look-aside cache is used: each request is
// a Get; on a miss the key is Set with the request's size. The hit ratio is
// hits over all requests, from a cold cache.
//
// The package holds three reference policies written from their published
// descriptions — exact LRU, and Redis's sampled LRU and LFU with its
// 16-entry eviction pool (src/evict.c) — and adapters for peer caches.
package sim

import (
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// Cache is a cache under simulation. Capacities and sizes are in the same
// unit: entries (every request has size 1) or bytes.
type Cache interface {
	// Get looks key up and reports a hit.
	Get(key uint64) bool
	// Set inserts key, of the given size, after a miss. The cache may
	// decline it (too big, admission policy, out of memory).
	Set(key uint64, size int64)
	// Close releases the cache's resources.
	Close()
}

// BudgetChecker is a Cache that can tell, after a replay, whether it ever
// held more than its budget.
type BudgetChecker interface {
	CheckBudget() error
}

// Result counts the outcome of a replay.
type Result struct {
	Requests, Hits int64
}

// HitRatio returns hits / requests as a percentage, or 0 for no requests.
func (r Result) HitRatio() float64 {
	if r.Requests == 0 {
		return 0
	}
	return 100 * float64(r.Hits) / float64(r.Requests)
}

// Replay runs reqs through c and counts hits. Caches with logical clocks
// advance them in Get, which is called exactly once per request.
func Replay(c Cache, reqs []trace.Request) Result {
	var res Result
	for _, r := range reqs {
		res.Requests++
		if c.Get(r.Key) {
			res.Hits++
			continue
		}
		c.Set(r.Key, r.Size)
	}
	return res
}
