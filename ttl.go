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
// PERSIST). On a key without TTL it changes nothing but, as in Redis,
// looks the key up for writing: an access, not a modification.
func (c *Cache[K, V]) Persist(key K) (changed bool) {
	c.loadInvalidate(key)
	c.atKey(key, false, func(s *kvShard[K, V], slot uint32, found bool) (del bool) {
		if found {
			changed, _ = c.retime(s, slot, 0, true)
		}
		return false
	})
	return changed
}

// TTL returns the time key has left, NoExpiry for a key without TTL, or
// Missing for an absent key (Redis PTTL). It does not count as an access,
// but, as in Redis, it counts as a keyspace hit or miss.
func (c *Cache[K, V]) TTL(key K) time.Duration {
	switch at, found := c.ExpireTime(key); {
	case !found:
		return Missing
	case at.IsZero():
		return NoExpiry
	default:
		return time.Duration(at.UnixNano() - c.now())
	}
}

// deadline returns the deadline of a TTL counted from now, or an error
// wrapping ErrInvalidTTL, naming ttl, for one that is not positive or
// whose deadline overflows.
func (c *Cache[K, V]) deadline(ttl time.Duration) (int64, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("%w: TTL %v is not positive", ErrInvalidTTL, ttl)
	}
	at, ok := c.after(ttl)
	if !ok {
		return 0, fmt.Errorf("%w: TTL %v is past the end of time", ErrInvalidTTL, ttl)
	}
	return at, nil
}

// after returns the cache's clock ttl from now; false if that overflows.
func (c *Cache[K, V]) after(ttl time.Duration) (int64, bool) {
	now := c.now()
	return now + int64(ttl), ttl <= math.MaxInt64-time.Duration(now)
}
