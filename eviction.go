package maxmem

// Eviction
//
// A write that does not fit evicts one entry at a time until it does (see
// write.go). Expired entries go first: each shard publishes its earliest
// deadline, so finding one costs an atomic load per shard, never a scan.
// Then the policy speaks, in one of five ways:
//
//   - By recency (allkeys-lru, volatile-lru, allkeys-lrm, volatile-lrm).
//     Each shard keeps exact recency lists and publishes the recency stamp
//     of its least recent entry (of each class). The victim is the least
//     recent entry of the shard whose published stamp is oldest: where
//     Redis samples five keys into a pool of sixteen, maxmem compares every
//     shard's exact least recent entry, so the LRU it keeps is exact up to
//     the reads still waiting in the read rings (reads.go). The chosen shard
//     applies its waiting reads under its lock before it gives up its
//     victim; if they made its least recent entry younger than another
//     shard's, the choice is made again.
//   - By deadline (volatile-ttl): the same, with each shard's earliest
//     deadline, so the victim is the entry closest to expiring, exactly.
//   - At random (allkeys-random, volatile-random): a shard chosen in
//     proportion to the entries it may evict, then one of them uniformly,
//     so every entry of the cache is as likely to go.
//   - By sampling (allkeys-lfu, volatile-lfu and any Policy written outside
//     the package): Redis's eviction pool, pool.go.
//   - By admission (allkeys-tinylfu): the writer's own shard decides, so
//     that its newcomer is the one that faces the victim (admission.go).
//
// A victim in the writer's own shard is taken under the lock the write
// already holds (evictLocalLocked); any other is taken under its own
// shard's lock once the writer has let go of its own (evictElsewhere), and
// its bytes become the write's credit.

import "math"

// order is how a policy picks its victims.
type order uint8

const (
	orderNone      order = iota // noeviction: never
	orderRecency                // the least recently used (or modified) entry
	orderDeadline               // the entry closest to its deadline
	orderRandom                 // an entry chosen uniformly
	orderSampled                // the best of sampled candidates (pool.go)
	orderAdmission              // the admission layout (admission.go)
)

// choice is where one scan of the shards found the next victim.
type choice[K comparable, V any] struct {
	s        *shard[K, V] // the shard that holds it; nil: no shard has a candidate
	expired  bool         // the victim is an expired entry
	runnerUp uint64       // the best candidate key of every other shard
}

// choose scans every shard once for the next victim: an expired entry
// first, then, under a policy that orders entries (by recency or by
// deadline), the shard whose candidate comes first. home, the writer's
// shard, is locked by the caller (nil if none), so its figures are read as
// they are rather than as it last published them. Under the other
// policies the choice names a shard only for an expired entry.
func (c *Cache[K, V]) choose(home *shard[K, V], p *policyState) choice[K, V] {
	if s := c.expiredShard(home); s != nil {
		return choice[K, V]{s: s, expired: true}
	}
	if p.order != orderRecency && p.order != orderDeadline {
		return choice[K, V]{}
	}
	var ch choice[K, V]
	best, runner, k := uint64(math.MaxUint64), uint64(math.MaxUint64), p.keyKind()
	for i := range c.shards {
		s := &c.shards[i]
		key := s.pub.keys[k].Load()
		if s == home {
			key = s.liveKey(k)
		}
		switch {
		case key < best:
			best, runner, ch.s = key, best, s
		case key < runner:
			runner = key
		}
	}
	ch.runnerUp = runner
	return ch
}

// The kinds of candidate key a shard publishes: the recency stamp of its
// least recent entry, of its least recent entry with a TTL, and its
// earliest deadline. The smaller the key, the sooner its entry goes.
const (
	oldestKey = iota
	oldestVolatileKey
	soonestKey
	numKeys
)

// keyKind returns the kind of key p orders by.
func (p *policyState) keyKind() int {
	switch {
	case p.order == orderDeadline:
		return soonestKey
	case p.volatile:
		return oldestVolatileKey
	}
	return oldestKey
}

