package maxmem

// Redis's PEXPIRE and PEXPIREAT with their conditions, PEXPIRETIME,
// TOUCH, RANDOMKEY, OBJECT FREQ and OBJECT IDLETIME.

import (
	"time"
)

// ExpireIf is Redis's PEXPIRE key ttl [NX|XX|GT|LT]: key expires after ttl
// if cond holds (NX: it has no TTL; XX: it has one; GT: the deadline is
// later, no TTL being infinite; LT: earlier), and reports whether it did;
// ttl <= 0 deletes. A failed condition counts an access, a change a write;
// an unknown cond or a deadline past 2262 returns false. No memory needed.
func (c *Cache[K, V]) ExpireIf(key K, ttl time.Duration, cond Cond) bool {
	at, ok := c.after(ttl)
	if !ok {
		return false
	}
	return c.expireIf(key, at, cond)
}

// ExpireAt is Redis's PEXPIREAT key at [NX|XX|GT|LT]: ExpireIf with a
// deadline; one already past (before 1970 too) deletes the key.
func (c *Cache[K, V]) ExpireAt(key K, at time.Time, cond Cond) bool {
	switch {
	case at.After(endOfTime):
		return false
	case at.Before(time.Unix(0, 1)):
		at = time.Unix(0, 1) // as far past as any: deadlines are positive
	}
	return c.expireIf(key, at.UnixNano(), cond)
}

// expireIf gives key the deadline when if cond holds.
func (c *Cache[K, V]) expireIf(key K, when int64, cond Cond) (done bool) {
	if cond > LT {
		return false
	}
	c.loadInvalidate(key)
	c.atKey(key, false, func(s *kvShard[K, V], slot uint32, found bool) (del bool) {
		switch cur := s.HeadLocked(slot).ExpireAt(); {
		case !found:
		case cond == NX && cur != 0, cond == XX && cur == 0,
			cond == GT && (cur == 0 || when <= cur), cond == LT && cur != 0 && when >= cur:
			s.AccessLocked(slot) // Redis looked it up for writing
		default:
			done = true
			_, del = c.retime(s, slot, max(when, 1), false)
		}
		return del
	})
	return done
}

// ExpireTime is Redis's PEXPIRETIME: when key expires, the zero Time for a
// key without TTL (Redis's -1), and found false for a missing key (-2).
// As TTL, it counts as a keyspace hit or miss, not as an access.
func (c *Cache[K, V]) ExpireTime(key K) (at time.Time, found bool) {
	found = c.atKey(key, true, func(s *kvShard[K, V], slot uint32, found bool) (del bool) {
		if d := s.HeadLocked(slot).ExpireAt(); found && d != 0 {
			at = time.Unix(0, d)
		}
		return false
	})
	return at, found
}

// Touch is Redis's TOUCH: an access of each key present, as a Get without
// the value, and how many were. Each key counts as a keyspace hit or
// miss, and locks its shard.
func (c *Cache[K, V]) Touch(keys ...K) (n int) {
	for _, k := range keys {
		if c.atKey(k, true, func(s *kvShard[K, V], slot uint32, found bool) (del bool) {
			if found {
				s.AccessLocked(slot)
			}
			return false
		}) {
			n++
		}
	}
	return n
}

// RandomKey is Redis's RANDOMKEY: a live key, each about as likely as any
// (a shard by its entries, then an entry uniformly), or false if there is
// none. It removes the expired keys it meets (OnEvict: Expired), as Redis
// does, and counts as no read or access.
func (c *Cache[K, V]) RandomKey() (key K, ok bool) {
	for tries := c.Len() + 64; tries > 0 && !c.closed.Load() && !ok; tries-- {
		s := c.randomShard()
		if s == nil {
			return key, false
		}
		var fx effects[K, V]
		s.Lock()
		if slot, found := s.RandomLocked(false); found {
			if d := s.HeadLocked(slot).ExpireAt(); d != 0 && d <= c.now() {
				c.drop(s, slot, Expired, &fx)
			} else {
				key, ok = s.key(slot), true
			}
		}
		s.Unlock()
		fx.report(c)
	}
	return key, ok
}

// randomShard returns a shard drawn by its entries, or nil if none has any.
func (c *Cache[K, V]) randomShard() *kvShard[K, V] { return c.drawShard(c.reads.Rand(), false) }

// ObjectFreq is Redis's OBJECT FREQ: key's LFU counter (8 bits, after
// decay), found false for a missing key, and ErrFrequencyNotTracked under
// a policy without counters, as in Redis. It counts a hit or miss, no
// access.
func (c *Cache[K, V]) ObjectFreq(key K) (freq int, found bool, err error) {
	n, found, err := c.object(key, true, func(s *kvShard[K, V], slot uint32) int64 { return int64(s.FrequencyLocked(slot)) })
	return int(n), found, err
}

// ObjectIdleTime is Redis's OBJECT IDLETIME: how long ago key was last
// accessed (LRM: written), long by at most an epoch of its shard's writes,
// found false for a missing key, ErrIdleTimeNotTracked under LFU, as in
// Redis. It counts a hit or miss, no access.
func (c *Cache[K, V]) ObjectIdleTime(key K) (idle time.Duration, found bool, err error) {
	n, found, err := c.object(key, false, func(s *kvShard[K, V], slot uint32) int64 { return s.IdleTimeLocked(slot) })
	return time.Duration(n), found, err
}

// object reads key's figure with fn, which needs LFU counters if lfu.
func (c *Cache[K, V]) object(key K, lfu bool, fn func(s *kvShard[K, V], slot uint32) int64) (n int64, found bool, err error) {
	found = c.atKey(key, true, func(s *kvShard[K, V], slot uint32, found bool) (del bool) {
		switch {
		case !found:
		case c.core.Policy.Load().Frequency != lfu && lfu:
			err = ErrFrequencyNotTracked
		case c.core.Policy.Load().Frequency != lfu:
			err = ErrIdleTimeNotTracked
		default:
			n = fn(s, slot)
		}
		return false
	})
	return n, found, err
}
