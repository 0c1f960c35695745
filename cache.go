package maxmem

import (
	"iter"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/maxmem/maxmem/internal/budget"
	"github.com/maxmem/maxmem/internal/clock"
	"github.com/maxmem/maxmem/internal/flight"
	"github.com/maxmem/maxmem/internal/reads"
	"github.com/maxmem/maxmem/internal/shard"
	"github.com/maxmem/maxmem/internal/sweep"
)

// NoExpiry is the TTL of a key without expiry (Redis's TTL reply -1).
const NoExpiry time.Duration = -1

// Missing is the TTL of an absent key (Redis's TTL reply -2).
const Missing time.Duration = -2

// Cache is a concurrent cache that never holds more than MaxMemory bytes,
// with Redis's eviction policies, TTLs and out-of-memory error. All
// methods are safe for concurrent use.
//
// Keys are spread over shards by a seeded hash; each shard has its own
// lock, and all shards share one byte budget. A write that does not fit
// evicts in its own shard, as Redis evicts in its one database: expired
// entries first, then the policy's victims, until the entry fits; when
// nothing can be freed it returns an *OOMError and changes nothing. With
// string keys and []byte or string values a Get takes no lock (unless
// Options.Seed is set), and the
// cache keeps keys and values in memory the garbage collector does not
// scan.
type Cache[K comparable, V any] struct {
	closed atomic.Bool
	packed bool // string keys with []byte or string values, in arenas (see kv.go)
	// stringValues: V is a string type, not a byte slice (packed layout).
	stringValues bool
	hash         hasher[K]
	shift        uint // shard = hash >> shift
	shards       []kvShard[K, V]
	size         func(K, V) int64 // the Sizer, built-in or the user's
	cfg          config[K, V]
	core         shard.Config // what every shard shares
	budget       *budget.Budget
	clock        Clock        // nil: the system clock, read through internal/clock
	reads        reads.Counts // the keyspace hits and misses of Gets
	stats        cacheStats
	loads        flight.Group[K, V]
	sweeper      *sweep.Loop
	policy       atomic.Pointer[Policy] // the active Policy, as the user gave it
}

// New returns a cache configured by o, or an error naming what is wrong
// with o. A background goroutine removes expired entries until Close.
func New[K comparable, V any](o Options[K, V]) (*Cache[K, V], error) {
	cfg, err := o.validate()
	if err != nil {
		return nil, err
	}
	size := cfg.Sizer
	if size == nil {
		if size, err = BuiltinSizer[K, V](); err != nil {
			return nil, err
		}
	}
	c := &Cache[K, V]{cfg: cfg, size: size, hash: newHasher[K](cfg.Seed)}
	c.packed, c.stringValues = packedLayout[K, V]()
	if _, system := cfg.Clock.(systemClock); !system {
		c.clock = cfg.Clock
	}
	c.initCore()
	c.setPolicy(cfg.Policy)
	c.shift = uint(64 - bits.TrailingZeros(uint(cfg.Shards)))
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	var leases []budget.Lease
	c.budget, leases = budget.New(cfg.MaxMemory, cfg.Shards)
	c.shards = make([]kvShard[K, V], cfg.Shards)
	for i := range c.shards {
		c.shards[i].Init(&c.core, &leases[i], c.packed, seed, uint64(i)+1)
	}
	c.reads.Init(seed)
	c.sweeper = startSweeper(c)
	return c, nil
}

// initCore fills in what the shards share.
func (c *Cache[K, V]) initCore() {
	c.core = shard.Config{
		Now:          c.now,
		HashString:   func(k string) uint32 { return uint32(c.hash.of(asKey[K](k))) },
		Overhead:     EntryOverhead[K, V](),
		Samples:      c.cfg.Samples,
		LogFactor:    c.cfg.LFULogFactor,
		DecayMinutes: c.cfg.decayMinutes,
		CustomSize:   c.packed && c.cfg.Sizer != nil,
		Reproducible: c.cfg.Seed != 0,
		Nominal:      c.nominal,
		Victim:       c.customVictim,
		WriteTimes:   c.cfg.RefreshAfter > 0,
	}
	if c.core.WriteTimes {
		c.core.Overhead += shard.WriteTimeBytes
	}
}

