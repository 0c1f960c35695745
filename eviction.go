package maxmem

// Eviction
//
// A write that does not fit evicts one entry at a time until it does (see
// write.go). Expired entries go first: each shard publishes its earliest
// deadline, so finding one costs an atomic load per shard, never a scan.
// Then the policy speaks, in one of four ways:
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

import (
	"math"
	"runtime"
	"sync"
	"time"
	"weak"
)

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

// evictLocalLocked evicts one entry from s, which the caller holds
// locked, if s holds the victim the policy would choose across the whole
// cache, and reports whether it did.
func (c *Cache[K, V]) evictLocalLocked(s *shard[K, V], now int64, fx *effects[K, V]) bool {
	s.drainLocked()
	slot, r, ok := c.localVictimLocked(s, c.policy.Load(), now)
	if ok {
		c.dropLocked(s, slot, r, fx)
	}
	return ok
}

// localVictimLocked returns the entry of the locked s to evict next, if
// the policy's next victim in the whole cache is in s: an expired entry,
// or the policy's choice when s holds the cache's best candidate.
func (c *Cache[K, V]) localVictimLocked(s *shard[K, V], p *policyState, now int64) (uint32, Reason, bool) {
	if slot, ok := s.soonestExpiredLocked(now); ok && now != 0 {
		return slot, Expired, true
	}
	if c.expiredShard() != nil {
		return 0, 0, false // expired entries elsewhere go first
	}
	var slot uint32
	switch p.order {
	case orderRecency:
		if slot = s.leastRecentLocked(p.volatile); slot != 0 && s.node(slot).getStamp() > c.oldestTail(&s.ledger, p.volatile) {
			slot = 0
		}
	case orderDeadline:
		if s.ttl.Len() > 0 && s.head(s.ttl.Min()).expireAt <= c.soonestDeadline(&s.ledger) {
			slot = s.ttl.Min()
		}
	case orderAdmission:
		if s.n > 0 && 2*s.adm.total() >= c.nominal() {
			slot = s.admVictimLocked()
		}
	}
	return slot, Evicted, slot != 0
}

// takeOutLocked removes the entry at slot of s for reason r, counts it,
// records it for OnEvict and returns its charge, which the caller accounts
// for.
func (c *Cache[K, V]) takeOutLocked(s *shard[K, V], slot uint32, r Reason, fx *effects[K, V]) int64 {
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

// evictElsewhere evicts one entry, the policy's next victim, from whichever
// shard holds it, with no lock held; its bytes are added to credit. home,
// the writer's shard, may be nil. It reports false when nothing can be
// evicted.
func (c *Cache[K, V]) evictElsewhere(home *shard[K, V], credit *int64, fx *effects[K, V]) bool {
	if s := c.expiredShard(); s != nil && c.evictFrom(s, credit, fx, expiredVictim) {
		return true
	}
	p := c.policy.Load()
	switch p.order {
	case orderRecency, orderDeadline:
		return c.evictBest(p, credit, fx)
	case orderAdmission:
		return c.evictAdmitted(credit, fx)
	case orderRandom:
		return c.evictRandom(p.volatile, credit, fx)
	case orderSampled:
		return c.evictSampled(p, credit, fx)
	}
	return false
}

// victimFunc picks the victim of a locked shard; ok false: none there, or
// none that is still the best (retry).
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
	defer s.unlock() // a custom Policy may panic
	slot, r, ok := pick(&s.ledger)
	if !ok {
		return false
	}
	charge := c.takeOutLocked(s, slot, r, fx)
	s.handOverLocked(charge)
	*credit += charge
	return true
}

// evictBest evicts the least recent entry, or the one closest to its
// deadline, of the whole cache. The shard whose published candidate is
// best is locked; if the reads it applies then make its candidate worse
// than another shard's, the choice is made again, a few times at most.
func (c *Cache[K, V]) evictBest(p *policyState, credit *int64, fx *effects[K, V]) bool {
	for tries := 0; ; tries++ {
		s := c.bestShard(p)
		if s == nil {
			return false
		}
		settle := tries == bestTries // the last try takes what it finds
		if c.evictFrom(s, credit, fx, func(l *ledger) (uint32, Reason, bool) {
			return c.bestVictimLocked(l, p, settle)
		}) {
			return true
		}
		if settle {
			return false
		}
	}
}

