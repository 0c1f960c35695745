package maxmem

import (
	"fmt"
	"iter"
	"math"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/maxmem/maxmem/internal/sizer"
)

// NoExpiry is the TTL of a key without expiry (Redis's TTL reply -1).
const NoExpiry time.Duration = -1

// Missing is the TTL of an absent key (Redis's TTL reply -2).
const Missing time.Duration = -2

// Cache is a concurrent cache that never holds more than MaxMemory bytes.
// Entries are spread over shards by key hash; each shard has its own lock,
// index, recency lists and TTL heap, and all shards share one byte budget.
// All methods are safe for concurrent use.
//
// A reader follows Get and Set from here: Get to getPacked (reads.go) or
// getLocked below, Set to store (write.go), which charges the entry
// (accounting.go) and evicts when it must (eviction.go); the shard's
// bookkeeping is in shard.go and entries.go, its keys and values behind
// the store interface (store.go).
type Cache[K comparable, V any] struct {
	// What every call reads and almost nothing writes.
	closed   atomic.Bool
	lockFree bool // the packed layout: Gets take no lock (reads.go)
	// stringValues: V is a string type, not a byte slice (packed layout).
	stringValues bool
	hash         hasher[K] // seeded (hash.go)
	shift        uint      // shard = hash >> shift
	shards       []shard[K, V]
	size         func(K, V) int64 // the Sizer, built-in or the user's
	cfg          config[K, V]
	sweeper      *sweeper
	_            [cacheLine]byte

	base                    // the budget, the policy, the clock and the settings shards read
	stats cacheStats        // the counters of Stats that are not the shards' (stats.go)
	pool  pool              // candidates of the sampling policies
	loads flightGroup[K, V] // GetOrLoad's loads in progress
}

// base is the cache-wide state the shards share that does not depend on
// the key and value types.
type base struct {
	policy   atomic.Pointer[policyState]
	clock    Clock
	shards   int   // number of shards
	overhead int64 // EntryOverhead[K, V]()

	samples      int       // maxmemory-samples
	logFactor    int       // lfu-log-factor
	decayMinutes int       // lfu-decay-time in minutes; 0: no decay
	ledgers      []*ledger // every shard's, for used()
	_            [cacheLine]byte
	budget       budget
}

// now is the cache clock in unix nanoseconds: the Options.Clock, or, for
// the system clock, wallNow.
func (b *base) now() int64 {
	if b.clock == nil {
		return wallNow()
	}
	return b.clock.Now().UnixNano()
}

// nominal returns a shard's share of the budget (of the bytes in use when
// there is no limit).
func (b *base) nominal() int64 {
	n := b.budget.max.Load()
	if n == 0 {
		n = b.used()
	}
	return n / int64(b.shards)
}

// policyState is the active policy with what the cache needs to know of it.
type policyState struct {
	p            Policy
	frequency    bool  // p tracks frequency: keep LFU counters current
	modification bool  // p tracks modification: reads leave recency alone
	order        order // how its victims are found (eviction.go)
	volatile     bool  // only keys with a TTL may be evicted
}

func newPolicyState(p Policy) *policyState {
	if p == nil {
		p = NoEviction
	}
	var t Tracking
	if tr, ok := p.(Tracker); ok {
		t = tr.Tracks()
	}
	ps := &policyState{p: p, frequency: t&TrackFrequency != 0,
		modification: t&TrackModification != 0, order: orderSampled}
	if b, ok := p.(builtin); ok {
		ps.order, ps.volatile = b.order()
	}
	return ps
}

// New returns a cache configured by o, or an error naming what is wrong with
// o. A background goroutine removes expired entries until Close.
func New[K comparable, V any](o Options[K, V]) (*Cache[K, V], error) {
	cfg, err := o.validate()
	if err != nil {
		return nil, err
	}
	packed, stringValues := packedLayout[K, V]()
	size := cfg.Sizer
	if size == nil {
		if size, err = BuiltinSizer[K, V](); err != nil {
			return nil, err
		}
	}
	c := &Cache[K, V]{cfg: cfg, size: size, hash: newHasher[K](cfg.Seed),
		lockFree: packed, stringValues: stringValues}
	clock := cfg.Clock
	if _, system := clock.(systemClock); system {
		clock = nil // base.now reads the system clock faster itself
	}
	c.base = base{clock: clock, shards: cfg.Shards, overhead: EntryOverhead[K, V](),
		samples: cfg.Samples, logFactor: cfg.LFULogFactor, decayMinutes: cfg.decayMinutes}
	c.budget.shards = int64(cfg.Shards)
	c.budget.soonest.Store(math.MaxInt64)
	c.budget.setLimit(cfg.MaxMemory, false)
	c.policy.Store(newPolicyState(cfg.Policy))
	c.shift = uint(64 - bits.TrailingZeros(uint(cfg.Shards)))
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	c.pool.rng.Seed(seed, 0)
	c.shards = make([]shard[K, V], cfg.Shards)
	for i := range c.shards {
		c.initShard(&c.shards[i], seed, uint64(i)+1)
	}
	c.layout()
	c.sweeper = startSweeper(c)
	return c, nil
}

