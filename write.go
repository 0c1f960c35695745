package maxmem

import (
	"math"
	"runtime"
)

// The write path
//
// A write sizes its entry, hashes its key and locks the key's shard. Under
// that lock it looks the key up (reclaiming it if it expired), charges the
// difference from the shard's lease (accounting.go), and, if the budget
// has no room, evicts: expired entries first, then the policy's victim
// (eviction.go). A victim in the writer's own shard is removed at once,
// under the lock the write holds. A victim in another shard is removed
// under that shard's lock, after the write releases its own; its bytes
// become the write's credit, and the write starts over. When nothing can
// be evicted, the write collects the shards' leases and tries once more
// before it fails with ErrOOM, leaving the key as it was. OnEvict hears of
// every departure after the locks are released.

// set is the write path of Set and SetWithTTL; expireAt 0 means no TTL.
func (c *Cache[K, V]) set(key K, value V, expireAt int64) error {
	if c.closed.Load() {
		return ErrClosed
	}
	c.loadInvalidate(key)
	size, err := c.sizeOf(key, value)
	if err != nil {
		return err
	}
	_, err = c.store(key, value, size, expireAt, nil)
	return err
}

// sizeOf returns the Sizer's bytes for an entry, or the error of one that
// can never be stored.
func (c *Cache[K, V]) sizeOf(key K, value V) (int64, error) {
	size := c.size(key, value)
	switch {
	case size < 0:
		return 0, ErrNegativeSize
	case size > math.MaxInt64/2: // no budget holds it, and charges must not overflow
		return 0, c.refuse(size, true)
	}
	if m := c.budget.max.Load(); m > 0 && size+c.overhead > m {
		return 0, c.refuse(size+c.overhead, true)
	}
	return size, nil
}

// unchanged is a precondition of store, checked under the shard lock before
// each attempt: it reports whether the key (found at slot, or absent) is
// still as the caller saw it.
type unchanged[K comparable, V any] func(s *shard[K, V], slot uint32, found bool) bool

// store writes key and value, which the Sizer counted as size bytes, with
// a deadline of expireAt, if cond (when not nil) holds; changed reports
// that it did not. The first try is the whole story for most writes; the
// rest (storeSlowly) is for writes that need room from another shard.
// Without its defer and loop the first try costs 44 fewer instructions
// per Set of an existing key, 2 % (BenchmarkInstructions/set, cg_test.go).
func (c *Cache[K, V]) store(key K, value V, size, expireAt int64, cond unchanged[K, V]) (changed bool, err error) {
	h := c.hash.of(key)
	s := c.shardFor(h)
	var credit int64
	var fx effects[K, V]
	a, ch := c.tryStore(s, key, h, value, size, expireAt, cond, &credit, &fx)
	switch a {
	case attemptStored:
		return false, nil
	case attemptChanged:
		return true, nil
	}
	return c.storeSlowly(s, key, h, value, size, expireAt, cond, a, ch)
}

// storeSlowly goes on with a write whose first try found no room: it
// evicts from the shard the choice names (or collects the leases, when
// the budget just turned tight) and tries again, until the write fits or
// nothing can be evicted.
func (c *Cache[K, V]) storeSlowly(s *shard[K, V], key K, h uint64, value V, size, expireAt int64,
	cond unchanged[K, V], a attempt, ch choice[K, V]) (changed bool, err error) {
	var credit int64 // bytes evicted from other shards for this write
	defer func() {
		if credit != 0 { // the write failed, or OnEvict or a Policy panicked
			c.budget.giveBack(credit)
		}
	}()
	for retries, noRoom := 0, 0; ; {
		var fx effects[K, V]
		if a == attemptTightened {
			c.collectLeases()
		} else {
			evicted, retry := c.evictElsewhere(ch, retries == evictTries, &credit, &fx)
			fx.report(c)
			switch {
			case evicted:
				retries = 0
			case retry && retries < evictTries:
				retries++
			case noRoom < noRoomRetries && c.collectLeases():
				noRoom++
				runtime.Gosched() // writes holding credit may finish meanwhile
			default:
				return false, c.refuse(size+c.overhead, false)
			}
		}
		a, ch = c.tryStore(s, key, h, value, size, expireAt, cond, &credit, &fx)
		switch a {
		case attemptStored:
			return false, nil
		case attemptChanged:
			return true, nil
		}
	}
}

// noRoomRetries bounds how often a write that finds nothing to evict
// collects the leases and tries again before it fails with ErrOOM.
const noRoomRetries = 3

// attempt is how one try of store ended.
type attempt uint8