// now is the cache clock in unix nanoseconds.
func (c *Cache[K, V]) now() int64 {
	if c.clock == nil {
		return clock.Now()
	}
	return c.clock.Now().UnixNano()
}

// nominal returns a shard's share of the budget (of the bytes in use when
// there is no limit).
func (c *Cache[K, V]) nominal() int64 {
	n := c.budget.Max()
	if n == 0 {
		n = c.budget.Used()
	}
	return n / int64(len(c.shards))
}

// shardFor returns the shard of a key whose hash is h.
func (c *Cache[K, V]) shardFor(h uint64) *kvShard[K, V] { return &c.shards[h>>c.shift] }

// Get returns the value of key and whether it was found. A hit counts as
// an access for the policies that order by access. Expired keys are never
// returned.
//
// With string keys and []byte values, the value is a slice of the
// cache's own copy, which the cache never writes again: it stays valid
// after the key changes or leaves, and it must not be modified.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	if c.closed.Load() {
		var zero V
		return zero, false
	}
	h := c.hash.of(key)
	s := c.shardFor(h)
	if c.packed && !c.core.Reproducible {
		if v, ok, done := s.Get(keyString(key), uint32(h)); done {
			c.reads.Count(ok)
			return bytesValue[V](v, c.stringValues), ok
		}
	}
	v, ok := c.getLocked(s, key, h)
	c.reads.Count(ok)
	return v, ok
}

// getLocked is Get under the shard's lock: in the generic layout, in a
// reproducible cache, and when writes kept overtaking a Get without the
// lock or its entry expired.
func (c *Cache[K, V]) getLocked(s *kvShard[K, V], key K, h uint64) (v V, found bool) {
	var fx effects[K, V]
	s.Lock()
	slot, found := c.findLive(s, key, h, &fx)
	if found {
		s.AccessLocked(slot)
		v = s.value(slot)
	} else {
		s.MissLocked()
	}
	s.Unlock()
	fx.report(c)
	return v, found
}

// Set stores value under key without a TTL, clearing any TTL the key had
// (Redis SET). If the entry does not fit, expired entries and then the
// policy's victims are evicted; if that cannot make room, Set returns an
// *OOMError and the key keeps its previous value and TTL.
func (c *Cache[K, V]) Set(key K, value V) error {
	return c.set(key, value, 0)
}

// Delete removes key and reports whether it was present. It also forgets
// an absence GetOrLoad remembers for key (ErrNotFound).
func (c *Cache[K, V]) Delete(key K) (deleted bool) {
	if c.closed.Load() {
		return false
	}
	c.loadInvalidate(key)
	return c.atKey(key, false, func(s *kvShard[K, V], _ uint32, _ bool) bool {
		s.forget(key)
		return true
	})
}

// lockKey locks key's shard and looks key up, reclaiming it into fx if it
// expired. The caller unlocks the shard and then reports fx; no code of
// the user's may run in between unless the unlock is deferred.
func (c *Cache[K, V]) lockKey(key K, fx *effects[K, V]) (s *kvShard[K, V], slot uint32, found bool) {
	h := c.hash.of(key)
	s = c.shardFor(h)
	s.Lock()
	slot, found = c.findLive(s, key, h, fx)
	return s, slot, found
}

// MemoryUsage returns the bytes charged for key: the Sizer's figure plus
// EntryOverhead (Redis MEMORY USAGE), and, under AllKeysTinyLFU, the
// policy's bytes for the entry. It does not count as an access.
func (c *Cache[K, V]) MemoryUsage(key K) (n int64, ok bool) {
	ok = c.atKey(key, false, func(s *kvShard[K, V], slot uint32, found bool) bool {
		if found {
			n = s.ChargeLocked(slot)
		}
		return false
	})
	return n, ok
}

