package maxmem

// Eviction
//
// A write that does not fit asks for one victim at a time (evictOne) until
// the bytes it freed, plus whatever room there is, cover its charge. The
// victim's bytes become the write's credit rather than free room, so no
// other writer can take them (see store in write.go).
//
// Expired entries go first: every shard publishes the earliest deadline in
// its TTL heap, so finding an expired entry costs one atomic load per shard
// and never a scan. Only when nothing has expired does the policy speak.
//
// The exact policies (LRU, LRM, TTL) name a candidate per shard, with a
// score, and the highest score in the whole cache is evicted. Each shard
// keeps an exact recency list and an exact TTL heap, so the per-shard
// candidates are the per-shard extremes and the best of them is the global
// extreme: where Redis samples five keys and keeps a pool of sixteen, maxmem
// evicts precisely the least recently used key. Recency is measured on
// one clock for all shards (see stamp.go), so candidates from different
// shards compare as their accesses happened. The built-in exact policies
// read their candidate straight from the ledger; others see it through
// the Shard view. The sampling policies (LFU, random, custom ones) go
// through Redis's eviction pool instead: see pool.go.
//
// Shards are consulted one at a time, each under its own lock, with its
// recorded reads replayed first, and the winner is locked again to evict
// it; if it changed in between (its generation moved) it is asked again,
// so the victim is always chosen under the lock that removes it. A shard's
// answer is kept until the shard changes (a removal, a deadline, a new
// least recent entry), so a stream of evictions asks again only the shards
// that changed in between. Scores are absolute stamps and deadlines, so
// answers given at different moments still compare.

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"weak"
)

// candidateHint is the last victim an exact policy named in a shard,
// published so that an eviction can compare shards without locking the
// ones that have not changed. It is valid while the shard's generation
// equals gen and the policy is unchanged. Writers hold the shard lock and
// clear gen first; readers check gen before and after reading the rest.
type candidateHint struct {
	gen    atomic.Uint64 // the shard generation it belongs to; 0: none
	policy atomic.Pointer[policyState]
	slot   atomic.Uint32 // 0: the policy named no victim
	score  atomic.Uint64
}

// publish records the policy's answer for the current generation.
func (h *candidateHint) publish(gen uint64, p *policyState, slot uint32, score uint64) {
	h.gen.Store(0)
	if h.policy.Load() != p {
		h.policy.Store(p)
	}
	h.slot.Store(slot)
	h.score.Store(score)
	h.gen.Store(gen)
}

// read returns the published answer if it is current for generation gen
// and policy p.
func (h *candidateHint) read(gen uint64, p *policyState) (slot uint32, score uint64, fresh bool) {
	if h.gen.Load() != gen || h.policy.Load() != p {
		return 0, 0, false
	}
	slot, score = h.slot.Load(), h.score.Load()
	return slot, score, h.gen.Load() == gen
}

// evicted is an entry taken out to make room, with why and its charge. The
// caller decides what the charge becomes (a write's credit, or released)
// before it reports the entry to OnEvict, so a panicking callback cannot
// lose the bytes.
type evicted[K comparable, V any] struct {
	pair[K, V]
	reason Reason
	charge int64
}

// evictOne removes one entry to make room: an expired one if any, else the
// policy's victim. home is the shard of the write that needs the room (nil
// for none). It does not release the victim's charge. ok is false when
// nothing can be evicted.
func (c *Cache[K, V]) evictOne(p *policyState, now int64, home *shard[K, V]) (e evicted[K, V], ok bool) {
	if e, ok = c.expireOne(now); ok {
		return e, true
	}
	if p.admission {
		return c.evictAdmitted(p, home) // see admission.go
	}
	if !p.reusable {
		return c.evictSampled(p, now) // see pool.go
	}
	return c.evictVictim(p, now)
}

// evictionClock returns the time an eviction needs, or 0 when it needs
// none: the clock is read (slow on some machines) only when an entry has a
// TTL or the LFU counters decay.
func (c *Cache[K, V]) evictionClock(p *policyState) int64 {
	if p.frequency {
		return c.now()
	}
	for i := range c.shards {
		if c.shards[i].soonest.Load() != math.MaxInt64 {
			return c.now()
		}
	}
	return 0
}

// expireOne removes one entry whose deadline has passed, in any shard.
func (c *Cache[K, V]) expireOne(now int64) (evicted[K, V], bool) {
	for i := range c.shards {
		s := &c.shards[i]
		if s.soonest.Load() > now {
			continue
		}
		s.lockForWrite()
		gone, charge, ok := s.popExpiredLocked(now)
		s.unlock()
		if ok {
			return evicted[K, V]{gone, Expired, charge}, true
		}
	}
	return evicted[K, V]{}, false
}

// evictVictim evicts the policy's best candidate across all shards.
func (c *Cache[K, V]) evictVictim(p *policyState, now int64) (evicted[K, V], bool) {
	for {
		s, slot, gen := c.bestCandidate(p, now)
		if s == nil {
			return evicted[K, V]{}, false
		}
		if gone, charge, ok := c.evictFrom(s, slot, gen, p, now); ok {
			return evicted[K, V]{gone, Evicted, charge}, true
		}
		// the shard emptied meanwhile; look again
	}
}