const (
	attemptStored    attempt = iota // the entry is written
	attemptChanged                  // cond no longer holds: nothing written
	attemptNoRoom                   // the room must come from another shard
	attemptTightened                // the budget just turned tight: collect the leases first
)

// tryStore locks s and writes the entry if cond holds and its charge fits
// in the shard's lease, the write's credit, the budget's room and what
// evicting from s itself frees. When the room must come from elsewhere it
// returns where (see choose). No code of the user's runs under the lock
// here, so the lock is released by hand, without defers: 33 instructions
// fewer per Set of an existing key, 70 per evicting Set
// (BenchmarkInstructions); OnEvict hears of what left after.
func (c *Cache[K, V]) tryStore(s *shard[K, V], key K, h uint64, value V, size, expireAt int64,
	cond unchanged[K, V], credit *int64, fx *effects[K, V]) (a attempt, ch choice[K, V]) {
	s.lock()
	s.drainOwnLocked()
	s.absorbLocked(credit)
	now := c.writeClock(s, expireAt)
	for {
		slot, found := c.findLiveLocked(s, key, h, now, fx)
		if cond != nil && !cond(s, slot, found) {
			a = attemptChanged
			break
		}
		old := int64(0)
		if found {
			old = s.charge(slot)
		}
		if s.takeLocked(size + c.overhead - old) {
			c.applyLocked(s, slot, found, key, h, value, size, old, expireAt, now, fx)
			a = attemptStored
			break
		}
		if c.budget.tighten() {
			a = attemptTightened
			break
		}
		var ok bool
		if ch, ok = c.evictLocalLocked(s, fx); !ok { // it may evict this very key: look it up again
			a = attemptNoRoom
			break
		}
	}
	s.unlock()
	fx.report(c)
	return a, ch
}

// applyLocked writes the entry, whose charge is taken: over the resident
// one at slot if found (charged old bytes), else as a new one. Then the
// write reclaims a few expired entries of its shard.
func (c *Cache[K, V]) applyLocked(s *shard[K, V], slot uint32, found bool, key K, h uint64, value V,
	size, old, expireAt, now int64, fx *effects[K, V]) {
	if found {
		if c.cfg.OnEvict != nil {
			fx.add(s.entryAt(slot), Replaced)
		}
		s.updateLocked(slot, key, value, size, size+c.overhead, old, expireAt, c.policy.Load(), now)
	} else {
		s.insertLocked(key, uint32(h), value, size, expireAt, now)
		if s.adm != nil {
			c.payPolicyLocked(s, fx) // the sketch may have grown beyond the budget's room
		}
	}
	c.expireSomeLocked(s, now, writeExpiry, fx)
}

// writeClock returns the time a write in s needs, or 0 when it needs none:
// the clock is read only for a deadline, LFU decay, or entries that may
// have expired.
func (c *Cache[K, V]) writeClock(s *shard[K, V], expireAt int64) int64 {
	if expireAt != 0 || s.ttl.Len() > 0 || c.policy.Load().frequency {
		return c.now()
	}
	return 0
}

// findLiveLocked returns the slot of key if it is resident and live; an
// expired entry found on the way is removed.
func (c *Cache[K, V]) findLiveLocked(s *shard[K, V], key K, h uint64, now int64, fx *effects[K, V]) (uint32, bool) {
	slot, ok := s.findLocked(key, uint32(h))
	if !ok || s.head(slot).expireAt == 0 {
		return slot, ok
	}
	if now == 0 {
		now = c.now()
	}
	if !s.expiredLocked(slot, now) {
		return slot, true
	}
	c.dropLocked(s, slot, Expired, fx)
	return 0, false
}

// dropLocked removes the entry at slot for reason r and returns its bytes
// to the shard's lease.
func (c *Cache[K, V]) dropLocked(s *shard[K, V], slot uint32, r Reason, fx *effects[K, V]) {
	s.releaseLocked(c.takeOutLocked(s, slot, r, fx))
}

// writeExpiry bounds the expired entries a write reclaims in its own shard,
// its share of active expiry.
const writeExpiry = 2

// expireSomeLocked removes up to n entries of s whose deadline has passed.
func (c *Cache[K, V]) expireSomeLocked(s *shard[K, V], now int64, n int, fx *effects[K, V]) int {
	if now == 0 {
		return 0
	}
	done := 0
	for ; done < n; done++ {
		slot, ok := s.soonestExpiredLocked(now)
		if !ok {
			break
		}
		c.dropLocked(s, slot, Expired, fx)
	}
	return done
}

// refuse counts and builds the OOM error of a write that needed charge
// bytes. It locks each shard briefly to count keys, so no lock may be held.
func (c *Cache[K, V]) refuse(charge int64, tooLarge bool) error {
	return c.newOOMError(charge, tooLarge)
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