// Len returns the number of resident entries, including expired ones not
// yet reclaimed (as Redis's DBSIZE).
func (c *Cache[K, V]) Len() int {
	n := int64(0)
	for i := range c.shards {
		n += c.shards[i].Count()
	}
	return int(n)
}

// All yields every live entry, like SCAN: it does not count as an access,
// skips expired entries, and tolerates concurrent writes (an entry written
// during the walk may or may not be seen). Each shard is copied under its
// lock and yielded without it, so the loop body may use the cache.
func (c *Cache[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		var batch []pair[K, V]
		for i := range c.shards {
			batch = c.liveEntries(&c.shards[i], batch[:0])
			for _, e := range batch {
				if !yield(e.key, e.value) {
					return
				}
			}
		}
	}
}

// liveEntries appends the unexpired entries of s to dst.
func (c *Cache[K, V]) liveEntries(s *kvShard[K, V], dst []pair[K, V]) []pair[K, V] {
	if c.closed.Load() {
		return dst
	}
	now := c.now()
	s.Lock()
	defer s.Unlock()
	for slot := uint32(1); slot <= s.LenLocked(); slot++ {
		if d := s.HeadLocked(slot).ExpireAt(); d == 0 || d > now {
			dst = append(dst, s.entry(slot))
		}
	}
	return dst
}

// SetMaxMemory changes the budget at run time (CONFIG SET maxmemory); 0
// removes the limit. Lowering it below the bytes in use evicts down to
// the new limit at once under an evicting policy; under noeviction, or
// when the policy runs out of victims, the data stays and writes fail
// until there is room, as in Redis. A negative n returns an error
// wrapping ErrInvalidArgument and changes nothing.
func (c *Cache[K, V]) SetMaxMemory(n int64) error {
	if n < 0 {
		return invalid("MaxMemory %d is negative", n)
	}
	if c.closed.Load() {
		return ErrClosed
	}
	c.budget.SetLimit(n)
	c.shrink()
	return nil
}

// SetPolicy changes the eviction policy at run time (CONFIG SET
// maxmemory-policy); nil means NoEviction. Switching to or from a policy
// that keeps other per-entry state (AllKeysTinyLFU's lists, the LFU
// counters) rebuilds it in every shard, under each shard's lock in turn,
// in time proportional to the shard's entries.
func (c *Cache[K, V]) SetPolicy(p Policy) error {
	if c.closed.Load() {
		return ErrClosed
	}
	c.setPolicy(p)
	for i := range c.shards {
		c.relayout(&c.shards[i])
	}
	return nil
}

// Clear removes every entry, reporting each to OnEvict as Cleared.
func (c *Cache[K, V]) Clear() {
	c.loadInvalidateAll()
	for i := range c.shards {
		c.dropShard(&c.shards[i], true)
	}
}

// dropShard empties s and releases its bytes; report passes the dropped
// entries to OnEvict as Cleared.
func (c *Cache[K, V]) dropShard(s *kvShard[K, V], report bool) {
	var fx effects[K, V]
	s.Lock()
	if report && c.cfg.OnEvict != nil {
		for slot := uint32(1); slot <= s.LenLocked(); slot++ {
			fx.add(s.entry(slot), Cleared)
		}
	}
	s.Lease.Release(s.reset())
	s.Unlock()
	fx.report(c)
}

// Close stops the background expiry and drops every entry without calling
// OnEvict. Afterwards writes return ErrClosed, reads find nothing, and
// Close returns ErrClosed. A write that raced with Close either landed
// before its shard was emptied or returns ErrClosed: once Close and the
// writes that raced with it have returned, the cache holds and charges
// nothing.
func (c *Cache[K, V]) Close() error {
	if c.closed.Swap(true) {
		return ErrClosed
	}
	c.sweeper.Stop()
	for i := range c.shards {
		c.dropShard(&c.shards[i], false)
	}
	return nil
}