// evictFrom removes the candidate at slot of s, or, if s changed since its
// generation was gen, the policy's victim there now.
func (c *Cache[K, V]) evictFrom(s *shard[K, V], slot uint32, gen uint64, p *policyState, now int64) (pair[K, V], int64, bool) {
	s.lockAndDrain()
	defer s.unlock() // a custom Policy may panic
	if s.gen.Load() != gen {
		if slot, _ = c.candidateLocked(s, p, now); slot == 0 {
			return pair[K, V]{}, 0, false
		}
	}
	gone, charge := s.removeLocked(slot)
	s.counters.evicted++
	return gone, charge, true
}

// bestCandidate asks every non-empty shard for its victim and returns the
// shard with the highest score, the slot, and the shard's generation then.
// A shard whose published answer is still current is not locked.
func (c *Cache[K, V]) bestCandidate(p *policyState, now int64) (*shard[K, V], uint32, uint64) {
	var (
		best      *shard[K, V]
		bestSlot  uint32
		bestGen   uint64
		bestScore uint64
	)
	for i := range c.shards {
		s := &c.shards[i]
		if s.count.Load() == 0 {
			continue
		}
		slot, score, gen := c.candidateOf(s, p, now)
		if slot != 0 && (best == nil || score > bestScore) {
			best, bestSlot, bestGen, bestScore = s, slot, gen, score
		}
	}
	return best, bestSlot, bestGen
}

// candidateOf returns p's victim in s (slot 0: none), its score, and the
// generation of s it belongs to: the published answer if it is current,
// else a fresh one under the lock.
func (c *Cache[K, V]) candidateOf(s *shard[K, V], p *policyState, now int64) (slot uint32, score, gen uint64) {
	if p.reusable && !s.pending() { // recorded reads may change the answer
		gen = s.gen.Load()
		if slot, score, fresh := s.hint.read(gen, p); fresh {
			return slot, score, gen
		}
	}
	s.lockAndDrain()
	defer s.unlock() // a custom Policy may panic
	slot, score = c.candidateLocked(s, p, now)
	return slot, score, s.gen.Load()
}

// candidateLocked returns the slot of p's victim in s (0: none) and its
// score: the published answer if s has not changed since, else a fresh
// one, checked to name a resident entry (a custom policy could hand back a
// zero Entry). An exact policy's fresh answer is published.
func (c *Cache[K, V]) candidateLocked(s *shard[K, V], p *policyState, now int64) (uint32, uint64) {
	gen := s.gen.Load()
	if p.reusable {
		if slot, score, fresh := s.hint.read(gen, p); fresh {
			return slot, score
		}
	}
	s.layoutLocked(p)
	if p.exact != nil {
		slot, score := p.exact.victimOf(&s.ledger)
		s.hint.publish(gen, p, slot, score)
		return slot, score
	}
	s.viewNow = now
	cand, ok := p.p.Victim(&s.ledger)
	slot := cand.Entry.slot
	if !ok || slot > s.n {
		slot, cand.Score = 0, 0
	}
	return slot, cand.Score
}

// shrink evicts until used memory is within MaxMemory again, or until the
// policy has nothing left to evict.
func (c *Cache[K, V]) shrink() {
	for c.budget.over() > 0 {
		p := c.policy.Load()
		e, ok := c.evictOne(p, c.evictionClock(p), nil)
		if !ok {
			return
		}
		c.budget.release(e.charge)
		c.notify(e.pair, e.reason)
	}
}

// sweepInterval is how often the background sweeper reclaims expired
// entries: ten times a second, as Redis's default hz.
const sweepInterval = 100 * time.Millisecond

// sweepBatch bounds how many entries a sweep removes under one lock hold.
const sweepBatch = 128

// sweep removes every expired entry, a batch at a time per shard.
func (c *Cache[K, V]) sweep() {
	now := c.now()
	var batch [sweepBatch]pair[K, V]
	for i := range c.shards {
		s := &c.shards[i]
		for s.soonest.Load() <= now {
			s.lockForWrite()
			n, freed := s.popExpiredBatchLocked(now, batch[:])
			s.unlock()
			c.budget.release(freed)
			for _, e := range batch[:n] {
				c.notify(e, Expired)
			}
			clear(batch[:n])
		}
	}
}

// sweeper runs sweep in the background until stopped, or until its cache
// is garbage: it holds the cache only weakly, and a cleanup stops it when
// the cache is collected without Close.
type sweeper struct {
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func startSweeper[K comparable, V any](c *Cache[K, V]) *sweeper {
	sw := &sweeper{quit: make(chan struct{}), done: make(chan struct{})}
	ref := weak.Make(c)
	go sw.run(func() bool {
		c := ref.Value()
		if c == nil {
			return false
		}
		c.sweep()
		return true
	})
	runtime.AddCleanup(c, func(sw *sweeper) { sw.signal() }, sw)
	return sw
}

func (sw *sweeper) run(tick func() bool) {
	defer close(sw.done)
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-sw.quit:
			return
		case <-t.C:
			if !tick() {
				return
			}
		}
	}
}

func (sw *sweeper) signal() { sw.once.Do(func() { close(sw.quit) }) }

// stop ends the sweeper and waits until it has.
func (sw *sweeper) stop() {
	sw.signal()
	<-sw.done
}