// initShard readies s, the shard with the given stream of random numbers,
// in the cache's layout.
func (c *Cache[K, V]) initShard(s *shard[K, V], seed, stream uint64) {
	s.base = &c.base
	c.ledgers = append(c.ledgers, &s.ledger)
	s.rng.Seed(seed, stream)
	if c.lockFree {
		s.arena = &arena{}
		s.reads = newRings(c.cfg.Seed != 0)
		s.kv = &packedStore[K, V]{l: &s.ledger, hash: c.hashString, stringValues: c.stringValues,
			customSize: c.cfg.Sizer != nil}
	} else {
		s.kv = &pairStore[K, V]{}
	}
	s.sizeOf = s.kv.size
	s.resetLocked()
	s.publishAllLocked()
}

// hashString hashes the bytes of a key of the packed layout.
func (c *Cache[K, V]) hashString(k string) uint64 {
	return c.hash.of(*(*K)(unsafe.Pointer(&k)))
}

// BuiltinSizer returns the Sizer a Cache[K, V] uses when Options.Sizer is
// nil, so that a Sizer of one's own can start from it: for string keys
// with []byte or string values, the bytes the key and value take in the
// cache's arena (and their share of its slack); for other types, the bytes
// of strings, byte slices, numbers, booleans, and arrays, slices and
// pointer-free structs of those. For any other type it returns an error,
// as New does.
//
// A Sizer that adds to it, say for memory of the caller's kept beside each
// entry, keeps MaxMemory a bound on both:
//
//	base, _ := maxmem.BuiltinSizer[string, []byte]()
//	opts.Sizer = func(k string, v []byte) int64 { return base(k, v) + perEntry }
func BuiltinSizer[K comparable, V any]() (func(K, V) int64, error) {
	if packed, stringValues := packedLayout[K, V](); packed {
		return packedSizer[K, V](stringValues), nil
	}
	ks, err := sizer.Of[K]()
	if err != nil {
		return nil, fmt.Errorf("maxmem: no built-in size for keys, pass Options.Sizer: %w", err)
	}
	vs, err := sizer.Of[V]()
	if err != nil {
		return nil, fmt.Errorf("maxmem: no built-in size for values, pass Options.Sizer: %w", err)
	}
	return func(k K, v V) int64 { return ks(k) + vs(v) }, nil
}

// shardFor returns the shard of a key whose hash is h.
func (c *Cache[K, V]) shardFor(h uint64) *shard[K, V] { return &c.shards[h>>c.shift] }

// Get returns the value of key and whether it was found. A hit counts as an
// access for the LRU and LFU policies. Expired keys are never returned.
//
// With string keys and []byte values, the value is a slice of the cache's
// own copy, which the cache never writes again: it stays valid after the
// key changes or leaves, and it must not be modified.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	if c.closed.Load() {
		var zero V
		return zero, false
	}
	h := c.hash.of(key)
	s := c.shardFor(h)
	if c.lockFree {
		if v, ok, done := getPacked(s, key, uint32(h), c); done {
			return v, ok
		}
	}
	return c.getLocked(s, key, h)
}

// getLocked is Get with the shard locked: in the generic layout, and in
// the packed one when writes kept overtaking a Get or its entry expired.
// The access is applied at once.
func (c *Cache[K, V]) getLocked(s *shard[K, V], key K, h uint64) (v V, found bool) {
	var fx effects[K, V]
	s.lock()
	slot, found := c.findLiveLocked(s, key, h, 0, &fx)
	if found {
		s.counters.hits++
		p, now := c.policy.Load(), int64(0)
		if p.frequency { // the clock is slow to read: only for LFU decay
			now = c.now()
		}
		s.readLocked(slot, recencyNow(), p, now)
		v = s.valueAt(slot)
	} else {
		s.missLocked()
	}
	s.unlock() // no code of the user's ran under the lock: no defer needed
	fx.report(c)
	return v, found
}

// locked runs fn with the shard s of key, whose hash is h, locked and key
// looked up (an expired entry is reclaimed on the way), then reports what
// left to OnEvict.
func (c *Cache[K, V]) locked(s *shard[K, V], key K, h uint64, fn func(slot uint32, found bool, fx *effects[K, V])) {
	var fx effects[K, V]
	s.lock()
	defer fx.report(c) // deferred calls run last in, first out: after the unlock
	defer s.unlock()
	slot, found := c.findLiveLocked(s, key, h, 0, &fx)
	fn(slot, found, &fx)
}

// withKey is locked for key.
func (c *Cache[K, V]) withKey(key K, fn func(s *shard[K, V], slot uint32, found bool, fx *effects[K, V])) {
	h := c.hash.of(key)
	s := c.shardFor(h)
	c.locked(s, key, h, func(slot uint32, found bool, fx *effects[K, V]) { fn(s, slot, found, fx) })
}

