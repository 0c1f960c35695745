package sim

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/maxmem/maxmem"
)

// MaxmemPolicies are the policies maxmem accepts: Redis's ten and its own.
var MaxmemPolicies = []string{
	"noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu",
	"allkeys-random", "volatile-random", "volatile-ttl", "allkeys-lrm", "volatile-lrm",
	"allkeys-tinylfu",
}

// MaxmemCPUs is the CPU count the simulated maxmem caches choose their
// shards for (maxmem.DefaultShards: 8 shards, fewer for budgets under
// 512 KiB, one below 128 KiB), so results do not depend on the machine's.
const MaxmemCPUs = 2

// MaxmemShards is the shard count of a simulated maxmem cache with a large
// budget.
var MaxmemShards = maxmem.DefaultShards(0, MaxmemCPUs)

// volatileTTL is the TTL every entry gets under volatile-* policies: long
// enough that nothing expires during a replay, so every entry is evictable
// and only the policy decides.
const volatileTTL = 10_000 * time.Hour

// LogicalClock is a maxmem Clock that advances one millisecond per request,
// matching the Redis references' RequestsPerMinute. maxmem's sweeper reads
// it from its own goroutine while the replay advances it, hence the atomic.
type LogicalClock struct{ ms atomic.Int64 }

// clockBase is the fixed origin of logical time.
var clockBase = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Now returns the logical time.
func (l *LogicalClock) Now() time.Time {
	return clockBase.Add(time.Duration(l.ms.Load()) * time.Millisecond)
}

// Tick advances the clock by one request.
func (l *LogicalClock) Tick() { l.ms.Add(1) }

// maxmemCache adapts maxmem. Values are the request sizes; the Sizer
// charges the size on weighted traces and 1 per entry otherwise.
type maxmemCache struct {
	c        *maxmem.Cache[uint64, int64]
	clock    *LogicalClock
	budget   int64
	volatile bool
}

// MaxmemFactory returns a factory for maxmem under the named policy. On
// entry-count traces the byte budget holds Capacity entries: Capacity times
// what maxmem charges one entry (MemoryUsage after inserting one, which
// includes maxmem's per-entry overhead), plus what the policy itself keeps
// in the budget for that many entries (allkeys-tinylfu's sketch and judge), which
// the peers' own sketches do not count against their capacity either. On
// weighted traces it is Capacity bytes, and maxmem charges its per-entry
// overhead on top of each object's size.
func MaxmemFactory(policy string) Factory {
	return Factory{
		Name:     "maxmem " + policy,
		Weighted: true,
		New:      func(s Spec) (Cache, error) { return newMaxmem(policy, s, true) },
	}
}

// MaxmemStrictFactory is MaxmemFactory without room for the policy's own
// bytes: on entry-count traces the policy's memory then displaces entries.
func MaxmemStrictFactory(policy string) Factory {
	return Factory{
		Name:     "maxmem " + policy + " (policy memory inside N)",
		Weighted: true,
		New:      func(s Spec) (Cache, error) { return newMaxmem(policy, s, false) },
	}
}

// newMaxmem builds a maxmem cache for spec under policy; roomForPolicy adds
// the policy's own bytes to the budget of an entry-count trace.
func newMaxmem(policy string, s Spec, roomForPolicy bool) (Cache, error) {
	budget := s.Capacity
	if !s.Weighted {
		per, err := maxmemEntryCharge(policy, s.Seed)
		if err != nil {
			return nil, err
		}
		budget = s.Capacity * per
		if roomForPolicy {
			extra, err := maxmemPolicyMemory(policy, s.Capacity, budget, s.Seed)
			if err != nil {
				return nil, err
			}
			budget += extra
		}
	}
	return openMaxmem(policy, budget, s.Weighted, s.Seed)
}

