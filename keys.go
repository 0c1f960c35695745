package maxmem

// Redis's key commands: PEXPIRE and PEXPIREAT with their conditions,
// PEXPIRETIME, TOUCH, RANDOMKEY, OBJECT FREQ and OBJECT IDLETIME.

import (
	"math"
	"time"
)

// ExpireIf is Redis's PEXPIRE key ttl [NX|XX|GT|LT]: it sets key to expire
// after ttl if cond holds, and reports whether it did. NX: the key has no
// TTL; XX: it has one; GT: the new deadline is later than the key's (a
// key without TTL never passes); LT: it is earlier (a key without TTL
// always passes). A ttl <= 0 that passes deletes the key (OnEvict:
// Deleted). A failed condition counts as an access and changes nothing;
// a change counts as a write. An unknown cond, or a deadline past the
// year 2262, returns false and changes nothing. It never needs memory.
func (c *Cache[K, V]) ExpireIf(key K, ttl time.Duration, cond Cond) bool {
	now := c.now()
	if ttl > math.MaxInt64-time.Duration(now) {
		return false
	}
	return c.expireIf(key, now+int64(ttl), now, cond)
}

// ExpireAt is Redis's PEXPIREAT key at [NX|XX|GT|LT]: ExpireIf with a
// deadline instead of a TTL. A deadline already past (even before 1970)
// that passes cond deletes the key.
func (c *Cache[K, V]) ExpireAt(key K, at time.Time, cond Cond) bool {
	switch {
	case at.After(endOfTime):
		return false
	case at.Before(time.Unix(0, math.MinInt64)):
		at = time.Unix(0, math.MinInt64)
	}
	return c.expireIf(key, at.UnixNano(), c.now(), cond)
}

// expireIf gives key the deadline when, or deletes it if when is not after
// now, if cond holds.
func (c *Cache[K, V]) expireIf(key K, when, now int64, cond Cond) (done bool) {
	if cond > LT || c.closed.Load() {
		return false
	}
	c.loadInvalidate(key)
	var fx effects[K, V]
	s, slot, found := c.lockKey(key, &fx)
	switch {
	case !found:
	case !cond.allows(s.HeadLocked(slot).ExpireAt(), when):
		s.AccessLocked(slot) // Redis looked it up for writing
	case when <= now:
		c.drop(s, slot, Deleted, &fx)
		done = true
	default:
		s.SetExpireLocked(slot, when)
		s.WrittenLocked(slot)
		done = true
	}
	s.Unlock()
	fx.report(c)
	return done
}

// allows reports whether EXPIRE's condition holds for a key whose deadline
// is cur (0: none) and the new deadline when.
func (cond Cond) allows(cur, when int64) bool {
	switch cond {
	case NX:
		return cur == 0
	case XX:
		return cur != 0
	case GT:
		return cur != 0 && when > cur
	case LT:
		return cur == 0 || when < cur
	}
	return true
}

// ExpireTime is Redis's PEXPIRETIME: when key expires, the zero Time for a
// key without TTL (Redis's -1), and found false for a missing key (-2).
// Like TTL it counts as a keyspace hit or miss, not as an access.
func (c *Cache[K, V]) ExpireTime(key K) (at time.Time, found bool) {
	found = c.lookAt(key, func(s *kvShard[K, V], slot uint32) {
		if d := s.HeadLocked(slot).ExpireAt(); d != 0 {
			at = time.Unix(0, d)
		}
	})
	return at, found
}

// Touch is Redis's TOUCH: it counts an access of each key present, as a
// Get would without reading the value, and returns how many were. Each
// key counts as a keyspace hit or miss. It locks one shard per key.
func (c *Cache[K, V]) Touch(keys ...K) (n int) {
	for _, k := range keys {
		if c.lookAt(k, func(s *kvShard[K, V], slot uint32) { s.AccessLocked(slot) }) {
			n++
		}
	}
	return n
}

// RandomKey is Redis's RANDOMKEY: a key chosen at random, every live key
// about as likely as any other (a shard in proportion to its entries,
// then an entry of it uniformly), and false when there is none. Expired
// keys met on the way are removed (OnEvict: Expired), as Redis does. It
// counts as no read or access.
func (c *Cache[K, V]) RandomKey() (key K, ok bool) {
	for tries := c.Len() + 64; tries > 0 && !c.closed.Load(); tries-- {
		s := c.randomShard()
		if s == nil {
			break
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
		if ok {
			break
		}
	}
	return key, ok
}

// randomShard returns a shard chosen in proportion to its entries as last
// published, or nil if there are none.
func (c *Cache[K, V]) randomShard() *kvShard[K, V] {
	var total int64
	for i := range c.shards {
		total += c.shards[i].Count()
	}
	if total <= 0 {
		return nil
	}
	r := int64(c.reads.Rand() % uint64(total))
	for i := range c.shards {
		if r -= c.shards[i].Count(); r < 0 {
			return &c.shards[i]
		}
	}
	return nil
}

// ObjectFreq is Redis's OBJECT FREQ: key's LFU counter (Redis's 8-bit
// logarithmic access counter, after decay), and found false for a missing
// key. Under a policy that keeps no counter (all but the LFU ones and
// custom policies that track frequency) a present key gets
// ErrFrequencyNotTracked, Redis's error. It counts as a keyspace hit or
// miss, not as an access.
func (c *Cache[K, V]) ObjectFreq(key K) (freq int, found bool, err error) {
	found = c.lookAt(key, func(s *kvShard[K, V], slot uint32) {
		if c.core.Policy.Load().Frequency {
			freq = int(s.FrequencyLocked(slot))
		} else {
			err = ErrFrequencyNotTracked
		}
	})
	return freq, found, err
}

// ObjectIdleTime is Redis's OBJECT IDLETIME: how long ago key was last
// accessed (under the LRM policies, written), and found false for a
// missing key. It may err long by the span of a few hundredths of the
// writes its shard holds. Under an LFU policy a present key gets
// ErrIdleTimeNotTracked, Redis's error. It counts as a keyspace hit or
// miss, not as an access.
func (c *Cache[K, V]) ObjectIdleTime(key K) (idle time.Duration, found bool, err error) {
	found = c.lookAt(key, func(s *kvShard[K, V], slot uint32) {
		if c.core.Policy.Load().Frequency {
			err = ErrIdleTimeNotTracked
		} else {
			idle = time.Duration(s.IdleTimeLocked(slot))
		}
	})
	return idle, found, err
}

// lookAt calls fn on the live entry of key, if there is one, under its
// shard's lock, and counts a keyspace hit or miss: the commands Redis
// counts as reads.
func (c *Cache[K, V]) lookAt(key K, fn func(s *kvShard[K, V], slot uint32)) bool {
	if c.closed.Load() {
		return false
	}
	var fx effects[K, V]
	s, slot, found := c.lockKey(key, &fx)
	if found {
		fn(s, slot)
	}
	s.Unlock()
	fx.report(c)
	c.reads.Count(found)
	return found
}
