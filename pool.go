package maxmem

import "sync"

// The sampling pool
//
// The exact policies (LRU, LRM, TTL) compare every shard's extreme entry.
// The sampling ones (LFU, random, and any policy written outside the
// package) work as Redis's evict.c does: each eviction takes Samples random
// candidates from one shard, chosen with probability proportional to its
// size (the policy is asked Samples times, each time to sample one entry),
// and adds each to a pool of the sixteen best candidates seen so far; then
// it evicts the pool's best. The
// pool carries good candidates from one eviction to the next, so a handful
// of samples per eviction approximates the policy's ideal victim well, and
// an eviction costs one shard's samples instead of every shard's.
//
// A pooled candidate may be stale: touched, rewritten, or removed since it
// was sampled. Each one records the entry's recency stamp and key hash, and
// is evicted only if both still match (a touch or a write gives the entry a
// new stamp); stale ones are dropped.

// poolSize is the number of candidates kept, as Redis's EVPOOL_SIZE.
const poolSize = 16

// pooled is one candidate in the pool.
type pooled struct {
	shard uint32
	slot  uint32
	hash  uint64 // of the key, to recognise the entry
	stamp uint64 // its recency stamp when sampled
	score uint64
}

// pool holds the best candidates, sorted by score, best last.
type pool struct {
	mu     sync.Mutex
	policy *policyState // the policy the scores belong to
	n      int
	e      [poolSize]pooled
}

// add offers a candidate scored by policy p, keeping the best poolSize.
func (pl *pool) add(p *policyState, c pooled) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.reset(p)
	if pl.n == poolSize {
		if c.score <= pl.e[0].score {
			return
		}
		copy(pl.e[:], pl.e[1:]) // drop the worst
		pl.n--
	}
	i := pl.n
	for i > 0 && pl.e[i-1].score > c.score {
		pl.e[i] = pl.e[i-1]
		i--
	}
	pl.e[i] = c
	pl.n++
}

// pop takes out the best candidate scored by policy p.
func (pl *pool) pop(p *policyState) (pooled, bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.reset(p)
	if pl.n == 0 {
		return pooled{}, false
	}
	pl.n--
	return pl.e[pl.n], true
}

// reset empties the pool if its scores belong to another policy.
func (pl *pool) reset(p *policyState) {
	if pl.policy != p {
		pl.policy, pl.n = p, 0
	}
}

// evictSampled evicts by the sampling pool; when the pool has nothing
// valid it falls back to asking every shard, which also tells whether
// anything can be evicted at all.
func (c *Cache[K, V]) evictSampled(p *policyState, now int64) (evicted[K, V], bool) {
	c.sampleInto(p, now)
	for {
		cand, ok := c.pool.pop(p)
		if !ok {
			return c.evictVictim(p, now)
		}
		if e, ok := c.evictPooled(cand); ok {
			return e, true
		}
	}
}

// sampleInto takes Samples one-entry samples of the policy in one
// size-weighted random shard and adds them to the pool.
func (c *Cache[K, V]) sampleInto(p *policyState, now int64) {
	i := c.randomShard()
	if i < 0 {
		return
	}
	s := &c.shards[i]
	s.lockAndDrain()
	defer s.unlock()
	s.viewSamples = 1
	defer func() { s.viewSamples = 0 }()
	for range c.cfg.Samples {
		slot, score := c.candidateLocked(s, p, now)
		if slot == 0 {
			return
		}
		c.pool.add(p, pooled{shard: uint32(i), slot: slot, hash: s.hashOf(slot),
			stamp: s.node(slot).stamp, score: score})
	}
}

// randomShard returns a shard index chosen with probability proportional to
// its entry count, or -1 if the cache is empty.
func (c *Cache[K, V]) randomShard() int {
	var total int64
	for i := range c.shards {
		total += c.shards[i].count.Load()
	}
	if total <= 0 {
		return -1
	}
	s0 := &c.shards[0]
	s0.lockForWrite()
	r := int64(s0.rng.Uint64() % uint64(total))
	s0.unlock()
	for i := range c.shards {
		if r -= c.shards[i].count.Load(); r < 0 {
			return i
		}
	}
	return len(c.shards) - 1 // counts moved while we walked
}

// evictPooled evicts a pooled candidate if it still names the same entry.
func (c *Cache[K, V]) evictPooled(cand pooled) (evicted[K, V], bool) {
	s := &c.shards[cand.shard]
	s.lockAndDrain()
	defer s.unlock()
	if cand.slot > s.n || s.node(cand.slot).stamp != cand.stamp ||
		s.hashOf(cand.slot) != cand.hash {
		return evicted[K, V]{}, false
	}
	gone, charge := s.removeLocked(cand.slot)
	s.counters.evicted++
	return evicted[K, V]{gone, Evicted, charge}, true
}
