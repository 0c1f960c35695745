package maxmem

// Redis's SET with its options, GETEX and GETDEL (keys.go has the rest):
// each counts reads, accesses and writes as Redis does.

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

// SetArgs is Redis's SET key value [NX|XX] GET [PX|PXAT|KEEPTTL]: the
// key's previous value and whether there was one; value is stored, with
// a.TTL, a.ExpireAt, the key's own TTL (KeepTTL) or none, when err is nil
// and a.Cond held (NX: the key was absent; XX: present). A deadline past
// stores a key that expires at once, as in Redis. As SET ... GET it counts
// a keyspace hit or miss, and as Set a write; a failed condition counts an
// access. It costs a Set, and changes nothing when the entry does not fit
// (*OOMError) or an argument is bad: a negative TTL or an ExpireAt at or
// before 1970 (ErrInvalidTTL), GT, LT, or two of TTL, ExpireAt and KeepTTL
// (ErrInvalidArgument, Redis's syntax error).
func (c *Cache[K, V]) SetArgs(key K, value V, a SetArgs) (old V, existed bool, err error) {
	var zero V
	expireAt, err := c.setDeadline(a)
	var size int64
	if err == nil {
		size, err = c.sizeOf(key, value)
	}
	if err == nil && c.closed.Load() {
		err = ErrClosed
	}
	if err != nil {
		return zero, false, err
	}
	c.loadInvalidate(key)
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
// for neither), for SET and GETEX.
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

// GetEx is Redis's GETEX: Get, then the TTL set to a.TTL or a.ExpireAt, or
// removed (Persist); a deadline past deletes the key. It counts a read
// (hit or miss, access), a TTL change a write; no memory needed. Bad
// arguments, as for SetArgs, change and count nothing (Redis looks the
// key up first: nil for a missing key, a hit for a present one).
func (c *Cache[K, V]) GetEx(key K, a GetExArgs) (v V, found bool, err error) {
	expireAt, err := c.expiry(a.TTL, a.ExpireAt)
	switch {
	case err != nil:
		return v, false, err
	case a.Persist && expireAt != 0:
		return v, false, invalid("GETEX: Persist with a TTL or ExpireAt")
	case a.Persist || expireAt != 0:
		c.loadInvalidate(key)
	}
	found = c.atKey(key, true, func(s *kvShard[K, V], slot uint32, found bool) (del bool) {
		if found {
			v = s.value(slot)
			_, del = c.retime(s, slot, expireAt, a.Persist)
		}
		return del
	})
	return v, found, nil
}

// retime gives the entry at slot the deadline expireAt (0: leave it), or
// none if persist, counting an access or a write; del is for a deadline
// past: the caller deletes the entry.
func (c *Cache[K, V]) retime(s *kvShard[K, V], slot uint32, expireAt int64, persist bool) (changed, del bool) {
	switch {
	case expireAt != 0 && expireAt <= c.now():
		s.AccessLocked(slot)
		return true, true
	case expireAt != 0 || persist && s.HeadLocked(slot).ExpireAt() != 0:
		s.SetExpireLocked(slot, expireAt)
		s.WrittenLocked(slot)
		return true, false
	}
	s.AccessLocked(slot)
	return false, false
}

// GetDel is Redis's GETDEL: Get, then Delete (OnEvict: Deleted). It
// counts as a read (a keyspace hit or miss) and, as Delete, forgets an
// absence GetOrLoad remembers for key.
func (c *Cache[K, V]) GetDel(key K) (v V, found bool) {
	c.loadInvalidate(key)
	found = c.atKey(key, true, func(s *kvShard[K, V], slot uint32, found bool) (del bool) {
		if found {
			v = s.value(slot)
			s.AccessLocked(slot)
		}
		s.forget(key)
		return true
	})
	return v, found
}

// atKey calls fn with key's shard locked and its live entry, if found,
// deletes the entry if fn says so, and reports whether it was found; read
// counts a hit or miss. On a closed cache it does nothing.
func (c *Cache[K, V]) atKey(key K, read bool, fn func(s *kvShard[K, V], slot uint32, found bool) (del bool)) bool {
	if c.closed.Load() {
		return false
	}
	var fx effects[K, V]
	s, slot, found := c.lockKey(key, &fx)
	if fn(s, slot, found) && found {
		c.drop(s, slot, Deleted, &fx)
	}
	s.Unlock()
	fx.report(c)
	if read {
		c.reads.Count(found)
	}
	return found
}
