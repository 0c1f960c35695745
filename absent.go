package maxmem

// Negative caching: a key a loader reports missing is remembered in its
// shard (internal/absent), charged to its lease, and seen only by loads.
// A write that needs room forgets its shard's absences before it evicts,
// and all of them before it gives up; a write of the key, Delete, GetDel
// and Clear forget it.

import (
	"errors"
	"math"
	"time"
	"unsafe"

	"github.com/maxmem/maxmem/internal/flight"
)

// ErrNotFound says a key does not exist in the source of truth. A Loader
// returns it (or an error wrapping it) with the TTL for which GetOrLoad
// remembers the absence: > 0 that long, 0 until the key is written or
// deleted (or its bytes are needed), < 0 not at all; meanwhile GetOrLoad
// returns it without a load. It is no load failure. An absence is charged
// the Sizer's bytes for the key and a zero value, plus a Go map's slot.
var ErrNotFound = errors.New("maxmem: not found")

// rememberAbsent records key as absent for ttl, on behalf of the load f,
// unless a write of key came during the load or the lease has no room. A
// refresh that finds the key gone deletes the entry.
func (c *Cache[K, V]) rememberAbsent(key K, ttl time.Duration, f *flight.Flight[V]) {
	var k K
	var zero V
	charge := c.size(key, zero) + 2*int64(unsafe.Sizeof(k)+16)
	until := int64(0)
	if now := c.now(); ttl > 0 && ttl <= math.MaxInt64-time.Duration(now) {
		until = now + int64(ttl)
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

// known returns the value of key if it is cached, or ErrNotFound if its
// absence is remembered, counting no read: what a load checks first,
// since a load that just ended may have settled the key.
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
	if n := s.absent.Forget(key); n > 0 {
		s.Lease.Release(n)
	}
}

// forgetAll drops every absence remembered in the locked s and reports
// whether there was one.
func (s *kvShard[K, V]) forgetAll() bool {
	n := s.absent.Clear()
	if n > 0 {
		s.Lease.Release(n)
	}
	return n > 0
}

// forgetAbsences drops the absences remembered in every shard, for a
// write that found nothing to evict, and reports whether there was one.
// No lock may be held.
func (c *Cache[K, V]) forgetAbsences() (forgot bool) {
	for i := range c.shards {
		s := &c.shards[i]
		s.Lock()
		forgot = s.forgetAll() || forgot
		s.Unlock()
	}
	return forgot
}
