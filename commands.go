package maxmem

// Redis's string commands with their options: SET key value [NX|XX] GET
// [PX|PXAT|KEEPTTL], GETEX and GETDEL. Each counts reads, accesses and
// writes as Redis does; EXPIRE's conditions, TOUCH, RANDOMKEY and OBJECT
// are in keys.go.

import (
	"fmt"
	"math"
	"time"
)

// Cond is the condition of SET (NX, XX) and EXPIRE (NX, XX, GT, LT).
type Cond uint8

// The conditions.
const (
	Always Cond = iota // no condition
	NX                 // SET: only if the key is absent. EXPIRE: only if it has no TTL.
	XX                 // SET: only if the key is present. EXPIRE: only if it has a TTL.
	GT                 // EXPIRE only: only if the new deadline is later (no TTL counts as infinite).
	LT                 // EXPIRE only: only if the new deadline is earlier.
)

// SetArgs are SET's options. The zero value is a plain SET, which clears
// the key's TTL. At most one of TTL, ExpireAt and KeepTTL may be set.
type SetArgs struct {
	Cond     Cond          // Always, NX or XX
	TTL      time.Duration // PX; 0 means none
	ExpireAt time.Time     // PXAT; the zero time means none
	KeepTTL  bool          // KEEPTTL
}

// SetArgs is Redis's SET key value [NX|XX] GET [PX|PXAT|KEEPTTL]: it
// returns the key's previous value and whether there was one, and stores
// value when err is nil and a.Cond held (NX: the key was absent; XX: it
// was present). The key gets a.TTL, a.ExpireAt, its own TTL (KeepTTL) or
// none; a deadline already past stores the key, which expires at once, as
// in Redis (OK, and no key left).
//
// Like SET ... GET it counts as a read (a keyspace hit or miss) and, when
// it stores, as a write, as Set does; a failed condition counts as an
// access of a present key and changes nothing. An entry that does not fit
// returns an *OOMError and changes nothing, as Set does. A negative TTL,
// or an ExpireAt at or before the Unix epoch, returns an error wrapping
// ErrInvalidTTL; GT or LT, or two of TTL, ExpireAt and KeepTTL, one
// wrapping ErrInvalidArgument (Redis's syntax error); neither changes or
// counts anything. It costs what a Set costs.
func (c *Cache[K, V]) SetArgs(key K, value V, a SetArgs) (old V, existed bool, err error) {
	var zero V
	expireAt, err := c.setDeadline(a)
	if err == nil && c.closed.Load() {
		err = ErrClosed
	}
	var size int64
	if err == nil {
		c.loadInvalidate(key)
		size, err = c.sizeOf(key, value)
	}
	if err != nil {
		return zero, false, err
	}
	_, err = c.store(key, value, size, expireAt, func(s *kvShard[K, V], slot uint32, found bool) bool {
		old, existed = zero, found // again after an eviction
		if found {
			old = s.value(slot)
		}
		if a.Cond == NX && found || a.Cond == XX && !found {
			if found {
				s.AccessLocked(slot)
			}
			return false
		}
		return true
	})
	if err != nil {
		return zero, false, err
	}
	c.reads.Count(existed)
	return old, existed, nil
}

// setDeadline returns the deadline SET's options ask for: 0 for none,
// keepTTL for KEEPTTL.
func (c *Cache[K, V]) setDeadline(a SetArgs) (int64, error) {
	switch {
	case a.Cond > XX:
		return 0, invalid("SET: condition %d is neither NX nor XX", a.Cond)
	case a.KeepTTL && (a.TTL != 0 || !a.ExpireAt.IsZero()):
		return 0, invalid("SET: KeepTTL with a TTL or ExpireAt")
	case a.KeepTTL:
		return keepTTL, nil
	}
	return c.expiry(a.TTL, a.ExpireAt)
}

