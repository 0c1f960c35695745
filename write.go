package maxmem

import (
	"math"
	"runtime"
)

// set is the write path of Set and SetWithTTL; expireAt 0 means no TTL.
func (c *Cache[K, V]) set(key K, value V, expireAt int64) error {
	if c.closed.Load() {
		return ErrClosed
	}
	charge, err := c.chargeOf(key, value)
	if err != nil {
		return err
	}
	_, err = c.store(key, value, charge, expireAt, nil)
	return err
}

// chargeOf returns the bytes an entry is charged, or the error of one that
// can never be stored.
func (c *Cache[K, V]) chargeOf(key K, value V) (int64, error) {
	size := c.size(key, value)
	switch {
	case size < 0:
		return 0, ErrNegativeSize
	case size > math.MaxInt64/2: // no budget holds it, and charges must not overflow
		return 0, c.refuse(size, true)
	}
	charge := size + c.overhead
	if m := c.budget.max.Load(); m > 0 && charge > m {
		return 0, c.refuse(charge, true)
	}
	return charge, nil
}

// unchanged is a precondition of store, checked under the shard lock before
// each attempt: it reports whether the key (found at slot, or absent) is
// still as the caller saw it.
type unchanged[K comparable, V any] func(s *shard[K, V], slot uint32, found bool) bool

// store writes the entry, charged charge bytes, if cond (when not nil)
// holds; changed reports that it did not.
//
// The charge is reserved in the global budget before the entry is linked
// in, so used memory never passes MaxMemory. When the reservation fails the
// shard is unlocked and one victim is evicted; its bytes stay counted in the
// budget as this write's credit instead of being released, so a concurrent
// writer cannot take the room this write paid for. The loop ends when
// credit plus free room cover the charge, or when nothing more can be
// evicted: then the credit is released and the write fails with ErrOOM,
// leaving the key as it was. Nothing left to evict while other writes hold
// credit is not yet out of memory: those bytes are about to be stored or
// given back, so the write yields to them a few times before it gives up.
func (c *Cache[K, V]) store(key K, value V, charge, expireAt int64, cond unchanged[K, V]) (changed bool, err error) {
	s, h := c.shardOf(key)
	var credit int64 // bytes evicted for this write and still counted as used
	defer func() {
		if credit != 0 { // not used: the write failed, or OnEvict or a Policy panicked
			c.budget.credits.Add(-credit)
			c.budget.release(credit)
		}
	}()
	for waits := 0; ; {
		switch c.tryStore(s, key, h, value, charge, expireAt, cond, &credit) {
		case attemptStored:
			return false, nil
		case attemptChanged:
			return true, nil
		case attemptAgain:
			continue
		}
		p := c.policy.Load()
		e, ok := c.evictOne(p, c.evictionClock(p), s)
		if !ok && c.budget.credits.Load() > credit && waits < creditWaits {
			waits++
			runtime.Gosched()
			continue
		}
		if !ok {
			return false, c.refuse(charge, false)
		}
		credit += e.charge
		c.budget.credits.Add(e.charge)
		c.notify(e.pair, e.reason)
	}
}

// attempt is how one try of store ended.
type attempt uint8

const (
	attemptStored  attempt = iota // the entry is written
	attemptChanged                // cond no longer holds: nothing written
	attemptAgain                  // the old entry had expired: try again at once
	attemptNoRoom                 // it does not fit: evict, then try again
)

// tryStore locks s and writes the entry if cond holds and the charge fits
// in the free room plus the credit, which it then uses up.
func (c *Cache[K, V]) tryStore(s *shard[K, V], key K, h uint64, value V, charge, expireAt int64,
	cond unchanged[K, V], credit *int64) attempt {
	s.lockForWrite()
	slot, found, unlocked := c.lookupLocked(s, key, h)
	switch {
	case unlocked && cond == nil:
		return attemptAgain
	case unlocked || cond != nil && !cond(s, slot, found):
		if !unlocked {
			s.unlock()
		}
		return attemptChanged
	}
	var old stored
	if found {
		old = s.storedAt(slot)
	}
	if !c.reserveLocked(old.charge, charge, *credit) {
		s.unlock()
		return attemptNoRoom
	}
	if *credit != 0 {
		c.budget.credits.Add(-*credit)
		*credit = 0
	}
	c.applyAndUnlock(s, slot, found, old, key, h, value, charge, expireAt)
	return attemptStored
}

// reserveLocked reserves what an entry charged old bytes (0 if new) needs
// to become charge bytes, after the credit, and gives back what the
// credit over-covers. It reports false, reserving nothing, if that does
// not fit; true means the credit is used up.
func (c *Cache[K, V]) reserveLocked(old, charge, credit int64) bool {
	need := charge - old - credit
	if need > 0 {
		return c.budget.tryReserve(need)
	}
	c.budget.release(-need)
	return true
}

// applyAndUnlock writes the entry whose bytes are already reserved, does a
// little active expiry in the shard, unlocks it and reports what left.
func (c *Cache[K, V]) applyAndUnlock(s *shard[K, V], slot uint32, found bool, old stored,
	key K, h uint64, value V, charge, expireAt int64) {
	p, now := c.policy.Load(), int64(0) // the clock is slow to read: only when needed
	if expireAt != 0 || p.frequency || s.soonest.Load() != math.MaxInt64 {
		now = c.now()
	}
	if s.adm != nil {
		s.adm.sketch.Increment(h) // a write is a request too; a missed Get was not counted
	}
	var prev pair[K, V]
	if found {
		if c.cfg.OnEvict != nil {
			prev = s.entryAt(slot)
		}
		s.updateLocked(slot, old, key, value, charge, expireAt, p, now)
	} else {
		s.insertLocked(key, h, value, charge, expireAt, now)
	}
	if s.soonest.Load() <= now {
		c.expireSomeAndUnlock(s, now)
	} else {
		s.unlock()
	}
	if found && c.cfg.OnEvict != nil {
		c.notify(prev, Replaced)
	}
}

// expireSomeAndUnlock removes up to writeExpiry expired entries of the
// locked s, a write's share of active expiry, unlocks s and reports them.
func (c *Cache[K, V]) expireSomeAndUnlock(s *shard[K, V], now int64) {
	var expired [writeExpiry]pair[K, V]
	n, freed := s.popExpiredBatchLocked(now, expired[:])
	s.unlock()
	c.budget.release(freed)
	for _, e := range expired[:n] {
		c.notify(e, Expired)
	}
}

// creditWaits bounds how often a write that finds nothing to evict yields
// to other writes holding evicted bytes.
const creditWaits = 100

// writeExpiry bounds the expired entries a write reclaims in its own shard.
const writeExpiry = 2

// refuse counts and builds the OOM error of a write that needed charge
// bytes. It locks each shard briefly to count keys, so no lock may be held.
func (c *Cache[K, V]) refuse(charge int64, tooLarge bool) error {
	return c.newOOMError(charge, tooLarge)
}