// expired reports whether a deadline (0: none) has passed. It reads the
// clock only for an entry that has one.
func (c *Cache[K, V]) expired(expireAt int64) bool {
	return expireAt != 0 && expireAt <= c.now()
}

// Set stores value under key without a TTL, clearing any TTL the key had
// (Redis SET). If the entry does not fit, expired entries and then the
// policy's victims are evicted; if that cannot make room, Set returns an
// *OOMError and the key keeps its previous value and TTL.
func (c *Cache[K, V]) Set(key K, value V) error {
	return c.set(key, value, 0)
}

// Delete removes key and reports whether it was present.
func (c *Cache[K, V]) Delete(key K) (deleted bool) {
	if c.closed.Load() {
		return false
	}
	c.loadInvalidate(key)
	c.withKey(key, func(s *shard[K, V], slot uint32, found bool, fx *effects[K, V]) {
		if deleted = found; found {
			c.dropLocked(s, slot, Deleted, fx)
		}
	})
	return deleted
}

// MemoryUsage returns the bytes charged for key: the Sizer's figure plus
// EntryOverhead (Redis MEMORY USAGE). It does not count as an access.
func (c *Cache[K, V]) MemoryUsage(key K) (n int64, ok bool) {
	if c.closed.Load() {
		return 0, false
	}
	c.withKey(key, func(s *shard[K, V], slot uint32, found bool, _ *effects[K, V]) {
		if ok = found; found {
			n = s.charge(slot)
		}
	})
	return n, ok
}

// Len returns the number of resident entries, including expired ones not yet
// reclaimed (as Redis's DBSIZE).
func (c *Cache[K, V]) Len() int {
	n := int64(0)
	for i := range c.shards {
		n += c.shards[i].pub.count.Load()
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
func (c *Cache[K, V]) liveEntries(s *shard[K, V], dst []pair[K, V]) []pair[K, V] {
	if c.closed.Load() {
		return dst
	}
	now := c.now()
	s.lock()
	defer s.unlock()
	for slot := uint32(1); slot <= s.n; slot++ {
		if !s.expiredLocked(slot, now) {
			dst = append(dst, s.entryAt(slot))
		}
	}
	return dst
}

// SetMaxMemory changes the budget at run time (CONFIG SET maxmemory); 0
// removes the limit. Lowering it below the bytes in use evicts down to the
// new limit at once under an evicting policy; under noeviction, or when the
// policy runs out of victims, the data stays and writes fail until there is
// room, as in Redis. A negative n returns an error and changes nothing.
func (c *Cache[K, V]) SetMaxMemory(n int64) error {
	if n < 0 {
		return fmt.Errorf("maxmem: MaxMemory %d is negative", n)
	}
	if c.closed.Load() {
		return ErrClosed
	}
	c.budget.setLimit(n, n > 0 && c.budget.reserved.Load() > n/8*7)
	c.shrink()
	c.budget.signalRoom() // a raised limit is room for waiting writers
	return nil
}

// SetPolicy changes the eviction policy at run time (CONFIG SET
// maxmemory-policy); nil means NoEviction. Switching to or from
// AllKeysTinyLFU reorganises every shard under its lock, which takes time
// in proportion to its entries (n log n).
func (c *Cache[K, V]) SetPolicy(p Policy) error {
	if c.closed.Load() {
		return ErrClosed
	}
	c.policy.Store(newPolicyState(p))
	c.layout()
	return nil
}

// layout puts every shard in the layout the active policy needs. An
// eviction that meets a shard not yet converted converts it itself (see
// admittedVictim), so this only does the work early.
func (c *Cache[K, V]) layout() {
	for i := range c.shards {
		var fx effects[K, V]
		s := &c.shards[i]
		s.lockAndDrain()
		s.layoutLocked(c.policy.Load())
		if s.adm != nil {
			c.payPolicyLocked(s, &fx) // a full shard evicts for its sketch
		}
		s.publishAllLocked()
		s.unlock()
		fx.report(c)
	}
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
func (c *Cache[K, V]) dropShard(s *shard[K, V], report bool) {
	var fx effects[K, V]
	s.lockAndDrain()
	var freed int64
	for slot := uint32(1); slot <= s.n; slot++ {
		freed += s.charge(slot)
		if report && c.cfg.OnEvict != nil {
			fx.add(s.entryAt(slot), Cleared)
		}
	}
	s.resetLocked()
	s.kv.reset()
	s.releaseLocked(freed)
	s.unlock()
	fx.report(c)
}

// Close stops the background expiry and drops every entry without calling
// OnEvict. Afterwards writes return ErrClosed, reads find nothing, and Close
// returns ErrClosed.
func (c *Cache[K, V]) Close() error {
	if c.closed.Swap(true) {
		return ErrClosed
	}
	c.sweeper.stop()
	for i := range c.shards {
		c.dropShard(&c.shards[i], false)
	}
	return nil
}