// expiry returns the deadline of PX ttl or PXAT at, whichever is set (0
// for neither): SET's and GETEX's.
func (c *Cache[K, V]) expiry(ttl time.Duration, at time.Time) (int64, error) {
	switch {
	case ttl < 0:
		return 0, fmt.Errorf("%w: TTL %v is negative", ErrInvalidTTL, ttl)
	case ttl > 0 && !at.IsZero():
		return 0, invalid("both a TTL and ExpireAt")
	case ttl > 0:
		return c.deadline(ttl)
	case at.IsZero():
		return 0, nil
	case at.UnixMilli() <= 0 || at.After(endOfTime):
		return 0, fmt.Errorf("%w: ExpireAt %v is not between 1970 and 2262", ErrInvalidTTL, at)
	}
	return at.UnixNano(), nil
}

// endOfTime is the last deadline a cache can keep.
var endOfTime = time.Unix(0, math.MaxInt64)

// GetExArgs are GETEX's options. The zero value changes nothing; at most
// one field may be set.
type GetExArgs struct {
	TTL      time.Duration // PX; 0 means none
	ExpireAt time.Time     // PXAT; the zero time means none
	Persist  bool          // PERSIST
}

// GetEx is Redis's GETEX: it returns the value of key, as Get does, and
// sets its TTL to a.TTL or a.ExpireAt, or removes it (Persist). A
// deadline already past deletes the key once read (OnEvict: Deleted). It
// counts as a read (a keyspace hit or miss, and an access) and a TTL
// change as a write; it never needs memory. A negative TTL or an
// ExpireAt at or before the Unix epoch returns an error wrapping
// ErrInvalidTTL, two options one wrapping ErrInvalidArgument: nothing is
// changed or counted. (Redis checks a TTL only once it has looked the key
// up: it replies nil for a missing key, and counts a hit for a present
// one before its error.)
func (c *Cache[K, V]) GetEx(key K, a GetExArgs) (v V, found bool, err error) {
	expireAt, err := c.expiry(a.TTL, a.ExpireAt)
	switch {
	case err != nil:
		return v, false, err
	case a.Persist && expireAt != 0:
		return v, false, invalid("GETEX: Persist with a TTL or ExpireAt")
	case c.closed.Load():
		return v, false, nil
	case a.Persist || expireAt != 0:
		c.loadInvalidate(key)
	}
	var fx effects[K, V]
	s, slot, found := c.lockKey(key, &fx)
	if found {
		v = s.value(slot)
		c.getEx(s, slot, expireAt, a.Persist, &fx)
	}
	s.Unlock()
	fx.report(c)
	c.reads.Count(found)
	return v, found, nil
}

// getEx gives the entry at slot of the locked s the deadline expireAt (0:
// leave it; past: delete the entry), or none if persist, and counts the
// access.
func (c *Cache[K, V]) getEx(s *kvShard[K, V], slot uint32, expireAt int64, persist bool, fx *effects[K, V]) {
	switch {
	case expireAt != 0 && expireAt <= c.now():
		s.AccessLocked(slot)
		c.drop(s, slot, Deleted, fx)
	case expireAt != 0 || persist && s.HeadLocked(slot).ExpireAt() != 0:
		s.SetExpireLocked(slot, expireAt)
		s.WrittenLocked(slot)
	default:
		s.AccessLocked(slot)
	}
}

// GetDel is Redis's GETDEL: it returns the value of key and deletes it
// (OnEvict: Deleted). It counts as a read, a keyspace hit or miss, and,
// like Delete, forgets an absence GetOrLoad remembers for key.
func (c *Cache[K, V]) GetDel(key K) (v V, found bool) {
	if c.closed.Load() {
		return v, false
	}
	c.loadInvalidate(key)
	var fx effects[K, V]
	s, slot, found := c.lockKey(key, &fx)
	if found {
		v = s.value(slot)
		s.AccessLocked(slot)
		c.drop(s, slot, Deleted, &fx)
	}
	s.Unlock()
	fx.report(c)
	c.reads.Count(found)
	return v, found
}
