package maxmem

import (
	"math/rand/v2"
	"sync"
)

// The sampling pool
//
// The sampling policies (LFU, random, and any policy written outside the
// package) evict as Redis's evict.c does: each eviction takes Samples
// random candidates from one shard, chosen with probability proportional
// to the entries it may evict (the policy is asked Samples times, each time
// to sample one entry), and adds each to a pool of the sixteen best
// candidates seen so far; then it evicts the pool's best. The pool carries
// good candidates from one eviction to the next, so a handful of samples
// per eviction approximates the policy's ideal victim well, and an eviction
// costs one shard's samples instead of every shard's.
//
// A pooled candidate may be stale: touched, rewritten, or removed since it
// was sampled. Each one records the entry's recency stamp and hash bits,
// and is evicted only if both still match (a touch or a write gives the
// entry a new stamp); stale ones are dropped.

// poolSize is the number of candidates kept, as Redis's EVPOOL_SIZE.
const poolSize = 16

// pooled is one candidate in the pool.
type pooled struct {
	shard uint32
	slot  uint32
	hash  uint32 // the key's hash bits, to recognise the entry
	stamp uint64 // its recency stamp when sampled
	score uint64
}

// pool holds the best candidates, sorted by score, best last, and the
// random source that picks the shards to sample.
type pool struct {
	mu     sync.Mutex
	policy *policyState // the policy the scores belong to
	n      int
	e      [poolSize]pooled
	rng    rand.PCG
}

// rand returns a random number from the pool's seeded source.
func (pl *pool) rand() uint64 {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.rng.Uint64()
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
func (c *Cache[K, V]) evictSampled(p *policyState, credit *int64, fx *effects[K, V]) bool {
	c.sampleInto(p)
	for {
		cand, ok := c.pool.pop(p)
		if !ok {
			return c.evictAsked(p, credit, fx)
		}
		if c.evictFrom(&c.shards[cand.shard], credit, fx, cand.stillThere) {
			return true
		}
	}
}

// stillThere returns the pooled candidate's slot in its locked shard if
// it still names the same entry, untouched since it was sampled.
func (cand pooled) stillThere(l *ledger) (uint32, Reason, bool) {
	ok := cand.slot <= l.n && l.node(cand.slot).getStamp() == cand.stamp && l.node(cand.slot).hash == cand.hash
	return cand.slot, Evicted, ok
}

// sampleInto takes Samples one-entry samples of the policy in one random
// shard and adds them to the pool.
func (c *Cache[K, V]) sampleInto(p *policyState) {
	i := c.randomShard(p.volatile)
	if i < 0 {
		return
	}
	s := &c.shards[i]
	s.lockAndDrain()
	defer s.unlock()
	s.view = viewState{samples: 1}
	defer func() { s.view = viewState{} }()
	for range c.cfg.Samples {
		cand, ok := p.p.Victim(&s.ledger)
		if !ok || !s.names(cand.Entry) {
			return
		}
		c.pool.add(p, pooled{shard: uint32(i), slot: cand.Entry.slot, hash: cand.Entry.hash,
			stamp: cand.Entry.stamp, score: cand.Score})
	}
}

// names reports whether e names a resident entry of the locked shard (a
// custom policy could hand back anything).
func (l *ledger) names(e Entry) bool {
	return e.slot >= 1 && e.slot <= l.n && l.node(e.slot).hash == e.hash
}

// randomShard returns a shard index chosen with probability proportional to
// the entries a policy may evict there (those with a TTL if volatileOnly),
// or -1 if there are none.
func (c *Cache[K, V]) randomShard(volatileOnly bool) int {
	weight := func(s *shard[K, V]) int64 {
		if volatileOnly {
			return s.pub.ttls.Load()
		}
		return s.pub.count.Load()
	}
	var total int64
	for i := range c.shards {
		total += weight(&c.shards[i])
	}
	if total <= 0 {
		return -1
	}
	r := int64(c.pool.rand() % uint64(total))
	for i := range c.shards {
		if r -= weight(&c.shards[i]); r < 0 {
			return i
		}
	}
	return len(c.shards) - 1 // counts moved while we walked
}

// evictAsked asks every shard for the policy's victim, then evicts the
// best of them, if its shard still names it.
func (c *Cache[K, V]) evictAsked(p *policyState, credit *int64, fx *effects[K, V]) bool {
	best, found := pooled{}, false
	for i := range c.shards {
		s := &c.shards[i]
		if s.pub.count.Load() == 0 {
			continue
		}
		if cand, ok := c.askLocked(s, p, uint32(i)); ok && (!found || cand.score > best.score) {
			best, found = cand, true
		}
	}
	return found && c.evictFrom(&c.shards[best.shard], credit, fx, best.stillThere)
}

// askLocked asks the policy for the victim of shard i, under its lock.
func (c *Cache[K, V]) askLocked(s *shard[K, V], p *policyState, i uint32) (pooled, bool) {
	s.lockAndDrain()
	defer s.unlock() // a custom Policy may panic
	s.view = viewState{}
	cand, ok := p.p.Victim(&s.ledger)
	if !ok || !s.names(cand.Entry) {
		return pooled{}, false
	}
	return pooled{shard: i, slot: cand.Entry.slot, hash: cand.Entry.hash, stamp: cand.Entry.stamp, score: cand.Score}, true
}