// expiredShard returns a shard with an entry whose deadline has passed, if
// any. The budget keeps a bound below every deadline in the cache, so
// while no deadline can have passed it reads one atomic and not the clock.
func (c *Cache[K, V]) expiredShard(home *shard[K, V]) *shard[K, V] {
	bound := c.budget.soonest.Load()
	if bound == math.MaxInt64 {
		return nil
	}
	now := c.now()
	if bound > now {
		return nil
	}
	earliest := int64(math.MaxInt64)
	for i, l := range c.ledgers {
		d := l.pub.soonest.Load()
		if home != nil && l == &home.ledger {
			d = l.liveSoonest()
		}
		if d <= now {
			return &c.shards[i]
		}
		earliest = min(earliest, d)
	}
	// None has passed: raise the bound, unless a shard lowered it meanwhile
	// (its deadline may be one this scan read too early to see).
	c.budget.soonest.CompareAndSwap(bound, earliest)
	return nil
}

// liveKey returns the locked shard's candidate key of kind k, as it is
// (MaxUint64: none).
func (l *ledger) liveKey(k int) uint64 {
	if k == soonestKey {
		return deadlineKey(l.liveSoonest())
	}
	if slot := l.leastRecentLocked(k == oldestVolatileKey); slot != 0 {
		return l.node(slot).getStamp()
	}
	return math.MaxUint64
}

// deadlineKey orders deadlines as keys; MaxInt64 (none) orders last.
func deadlineKey(d int64) uint64 {
	if d == math.MaxInt64 {
		return math.MaxUint64
	}
	return uint64(d)
}

// liveSoonest returns the locked shard's earliest deadline (MaxInt64: none).
func (l *ledger) liveSoonest() int64 {
	if l.ttl.Len() == 0 {
		return math.MaxInt64
	}
	return l.head(l.ttl.Min()).expireAt
}

// evictLocalLocked evicts one entry from s, which the caller holds locked,
// if s holds the victim the policy would choose across the whole cache,
// and reports whether it did; otherwise it returns the choice, for
// evictElsewhere.
func (c *Cache[K, V]) evictLocalLocked(s *shard[K, V], fx *effects[K, V]) (choice[K, V], bool) {
	p := c.policy.Load()
	s.layoutLocked(p) // SetPolicy may not have reached s yet
	s.drainLocked()
	ch := c.choose(s, p)
	var slot uint32
	switch {
	case ch.s != s && !(p.order == orderAdmission && ch.s == nil):
		return ch, false
	case ch.expired:
		slot = s.ttl.Min()
	case p.order == orderAdmission:
		if s.n == 0 || 2*s.adm.total() < c.nominal() {
			return ch, false // a small shard is spared: another one evicts
		}
		slot = s.admVictimLocked()
	default:
		slot = s.candidateLocked(p)
	}
	r := Evicted
	if ch.expired {
		r = Expired
	}
	c.dropLocked(s, slot, r, fx)
	return ch, true
}

// candidateLocked returns the slot of the locked shard's candidate under a
// policy that orders entries: its least recent entry, or the one whose
// deadline comes first (0 if none).
func (l *ledger) candidateLocked(p *policyState) uint32 {
	if p.order == orderDeadline {
		if l.ttl.Len() == 0 {
			return 0
		}
		return l.ttl.Min()
	}
	return l.leastRecentLocked(p.volatile)
}

// takeOutLocked removes the entry at slot of s for reason r, counts it,
// records it for OnEvict and returns its charge, which the caller accounts
// for.
func (c *Cache[K, V]) takeOutLocked(s *shard[K, V], slot uint32, r Reason, fx *effects[K, V]) int64 {
	if r == Evicted && s.adm != nil {
		s.admEvictingLocked(slot)
	}
	gone, charge := s.removeLocked(slot, c.cfg.OnEvict != nil)
	switch r {
	case Expired:
		s.counters.expired++
	case Evicted:
		s.counters.evicted++
	}
	if c.cfg.OnEvict != nil {
		fx.add(gone, r)
	}
	return charge
}

