package maxmem

import (
	"cmp"
	"math"

	"github.com/maxmem/maxmem/internal/shard"
)

// Eviction
//
// A write that does not fit evicts one entry at a time until it does, as
// Redis does: in its own shard first, where it holds the lock already, by
// the policy's recency buckets, pool, heap or admission layout
// (internal/shard). Each shard publishes the rank of its best victim; the
// write compares its own victim with that of one peer chosen at random
// and, if the peer's ranks higher (an expired entry ranks highest), evicts
// there instead, provided the peer's lock is free: the two locks are then
// held together, and the bytes move from the peer's lease to the
// writer's. Under LRU, LRM and allkeys-tinylfu every victim ranks alike,
// so a write evicts in its own shard unless the shard has no victim or
// holds less than half its share of the budget (then it looks to the peer
// first). Only when neither holds anything the policy may take does the
// write let go of its lock and look at every shard (evictAnywhere).
// OnEvict hears of what left once the locks are released (effects).

// evictFor evicts one entry for a write to the locked shard s, there or
// in a peer, and reports whether it did.
func (c *Cache[K, V]) evictFor(s *kvShard[K, V], fx *effects[K, V]) bool {
	spared := s.SparedLocked()
	var v shard.Victim
	ok := false
	if !spared {
		v, ok = s.VictimLocked()
	}
	if c.evictPeer(s, v, ok, fx) {
		return true
	}
	if spared {
		v, ok = s.VictimLocked()
	}
	if !ok {
		return false
	}
	s.Lease.Release(c.evict(s, v, fx))
	return true
}

// evictPeer evicts the victim of a peer of s if it ranks above s's own
// (any victim, when s has none: ok false) and the peer's lock is free,
// moving its bytes to s's lease. The peer is chosen at random; under the
// random policies, in proportion to the entries it may evict, so that
// every entry of the cache is as likely to go; under volatile-ttl, the
// shard with the earliest deadline.
func (c *Cache[K, V]) evictPeer(s *kvShard[K, V], own shard.Victim, ok bool, fx *effects[K, V]) bool {
	p := c.peer(s)
	if p == nil {
		return false
	}
	rank := p.PublishedRank(c.soonestBound(p))
	if c.core.Policy.Load().Kind == shard.Random {
		rank, ok = 1, false // whichever the weighted draw named
	}
	if rank == 0 || ok && rank <= own.Rank || !p.TryLock() {
		return false
	}
	defer p.Unlock()
	v, pok := p.VictimLocked()
	if !pok || ok && v.Rank <= own.Rank {
		return false
	}
	credit := p.Lease.HandOver(c.evict(p, v, fx))
	s.Lease.Absorb(&credit)
	return true
}

// peer returns the shard s compares its victim with: another shard chosen
// at random, or, under the random policies, any shard in proportion to the
// entries it may evict (nil when that is s itself, or there is no other).
func (c *Cache[K, V]) peer(s *kvShard[K, V]) *kvShard[K, V] {
	if len(c.shards) == 1 {
		return nil
	}
	switch p := c.core.Policy.Load(); p.Kind {
	case shard.Random:
		if t := c.weightedShard(s, p.Volatile); t != s {
			return t
		}
		return nil
	case shard.TTL:
		return c.soonestShard(s)
	}
	i := int(s.Rand() % uint64(len(c.shards)-1))
	if &c.shards[i] == s {
		i = len(c.shards) - 1
	}
	return &c.shards[i]
}

// soonestShard returns the shard other than s whose earliest deadline, as
// published, comes first (nil if none has one): volatile-ttl compares
// every shard, an atomic load each, so that its victim is the entry
// closest to its deadline in the whole cache, as far as the shards'
// locks let it take it.
func (c *Cache[K, V]) soonestShard(s *kvShard[K, V]) *kvShard[K, V] {
	var best *kvShard[K, V]
	for i := range c.shards {
		if t := &c.shards[i]; t != s && (best == nil || t.Soonest() < best.Soonest()) {
			best = t
		}
	}
	if best == nil || best.Soonest() == math.MaxInt64 {
		return nil
	}
	return best
}

// weightedShard returns a shard chosen with probability proportional to
// the entries (with a TTL, if volatile) it holds as last published, drawn
// from the locked s's source; s if there are none.
func (c *Cache[K, V]) weightedShard(s *kvShard[K, V], volatile bool) *kvShard[K, V] {
	return cmp.Or(c.drawShard(s.Rand(), volatile), s)
}

// drawShard returns the shard that random number r picks with probability
// proportional to the entries (with a TTL, if volatile) each holds as last
// published; nil if none holds any.
func (c *Cache[K, V]) drawShard(r uint64, volatile bool) *kvShard[K, V] {
	weight := func(t *kvShard[K, V]) int64 {
		if volatile {
			return t.Volatile()
		}
		return t.Count()
	}
	var total int64
	for i := range c.shards {
		total += weight(&c.shards[i])
	}
	if total <= 0 {
		return nil
	}
	n := int64(r % uint64(total))
	for i := range c.shards {
		if n -= weight(&c.shards[i]); n < 0 {
			return &c.shards[i]
		}
	}
	return nil
}

