package maxmem

import "math"

// set is the write path of Set and SetWithTTL; expireAt 0 means no TTL.
//
// The entry's charge is reserved in the global budget before the entry is
// linked in, so used memory never passes MaxMemory. When the reservation
// fails the shard is unlocked and one victim is evicted; its bytes stay
// counted in the budget as this write's credit instead of being released,
// so a concurrent writer cannot take the room this write paid for. The loop
// ends when credit plus free room cover the charge, or when nothing more can
// be evicted: then the credit is released and the write fails with ErrOOM,
// leaving the key as it was.
func (c *Cache[K, V]) set(key K, value V, expireAt int64) error {
	if c.closed.Load() {
		return ErrClosed
	}
	size := c.size(key, value)
	if size < 0 {
		return ErrNegativeSize
	}
	if size > math.MaxInt64/2 { // no budget holds it, and charges must not overflow
		return c.refuse(size, true)
	}
	charge := size + c.overhead
	if m := c.budget.max.Load(); m > 0 && charge > m {
		return c.refuse(charge, true)
	}
	s, h := c.shardOf(key)
	var credit int64
	for {
		s.mu.Lock()
		slot, found, unlocked := c.lookupLocked(s, key, h)
		if unlocked {
			continue // the old entry had expired and is gone
		}
		var old int64
		if found {
			old = s.meta[slot].charge
		}
		if need := charge - old - credit; need <= 0 || c.budget.tryReserve(need) {
			if need < 0 {
				c.budget.release(-need)
			}
			c.applyAndUnlock(s, slot, found, key, h, value, charge, expireAt)
			return nil
		}
		p := c.policy.Load()
		s.mu.Unlock()
		freed, ok := c.evictOne(p, c.now())
		if !ok {
			c.budget.release(credit)
			return c.refuse(charge, false)
		}
		credit += freed
	}
}

// applyAndUnlock writes the entry whose bytes are already reserved, does a
// little active expiry in the shard, unlocks it and reports what left.
func (c *Cache[K, V]) applyAndUnlock(s *shard[K, V], slot uint32, found bool,
	key K, h uint64, value V, charge, expireAt int64) {
	now := int64(0) // the clock is slow to read: only when needed
	if expireAt != 0 || c.policy.Load().frequency || s.soonest.Load() != math.MaxInt64 {
		now = c.now()
	}
	var prev kv[K, V]
	if found {
		prev = s.kvs[slot]
		s.updateLocked(slot, value, charge, expireAt, now)
	} else {
		s.insertLocked(key, h, value, charge, expireAt, now)
	}
	var expired [writeExpiry]kv[K, V]
	n, freed := 0, int64(0)
	for ; n < writeExpiry; n++ {
		gone, ch, ok := s.popExpiredLocked(now)
		if !ok {
			break
		}
		expired[n], freed = gone, freed+ch
	}
	s.mu.Unlock()
	c.budget.release(freed)
	if found {
		c.notify(prev, Replaced)
	}
	for _, e := range expired[:n] {
		c.notify(e, Expired)
	}
}

// writeExpiry bounds the expired entries a write reclaims in its own shard.
const writeExpiry = 2

// refuse counts and builds the OOM error of a write that needed charge
// bytes. It locks each shard briefly to count keys, so no lock may be held.
func (c *Cache[K, V]) refuse(charge int64, tooLarge bool) error {
	return c.newOOMError(charge, tooLarge)
}
