package maxmem

import (
	"math"
	"runtime"
)

// The write path
//
// A write sizes its entry, hashes its key and locks the key's shard. Under
// that lock it looks the key up (reclaiming it if it expired), and charges
// the difference from the shard's lease of the budget. When the budget has
// no room, the write evicts, one entry at a time, in its own shard or in
// a peer whose lock is free (eviction.go), still under its own lock, and
// tries again. Only when neither has anything the policy may take does it
// let go of its lock to evict anywhere, or to collect the shards' leases;
// when nothing can be freed it fails with ErrOOM, leaving the key as it
// was. OnEvict hears of every departure after the locks are released.

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
		return 0, c.newOOMError(size, true)
	}
	if m, charge := c.budget.Max(), c.core.EntryCharge(size); m > 0 && charge > m {
		return 0, c.newOOMError(charge, true)
	}
	return size, nil
}

// precondition is checked under the shard's lock before a write: it
// reports whether the key (found at slot, or absent) is as the caller
// needs it. A write whose precondition fails changes nothing.
type precondition[K comparable, V any] func(s *kvShard[K, V], slot uint32, found bool) bool

// keepTTL is the deadline of a write that keeps the key's own (SET's
// KEEPTTL); a new key gets none. Deadlines are never negative.
const keepTTL = -1

// store writes key and value, which the Sizer counted as size bytes, with
// a deadline of expireAt (0: none; keepTTL), if cond (when not nil) holds;
// failed reports that it did not.
func (c *Cache[K, V]) store(key K, value V, size, expireAt int64, cond precondition[K, V]) (failed bool, err error) {
	h := c.hash.of(key)
	s := c.shardFor(h)
	var fx effects[K, V]
	defer fx.report(c)
	var credit int64 // bytes evicted elsewhere for this write, not yet absorbed
	defer func() {
		if credit != 0 {
			c.budget.GiveBack(credit)
		}
	}()
	for dry := 0; ; {
		r, charge := c.tryStore(s, key, h, value, size, expireAt, cond, &credit, &fx)
		switch {
		case r == fitted:
			return false, nil
		case r == condFailed:
			return true, nil
		case r == closed:
			return false, ErrClosed
		case !c.makeRoom(r, &dry, &credit, &fx):
			return false, c.newOOMError(charge, false)
		}
	}
}

// tryStore is one attempt of store under s's lock, released by a defer: a
// custom Policy asked for a victim may panic. It absorbs the write's
// credit first, and returns the charge the entry needs when it does not
// fit (0 when it does).
func (c *Cache[K, V]) tryStore(s *kvShard[K, V], key K, h uint64, value V, size, expireAt int64,
	cond precondition[K, V], credit *int64, fx *effects[K, V]) (r fitting, charge int64) {
	s.Lock()
	defer s.Unlock()
	s.Lease.Absorb(credit)
	if c.closed.Load() {
		return closed, 0
	}
	slot, found, r := c.fit(s, key, h, size, cond, fx)
	if r == fitted {
		c.apply(s, slot, found, key, h, value, size, expireAt, fx)
		return fitted, 0
	}
	return r, s.EntryChargeLocked(size)
}

// fitting is how fit ended.
type fitting uint8

const (
	fitted     fitting = iota // the write's charge is taken
	condFailed                // the precondition failed: nothing taken
	tightened                 // the budget just turned tight: collect the leases
	noVictim                  // nothing to evict in the shard or a free peer
	closed                    // the cache was closed: nothing written
)

// fit looks key, whose hash is h, up in the locked shard s and charges the
// write of an entry of size bytes over it, evicting in s or a free peer
// until it fits, unless cond fails first.
func (c *Cache[K, V]) fit(s *kvShard[K, V], key K, h uint64, size int64, cond precondition[K, V],
	fx *effects[K, V]) (slot uint32, found bool, r fitting) {
	for {
		slot, found = c.findLive(s, key, h, fx) // again after an eviction: the victim may be this very entry
		if cond != nil && !cond(s, slot, found) {
			return slot, found, condFailed
		}
		need := s.EntryChargeLocked(size)
		if found {
			need -= s.ChargeLocked(slot)
		}
		switch {
		case s.Lease.Take(need):
			return slot, found, fitted
		case s.forgetAll(): // remembered absences give their bytes up first
		case c.budget.Tighten():
			return slot, found, tightened
		case !c.evictFor(s, fx):
			return slot, found, noVictim
		}
	}
}

// makeRoom frees room for a write that could not fit, with no lock held:
// after the budget turned tight it collects the shards' leases; otherwise
// it evicts wherever the policy finds a victim, adding its bytes to
// credit, or, when there is none left anywhere, collects the leases. dry
// counts the rounds that found nothing to evict; it reports false, for
// ErrOOM, once there were dryRounds of them.
func (c *Cache[K, V]) makeRoom(r fitting, dry *int, credit *int64, fx *effects[K, V]) bool {
	switch {
	case r == tightened:
		c.collectLeases()
		return true
	case c.evictAnywhere(credit, fx):
		*dry = 0
		return true
	case c.forgetAbsences():
		return true
	case *dry < dryRounds && c.collectLeases():
		*dry++
		runtime.Gosched() // writes holding credit may finish meanwhile
		return true
	}
	return false
}

// dryRounds bounds how often a write that found nothing to evict tries
// again, after collecting the leases, before it fails with ErrOOM.
const dryRounds = 3

// apply writes the entry, whose charge is taken: over the resident one at
// slot if found, else as a new one. Then the write reclaims a few expired
// entries of its shard.
func (c *Cache[K, V]) apply(s *kvShard[K, V], slot uint32, found bool, key K, h uint64, value V,
	size, expireAt int64, fx *effects[K, V]) {
	if expireAt == keepTTL {
		expireAt = 0
		if found {
			expireAt = s.HeadLocked(slot).ExpireAt()
		}
	}
	if found {
		if c.cfg.OnEvict != nil {
			fx.add(s.entry(slot), Replaced)
		}
		s.update(slot, key, value, size, expireAt)
	} else {
		s.insert(key, h, value, size, expireAt)
		c.payPolicy(s, fx) // allkeys-tinylfu's sketch may have grown beyond the budget's room
	}
	c.expireSome(s, 0, writeExpiry, fx)
}

// findLive returns the slot of key, whose hash is h, if it is resident and
// live; an expired entry found on the way is removed.
func (c *Cache[K, V]) findLive(s *kvShard[K, V], key K, h uint64, fx *effects[K, V]) (uint32, bool) {
	slot, ok := s.find(key, h)
	if !ok {
		return 0, false
	}
	if d := s.HeadLocked(slot).ExpireAt(); d == 0 || d > c.now() {
		return slot, true
	}
	c.drop(s, slot, Expired, fx)
	return 0, false
}

// writeExpiry bounds the expired entries a write reclaims in its own
// shard, its share of active expiry.
const writeExpiry = 2

// expireSome removes up to n entries of the locked s whose deadline has
// passed at now (0: read it if an entry has a deadline), and returns how
// many it removed.
func (c *Cache[K, V]) expireSome(s *kvShard[K, V], now int64, n int, fx *effects[K, V]) int {
	if s.VolatileLocked() == 0 {
		return 0
	}
	if now == 0 {
		now = c.now()
	}
	done := 0
	for ; done < n; done++ {
		slot, ok := s.SoonestExpiredLocked(now)
		if !ok {
			break
		}
		c.drop(s, slot, Expired, fx)
	}
	return done
}