// soonestBound returns the time against which a peer's published deadline
// is judged expired: the cache clock, read only if the peer has a deadline.
func (c *Cache[K, V]) soonestBound(p *kvShard[K, V]) int64 {
	if p.Volatile() == 0 {
		return 0
	}
	return c.now()
}

// evictAnywhere evicts one victim from any shard, starting at a random
// one and locking each in turn, and adds its bytes to credit; it reports
// false when no shard has anything the policy may take. No lock may be
// held.
func (c *Cache[K, V]) evictAnywhere(credit *int64, fx *effects[K, V]) bool {
	start := int(c.reads.Rand() % uint64(len(c.shards)))
	for i := range c.shards {
		if c.evictIn(&c.shards[(start+i)%len(c.shards)], credit, fx) {
			return true
		}
	}
	return false
}

// evictIn locks s and evicts its victim, if it has one, adding its bytes
// to credit; the lock is released by a defer, since a custom Policy may
// panic.
func (c *Cache[K, V]) evictIn(s *kvShard[K, V], credit *int64, fx *effects[K, V]) bool {
	s.Lock()
	defer s.Unlock()
	v, ok := s.VictimLocked()
	if ok {
		*credit += s.Lease.HandOver(c.evict(s, v, fx))
	}
	return ok
}

// evict removes the victim v of the locked shard s, counts it, records it
// for OnEvict and returns its charge, which the caller accounts for.
func (c *Cache[K, V]) evict(s *kvShard[K, V], v shard.Victim, fx *effects[K, V]) int64 {
	r := Evicted
	if v.Expired {
		r = Expired
	}
	return c.takeOut(s, v.Slot, r, fx)
}

// drop removes the entry at slot of the locked s for reason r and returns
// its bytes to the shard's lease.
func (c *Cache[K, V]) drop(s *kvShard[K, V], slot uint32, r Reason, fx *effects[K, V]) {
	s.Lease.Release(c.takeOut(s, slot, r, fx))
}

// takeOut removes the entry at slot of the locked s for reason r, counts
// it, records it for OnEvict and returns its charge.
func (c *Cache[K, V]) takeOut(s *kvShard[K, V], slot uint32, r Reason, fx *effects[K, V]) int64 {
	if c.cfg.OnEvict != nil {
		fx.add(s.entry(slot), r)
	}
	switch r {
	case Expired:
		s.Counters.Expired++
	case Evicted:
		s.Counters.Evicted++
	}
	return s.remove(slot, r == Evicted)
}

// collectLeases gives every shard's lease back to the budget and reports
// whether that freed anything. No lock may be held.
func (c *Cache[K, V]) collectLeases() bool {
	freed := false
	for i := range c.shards {
		s := &c.shards[i]
		s.Lock()
		freed = s.Lease.Return() || freed
		s.Unlock()
	}
	return freed
}

// shrink evicts until the budget holds no more than MaxMemory again, or
// until the policy has nothing left to evict.
func (c *Cache[K, V]) shrink() {
	c.collectLeases()
	for {
		m := c.budget.Max()
		if m == 0 || c.budget.Reserved() <= m {
			return
		}
		var credit int64
		var fx effects[K, V]
		ok := c.evictAnywhere(&credit, &fx)
		c.budget.GiveBack(credit)
		fx.report(c)
		if !ok {
			return
		}
	}
}

// payPolicy evicts the locked shard's own victims until the budget has
// room for what allkeys-tinylfu's sketch and judge are owed, as a write
// evicts for its entry, while the shard holds at least half its share of
// the budget (a smaller shard waits for room: its next write tries again).
func (c *Cache[K, V]) payPolicy(s *kvShard[K, V], fx *effects[K, V]) {
	for !s.PayPolicyLocked() && s.LenLocked() > 0 && !s.SparedLocked() {
		v, ok := s.VictimLocked()
		if !ok {
			return
		}
		s.Lease.Release(c.evict(s, v, fx))
	}
}

// relayout puts s in the active policy's layout and pays for it.
func (c *Cache[K, V]) relayout(s *kvShard[K, V]) {
	var fx effects[K, V]
	s.Lock()
	s.SetPolicyLocked()
	c.payPolicy(s, &fx)
	s.Unlock()
	fx.report(c)
}

// effects collects the entries a locked section removed or replaced, to
// report to OnEvict once the lock is released.
type effects[K comparable, V any] struct {
	n    int
	buf  [4]departure[K, V]
	more []departure[K, V]
}

// departure is one entry for OnEvict.
type departure[K comparable, V any] struct {
	pair[K, V]
	reason Reason
}

// add records a departure.
func (fx *effects[K, V]) add(p pair[K, V], r Reason) {
	if fx.n < len(fx.buf) {
		fx.buf[fx.n] = departure[K, V]{p, r}
		fx.n++
		return
	}
	fx.more = append(fx.more, departure[K, V]{p, r})
}

// report passes the departures to OnEvict and forgets them. Call it with
// no lock held.
func (fx *effects[K, V]) report(c *Cache[K, V]) {
	if fx.n == 0 {
		return
	}
	buf, n, more := fx.buf, fx.n, fx.more
	*fx = effects[K, V]{}
	for _, d := range buf[:n] {
		c.cfg.OnEvict(d.key, d.value, d.reason)
	}
	for _, d := range more {
		c.cfg.OnEvict(d.key, d.value, d.reason)
	}
}