// maxmemPolicyMemory returns the bytes the policy keeps besides n entries
// that take budget bytes (Stats.PolicyMemory). The policy sizes what it
// keeps from the budget it is given, which includes those bytes, and from
// how its shards fill, so the answer is a fixed point: extra such that a
// cache of budget + extra bytes holds the n entries and keeps extra. It is
// sought from a budget a half larger (nothing is evicted), then each time
// from the budget plus what the last probe kept. Stopping before the fixed
// point would give the policy fewer bytes than it was allowed for, and
// the cache more than n entries, or more, and the cache fewer. A probe
// that held fewer than n entries while keeping no more than it was
// allowed evicted on the way (a shard's policy grew before another's
// shrank): the budget then gets one entry's bytes more.
func maxmemPolicyMemory(policy string, n, budget int64, seed uint64) (int64, error) {
	extra := budget / 2
	for range 20 {
		kept, held, err := probePolicyMemory(policy, n, budget+extra, seed)
		switch {
		case err != nil || kept == extra && held == n || kept == 0:
			return kept, err
		case held < n && kept <= extra:
			extra += budget / n // evicted on the way, not for the policy's bytes: one entry more
		default:
			extra = kept
		}
	}
	return 0, fmt.Errorf("maxmem %s: the policy's memory for %d entries does not settle", policy, n)
}

// probePolicyMemory fills a cache of budget bytes with n entries and
// returns Stats.PolicyMemory and the entries it holds.
func probePolicyMemory(policy string, n, budget int64, seed uint64) (kept, held int64, err error) {
	probe, err := openMaxmem(policy, budget, false, seed)
	if err != nil {
		return 0, 0, err
	}
	defer probe.Close()
	for k := range uint64(n) {
		probe.Set(k, 1)
	}
	st := probe.c.Stats()
	return st.PolicyMemory, st.Keys, nil
}

// MaxmemOverhead returns what maxmem charges an entry of this simulator
// (a uint64 key, an int64 value the Sizer charges 1) beyond that 1 under
// allkeys-lru: its per-entry overhead.
func MaxmemOverhead() (int64, error) {
	n, err := maxmemEntryCharge("allkeys-lru", 1)
	return n - 1, err
}

// maxmemEntryCharge inserts one entry into a roomy cache and returns what
// maxmem charges for it.
func maxmemEntryCharge(policy string, seed uint64) (int64, error) {
	probe, err := openMaxmem(policy, 1<<40, false, seed)
	if err != nil {
		return 0, err
	}
	defer probe.Close()
	probe.Set(1, 1)
	n, ok := probe.c.MemoryUsage(1)
	if !ok || n <= 0 {
		return 0, fmt.Errorf("maxmem %s: no MemoryUsage for a fresh entry", policy)
	}
	return n, nil
}

// openMaxmem creates the cache with a byte budget.
func openMaxmem(policy string, budget int64, weighted bool, seed uint64) (*maxmemCache, error) {
	p, err := maxmem.ParsePolicy(policy)
	if err != nil {
		return nil, err
	}
	sizer := func(uint64, int64) int64 { return 1 }
	if weighted {
		sizer = func(_ uint64, size int64) int64 { return size }
	}
	clock := &LogicalClock{}
	c, err := maxmem.New(maxmem.Options[uint64, int64]{
		MaxMemory: budget,
		Policy:    p,
		Sizer:     sizer,
		Shards:    maxmem.DefaultShards(budget, MaxmemCPUs),
		Clock:     clock,
		Seed:      seed,
	})
	if err != nil {
		return nil, fmt.Errorf("maxmem %s: %w", policy, err)
	}
	return &maxmemCache{c: c, clock: clock, budget: budget, volatile: len(policy) > 9 && policy[:9] == "volatile-"}, nil
}

// Get advances the logical clock by one request and looks key up.
func (m *maxmemCache) Get(key uint64) bool {
	m.clock.Tick()
	_, ok := m.c.Get(key)
	return ok
}

// Set stores key; an out-of-memory refusal (noeviction when full, or an
// object larger than the budget) leaves it uncached, a miss next time.
func (m *maxmemCache) Set(key uint64, size int64) {
	if m.volatile {
		_ = m.c.SetWithTTL(key, size, volatileTTL)
		return
	}
	_ = m.c.Set(key, size)
}

// CheckBudget reports an error if the cache ever charged more than its
// budget (used_memory_peak above MaxMemory).
func (m *maxmemCache) CheckBudget() error {
	if peak := m.c.Stats().UsedMemoryPeak; peak > m.budget {
		return fmt.Errorf("used_memory_peak %d above maxmemory %d", peak, m.budget)
	}
	return nil
}

// Close closes the cache.
func (m *maxmemCache) Close() { _ = m.c.Close() }