// evictElsewhere evicts the next victim, which ch located (see choose),
// with no lock held; its bytes are added to credit. settle takes the
// chosen shard's candidate even if the reads it applies under its lock
// make another shard's better (choose compares what shards published). It
// reports false when nothing could be evicted: nothing is left to, or the
// choice no longer held and the caller should choose again.
func (c *Cache[K, V]) evictElsewhere(ch choice[K, V], settle bool, credit *int64, fx *effects[K, V]) (evicted, retry bool) {
	if ch.expired {
		ok := c.evictFrom(ch.s, credit, fx, expiredVictim)
		return ok, !ok
	}
	p := c.policy.Load()
	switch p.order {
	case orderRecency, orderDeadline:
		if ch.s == nil {
			return false, false
		}
		ok := c.evictFrom(ch.s, credit, fx, func(l *ledger) (uint32, Reason, bool) {
			slot := l.candidateLocked(p)
			return slot, Evicted, slot != 0 && (settle || l.liveKey(p.keyKind()) <= ch.runnerUp)
		})
		return ok, !ok
	case orderAdmission:
		ok := c.evictAdmitted(credit, fx)
		return ok, !ok && c.policy.Load() != p // switched meanwhile: choose again
	case orderRandom:
		return c.evictRandom(p.volatile, credit, fx), false
	case orderSampled:
		return c.evictSampled(p, credit, fx), false
	}
	return false, false
}

// victimFunc picks the victim of a locked shard; ok false: none there, or
// none that is still the best.
type victimFunc func(l *ledger) (slot uint32, r Reason, ok bool)

// expiredVictim picks an entry of l whose deadline has passed.
func expiredVictim(l *ledger) (uint32, Reason, bool) {
	slot, ok := l.soonestExpiredLocked(l.now())
	return slot, Expired, ok
}

// evictFrom locks s, applies its recorded reads, and evicts the entry pick
// names, adding its bytes to credit. It reports whether it evicted one.
func (c *Cache[K, V]) evictFrom(s *shard[K, V], credit *int64, fx *effects[K, V], pick victimFunc) bool {
	s.lockAndDrain()
	defer s.unlock()                // a custom Policy may panic
	s.layoutLocked(c.policy.Load()) // SetPolicy may not have reached s yet
	slot, r, ok := pick(&s.ledger)
	if !ok {
		return false
	}
	charge := c.takeOutLocked(s, slot, r, fx)
	s.handOverLocked(charge)
	*credit += charge
	return true
}

// evictRandom evicts an entry chosen uniformly among those the policy may
// evict (those with a TTL if volatileOnly).
func (c *Cache[K, V]) evictRandom(volatileOnly bool, credit *int64, fx *effects[K, V]) bool {
	for range evictTries {
		i := c.randomShard(volatileOnly)
		if i < 0 {
			return false
		}
		if c.evictFrom(&c.shards[i], credit, fx, func(l *ledger) (uint32, Reason, bool) {
			e, ok := l.Random(volatileOnly)
			return e.slot, Evicted, ok
		}) {
			return true
		}
	}
	return false // the shards chosen emptied meanwhile
}

// evictTries bounds how often an eviction chooses again when its choice
// no longer holds under the chosen shard's lock.
const evictTries = 3

// leastRecentLocked returns the slot of the least recent entry (among those
// with a TTL if volatileOnly), 0 if none: the backs of the two class lists
// compared.
func (l *ledger) leastRecentLocked(volatileOnly bool) uint32 {
	v := l.lists[volatile].back
	if volatileOnly {
		return v
	}
	p := l.lists[persistent].back
	if p == 0 || v != 0 && l.node(v).getStamp() < l.node(p).getStamp() {
		return v
	}
	return p
}

// shrink evicts until the budget holds no more than MaxMemory again, or
// until the policy has nothing left to evict.
func (c *Cache[K, V]) shrink() {
	c.collectLeases()
	for tries := 0; ; {
		m := c.budget.max.Load()
		if m == 0 || c.budget.reserved.Load() <= m {
			return
		}
		var credit int64
		var fx effects[K, V]
		ok, retry := c.evictElsewhere(c.choose(nil, c.policy.Load()), tries == evictTries, &credit, &fx)
		c.budget.giveBack(credit)
		fx.report(c)
		switch {
		case ok:
			tries = 0
		case retry && tries < evictTries:
			tries++
		default:
			return
		}
	}
}
