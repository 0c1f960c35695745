package maxmem

// Negative caching: a key a loader reports missing is remembered in its
// shard (internal/absent), charged to its lease, and seen only by loads.
// A write that needs room forgets its shard's absences before it evicts,
// and all of them before it gives up; a write of the key, Delete, GetDel
// and Clear forget it.

import (
	"errors"
	"time"
	"unsafe"

	"github.com/maxmem/maxmem/internal/flight"
)

// ErrNotFound says a key does not exist in the source of truth. A Loader
// returns it (or wraps it) with the TTL for which GetOrLoad remembers the
// absence and returns it without a load: > 0 that long, 0 until the key is
// written or deleted, < 0 not at all. It is no load failure. An absence
// is charged the Sizer's bytes for the key and a zero value, plus twice
// its map slot.
var ErrNotFound = errors.New("maxmem: not found")

// rememberAbsent records key as absent for ttl for the load f, unless key
// was written meanwhile or the lease has no room; a refresh deletes it.
func (c *Cache[K, V]) rememberAbsent(key K, ttl time.Duration, f *flight.Flight[V]) {
	var k K
	var zero V
	charge := c.size(key, zero) + 2*int64(unsafe.Sizeof(k)+16)
	until := int64(0)
	if at, ok := c.after(ttl); ttl > 0 && ok { // past 2262: forever
		until = at
	}
	c.atKey(key, false, func(s *kvShard[K, V], slot uint32, found bool) (del bool) {
		if ttl < 0 || f.Stale() {
			return false
		}
		if s.forget(key); s.Lease.Take(charge) {
			s.absent.Add(key, until, charge)
		}
		return true // a refresh found the key gone
	})
}

// known returns key's cached value, or ErrNotFound for a remembered
// absence, counting no read: what a load checks first.
func (c *Cache[K, V]) known(key K) (v V, ok bool, err error) {
	ok = c.atKey(key, false, func(s *kvShard[K, V], slot uint32, found bool) (del bool) {
		if found {
			v = s.value(slot)
		} else if has, freed := s.absent.Has(key, c.now()); has {
			err = ErrNotFound
		} else if freed > 0 {
			s.Lease.Release(freed)
		}
		return false
	})
	return v, ok, err
}

// forget drops the remembered absence of key, if any, from the locked s.
func (s *kvShard[K, V]) forget(key K) {
	if s.absent.Bytes() == 0 { // none: every absence is charged
		return
	}
	if n := s.absent.Forget(key); n > 0 {
		s.Lease.Release(n)
	}
}

// forgetAll drops the locked s's absences, reporting whether there was one.
func (s *kvShard[K, V]) forgetAll() bool {
	n := s.absent.Clear()
	if n > 0 {
		s.Lease.Release(n)
	}
	return n > 0
}

// forgetAbsences drops every shard's absences, for a write that found
// nothing to evict, and reports whether there was one. No lock is held.
func (c *Cache[K, V]) forgetAbsences() (forgot bool) {
	for i := range c.shards {
		s := &c.shards[i]
		s.Lock()
		forgot = s.forgetAll() || forgot
		s.Unlock()
	}
	return forgot
}
