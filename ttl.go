package maxmem

// The TTL calls: Redis's SET EX/PX, EXPIRE, PERSIST and PTTL.

import (
	"fmt"
	"math"
	"time"
)

// SetWithTTL stores value under key, expiring after ttl (Redis SET EX/PX).
// A ttl <= 0, or one whose deadline overflows, returns an error wrapping
// ErrInvalidTTL that names it, and changes nothing.
func (c *Cache[K, V]) SetWithTTL(key K, value V, ttl time.Duration) error {
	expireAt, err := c.deadline(ttl)
	if err != nil {
		return err
	}
	return c.set(key, value, expireAt)
}

// Expire sets key to expire after ttl and reports whether the key exists
// (Redis EXPIRE/PEXPIRE): ExpireIf(key, ttl, Always). As in Redis, a ttl
// <= 0 deletes the key. An overflowing deadline returns false and changes
// nothing. Expire never needs memory, so it works when the cache is full.
func (c *Cache[K, V]) Expire(key K, ttl time.Duration) bool {
	return c.ExpireIf(key, ttl, Always)
}

// Persist removes the TTL of key and reports whether it had one (Redis
// PERSIST).
func (c *Cache[K, V]) Persist(key K) bool {
	return c.changeTTL(key, 0)
}

// changeTTL sets the deadline of a resident key (0: none). Persist on a
// key without TTL changes nothing and reports false, but, as in Redis,
// looks the key up for writing: an access, not a modification.
func (c *Cache[K, V]) changeTTL(key K, expireAt int64) (changed bool) {
	if c.closed.Load() {
		return false
	}
	c.loadInvalidate(key)
	var fx effects[K, V]
	s, slot, found := c.lockKey(key, &fx)
	switch {
	case !found:
	case expireAt == 0 && s.HeadLocked(slot).ExpireAt() == 0:
		s.AccessLocked(slot)
	default:
		s.SetExpireLocked(slot, expireAt)
		s.WrittenLocked(slot)
		changed = true
	}
	s.Unlock()
	fx.report(c)
	return changed
}

// TTL returns the time key has left, NoExpiry for a key without TTL, or
// Missing for an absent key (Redis PTTL). It does not count as an access,
// but, as in Redis, it counts as a keyspace hit or miss.
func (c *Cache[K, V]) TTL(key K) (ttl time.Duration) {
	ttl = Missing
	c.lookAt(key, func(s *kvShard[K, V], slot uint32) {
		ttl = NoExpiry
		if d := s.HeadLocked(slot).ExpireAt(); d != 0 {
			ttl = time.Duration(d - c.now())
		}
	})
	return ttl
}

// deadline returns the deadline of a TTL counted from now, or an error
// wrapping ErrInvalidTTL, naming ttl, for one that is not positive or
// whose deadline overflows.
func (c *Cache[K, V]) deadline(ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("%w: TTL %v is not positive", ErrInvalidTTL, ttl)
	}
	now := c.now()
	if ttl > math.MaxInt64-time.Duration(now) {
		return 0, fmt.Errorf("%w: TTL %v is past the end of time", ErrInvalidTTL, ttl)
	}
	return now + int64(ttl), nil
}