// evictRandom evicts an entry chosen uniformly among those the policy may
// evict (those with a TTL if volatileOnly).
func (c *Cache[K, V]) evictRandom(volatileOnly bool, credit *int64, fx *effects[K, V]) bool {
	for range bestTries {
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

// bestTries bounds how often evictBest chooses again.
const bestTries = 3

// bestVictimLocked returns the candidate of the locked s under an ordering
// policy, unless, with its reads applied, another shard's is better now
// and settle is not set.
func (c *Cache[K, V]) bestVictimLocked(s *ledger, p *policyState, settle bool) (uint32, Reason, bool) {
	if p.order == orderDeadline {
		if s.ttl.Len() == 0 {
			return 0, 0, false
		}
		slot := s.ttl.Min()
		return slot, Evicted, settle || s.head(slot).expireAt <= c.soonestDeadline(s)
	}
	slot := s.leastRecentLocked(p.volatile)
	if slot == 0 {
		return 0, 0, false
	}
	return slot, Evicted, settle || s.node(slot).getStamp() <= c.oldestTail(s, p.volatile)
}

// bestShard returns the shard whose published candidate is best under an
// ordering policy, nil if no shard has one.
func (c *Cache[K, V]) bestShard(p *policyState) *shard[K, V] {
	var best *shard[K, V]
	if p.order == orderDeadline {
		d := int64(math.MaxInt64)
		for i := range c.shards {
			if v := c.shards[i].pub.soonest.Load(); v < d {
				best, d = &c.shards[i], v
			}
		}
		return best
	}
	stamp := uint64(math.MaxUint64)
	for i := range c.shards {
		if v := c.shards[i].pub.oldest(p.volatile); v < stamp {
			best, stamp = &c.shards[i], v
		}
	}
	return best
}

// oldestTail returns the oldest published recency stamp of every shard
// but s (MaxUint64 if none).
func (c *Cache[K, V]) oldestTail(s *ledger, volatileOnly bool) uint64 {
	stamp := uint64(math.MaxUint64)
	for i := range c.shards {
		if t := &c.shards[i].ledger; t != s {
			stamp = min(stamp, t.pub.oldest(volatileOnly))
		}
	}
	return stamp
}

// soonestDeadline returns the earliest published deadline of every shard
// but s (MaxInt64 if none).
func (c *Cache[K, V]) soonestDeadline(s *ledger) int64 {
	d := int64(math.MaxInt64)
	for i := range c.shards {
		if t := &c.shards[i].ledger; t != s {
			d = min(d, t.pub.soonest.Load())
		}
	}
	return d
}

// oldest returns the stamp of the shard's least recent entry, among those
// with a TTL if volatileOnly.
func (p *published) oldest(volatileOnly bool) uint64 {
	v := p.tail[volatile].Load()
	if volatileOnly {
		return v
	}
	return min(v, p.tail[persistent].Load())
}

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

// expiredShard returns a shard whose earliest deadline has passed, or nil.
// It reads the clock only if some shard has a deadline.
func (c *Cache[K, V]) expiredShard() *shard[K, V] {
	var now int64
	for i := range c.shards {
		s := &c.shards[i]
		d := s.pub.soonest.Load()
		if d == math.MaxInt64 {
			continue
		}
		if now == 0 {
			now = c.now()
		}
		if d <= now {
			return s
		}
	}
	return nil
}

// collectLeases gives every shard's lease back to the budget and reports
// whether that freed anything.
func (c *Cache[K, V]) collectLeases() bool {
	freed := false
	for i := range c.shards {
		s := &c.shards[i]
		s.lock()
		freed = freed || s.lease > 0
		s.returnLeaseLocked()
		s.unlock()
	}
	return freed
}

// shrink evicts until the budget holds no more than MaxMemory again, or
// until the policy has nothing left to evict.
func (c *Cache[K, V]) shrink() {
	c.budget.tight.Store(c.budget.max.Load() > 0)
	c.collectLeases()
	for {
		m := c.budget.max.Load()
		if m == 0 || c.budget.reserved.Load() <= m {
			return
		}
		var credit int64
		var fx effects[K, V]
		ok := c.evictElsewhere(nil, &credit, &fx)
		c.budget.giveBack(credit)
		fx.report(c)
		if !ok {
			return
		}
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
	for i := range c.shards {
		s := &c.shards[i]
		for s.pub.soonest.Load() <= now {
			var fx effects[K, V]
			s.lock()
			n := c.expireSomeLocked(s, now, sweepBatch, &fx)
			s.unlock()
			fx.report(c)
			if n == 0 {
				break
			}
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
