package maxmem

import (
	"fmt"
	"hash/maphash"
	"iter"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/maxmem/maxmem/internal/sizer"
	"github.com/zeebo/xxh3"
)

// NoExpiry is the TTL of a key without expiry (Redis's TTL reply -1).
const NoExpiry time.Duration = -1

// Missing is the TTL of an absent key (Redis's TTL reply -2).
const Missing time.Duration = -2

// Cache is a concurrent cache that never holds more than MaxMemory bytes.
// Entries are spread over shards by key hash; each shard has its own lock,
// index, recency list and TTL heap, and all shards share one byte budget.
// All methods are safe for concurrent use.
type Cache[K comparable, V any] struct {
	// What every call reads and almost nothing writes.
	closed atomic.Bool
	packed bool // keys and values live in the shards' arenas (see arena.go)
	// In the packed layout: values are strings rather than byte slices;
	// sizes come from the user's Sizer.
	stringValues, customSize bool
	hash                     func(K) uint64
	shift                    uint // shard = hash >> shift
	shards                   []shard[K, V]
	size                     func(K, V) int64 // the Sizer, built-in or the user's
	cfg                      config[K, V]
	sweeper                  *sweeper
	_                        [cacheLine]byte

	base                    // the budget, the policy, the clock and the settings shards read
	oom   atomic.Uint64     // writes refused with ErrOOM
	pool  pool              // candidates of the sampling policies
	loads flightGroup[K, V] // GetOrLoad's loads in progress
}

// policyState is the active policy with what the hot path needs to know of it.
type policyState struct {
	p            Policy
	frequency    bool                // p tracks frequency: keep LFU counters current
	modification bool                // p tracks modification: reads leave recency alone
	reusable     bool                // p is a deterministicPolicy: shard candidates may be cached
	exact        deterministicPolicy // p, if reusable
	admission    bool                // p is AllKeysTinyLFU: shards take the admission layout
}

func newPolicyState(p Policy) *policyState {
	if p == nil {
		p = NoEviction
	}
	var t Tracking
	if tr, ok := p.(Tracker); ok {
		t = tr.Tracks()
	}
	d, r := p.(deterministicPolicy)
	_, a := p.(admissionPolicy)
	return &policyState{p: p, frequency: t&TrackFrequency != 0,
		modification: t&TrackModification != 0, reusable: r, exact: d, admission: a}
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
	switch {
	case size != nil:
	case packed:
		size = packedSizer[K, V](stringValues)
	default:
		if size, err = builtinSizer[K, V](); err != nil {
			return nil, err
		}
	}
	c := &Cache[K, V]{cfg: cfg, size: size, hash: hasher[K](),
		packed: packed, stringValues: stringValues, customSize: cfg.Sizer != nil}
	clock := cfg.Clock
	if _, system := clock.(systemClock); system {
		clock = nil // base.now reads the system clock faster itself
	}
	c.base = base{clock: clock, shards: cfg.Shards, overhead: EntryOverhead[K, V](),
		samples: cfg.Samples, logFactor: cfg.LFULogFactor, decayMinutes: cfg.decayMinutes}
	c.budget.max.Store(cfg.MaxMemory)
	c.policy.Store(newPolicyState(cfg.Policy))
	c.shift = uint(64 - bits.TrailingZeros(uint(cfg.Shards)))
	c.shards = make([]shard[K, V], cfg.Shards)
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	for i := range c.shards {
		c.shards[i].init(c, seed, uint64(i))
	}
	c.layout()
	c.sweeper = startSweeper(c)
	return c, nil
}

func builtinSizer[K comparable, V any]() (func(K, V) int64, error) {
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

// hasher picks the key hash: xxh3 for strings, a 64-bit mixer for 8-byte
// integers (both fixed, so a seeded cache replays the same way), the
// runtime's randomly seeded hash otherwise.
func hasher[K comparable]() func(K) uint64 {
	var k K
	switch any(k).(type) {
	case string:
		return func(k K) uint64 { return xxh3.HashString(*(*string)(unsafe.Pointer(&k))) }
	case int, int64, uint, uint64, uintptr:
		if unsafe.Sizeof(k) == 8 {
			return func(k K) uint64 { return mix64(*(*uint64)(unsafe.Pointer(&k))) }
		}
	}
	seed := maphash.MakeSeed()
	return func(k K) uint64 { return maphash.Comparable(seed, k) }
}

// mix64 is a bijective 64-bit finalizer (Stafford's variant 13, as in
// splitmix64): every input bit affects every output bit.
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// shardOf returns the shard of key and the key's hash.
func (c *Cache[K, V]) shardOf(key K) (*shard[K, V], uint64) {
	var h uint64
	if c.packed { // string keys: the hash hasher picks, called directly
		h = xxh3.HashString(keyString(key))
	} else {
		h = c.hash(key)
	}
	return &c.shards[h>>c.shift], h
}

// notify passes a departed entry to OnEvict. Call it with no lock held.
func (c *Cache[K, V]) notify(e pair[K, V], r Reason) {
	if c.cfg.OnEvict != nil {
		c.cfg.OnEvict(e.key, e.value, r)
	}
}

// Get returns the value of key and whether it was found. A hit counts as an
// access for the LRU and LFU policies. Expired keys are never returned.
//
// With string keys and []byte values, the value is a slice of the cache's
// own copy, which the cache never writes again: it stays valid after the
// key changes or leaves, and it must not be modified.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	var zero V
	if c.closed.Load() {
		return zero, false
	}
	s, h := c.shardOf(key)
	if c.packed {
		return c.getPacked(s, key, h)
	}
	s.mu.RLock()
	slot, ok := s.findLocked(key, h)
	if ok && c.expired(s.head(slot).expireAt) {
		s.mu.RUnlock()
		return c.getExpiring(s, key, h)
	}
	var v V
	if ok {
		v = s.pair(slot).value
	}
	s.endRead(slot, 0, h)
	return v, ok
}

// lockFreeTries bounds how often a Get in the packed layout looks a key up
// without the lock, while writes to its shard keep moving things, before
// it takes the lock.
const lockFreeTries = 4

// getPacked is Get in the packed layout: it looks the key up without the
// lock, reading the shard's seq before and after, and keeps what it found
// only if no write changed the shard in between (a seqlock). What it reads
// never changes under it but through atomic stores (see index.go, node.go
// and arena.go), so a look-up that a write overlaps can only come back
// wrong, never fault, and is tried again.
func (c *Cache[K, V]) getPacked(s *shard[K, V], key K, h uint64) (V, bool) {
	k := keyString(key)
	for range lockFreeTries {
		seq := s.seq.Load()
		slot, hd, r, value, ok := s.lookup(k, h)
		var expireAt int64
		if ok {
			expireAt = hd.loadExpireAt()
		}
		if seq&1 != 0 || s.seq.Load() != seq {
			continue
		}
		if c.expired(expireAt) {
			return c.getExpiring(s, key, h)
		}
		if s.recordRead(slot, r, h) {
			s.drain()
		}
		return bytesValue[V](value, c.stringValues), ok
	}
	return c.getPackedLocked(s, key, h)
}

// getPackedLocked is getPacked with the lock held shared, for a Get that
// writes kept overtaking.
func (c *Cache[K, V]) getPackedLocked(s *shard[K, V], key K, h uint64) (V, bool) {
	s.mu.RLock()
	slot, hd, r, value, ok := s.lookup(keyString(key), h)
	if ok && c.expired(hd.expireAt) {
		s.mu.RUnlock()
		return c.getExpiring(s, key, h)
	}
	s.endRead(slot, r, h)
	return bytesValue[V](value, c.stringValues), ok
}

// expired reports whether a deadline (0: none) has passed. It reads the
// clock only for an entry that has one.
func (c *Cache[K, V]) expired(expireAt int64) bool {
	return expireAt != 0 && expireAt <= c.now()
}

// getExpiring is Get for a key found expired without the write lock: under
// it the key is removed, unless a write renewed it meanwhile.
func (c *Cache[K, V]) getExpiring(s *shard[K, V], key K, h uint64) (V, bool) {
	var zero V
	s.lockForWrite()
	slot, ok, unlocked := c.lookupLocked(s, key, h)
	if unlocked {
		s.lockForWrite()
	}
	defer s.unlock()
	if !ok {
		s.counters.misses++
		return zero, false
	}
	s.counters.hits++
	s.touchLocked(slot, recencyNow(), c.policy.Load(), c.now())
	return s.valueAt(slot), true
}

// expireLocked removes the expired entry at slot, unlocks s and reports the
// removal. Lazy expiry on access goes through here.
func (c *Cache[K, V]) expireLocked(s *shard[K, V], slot uint32) {
	gone, charge := s.removeLocked(slot)
	s.counters.expired++
	s.unlock()
	c.budget.release(charge)
	c.notify(gone, Expired)
}

// lookupLocked finds a live key, expiring it on the way if its deadline has
// passed (then s is unlocked and ok is false with unlocked set).
func (c *Cache[K, V]) lookupLocked(s *shard[K, V], key K, h uint64) (slot uint32, ok, unlocked bool) {
	slot, ok = s.findLocked(key, h)
	if ok && c.expired(s.head(slot).expireAt) {
		c.expireLocked(s, slot)
		return 0, false, true
	}
	return slot, ok, false
}

// Set stores value under key without a TTL, clearing any TTL the key had
// (Redis SET). If the entry does not fit, expired entries and then the
// policy's victims are evicted; if that cannot make room, Set returns an
// *OOMError and the key keeps its previous value and TTL.
func (c *Cache[K, V]) Set(key K, value V) error {
	return c.set(key, value, 0)
}

// Delete removes key and reports whether it was present.
func (c *Cache[K, V]) Delete(key K) bool {
	if c.closed.Load() {
		return false
	}
	s, h := c.shardOf(key)
	s.lockForWrite()
	slot, ok, unlocked := c.lookupLocked(s, key, h)
	if unlocked || !ok {
		if !unlocked {
			s.unlock()
		}
		return false
	}
	c.removeAndUnlock(s, slot, Deleted)
	return true
}

// removeAndUnlock removes the entry at slot, unlocks s, releases its bytes
// and reports it with reason r.
func (c *Cache[K, V]) removeAndUnlock(s *shard[K, V], slot uint32, r Reason) {
	gone, charge := s.removeLocked(slot)
	s.unlock()
	c.budget.release(charge)
	c.notify(gone, r)
}

// MemoryUsage returns the bytes charged for key: the Sizer's figure plus
// EntryOverhead (Redis MEMORY USAGE). It does not count as an access.
func (c *Cache[K, V]) MemoryUsage(key K) (int64, bool) {
	if c.closed.Load() {
		return 0, false
	}
	s, h := c.shardOf(key)
	s.lockForWrite()
	slot, ok, unlocked := c.lookupLocked(s, key, h)
	if unlocked {
		return 0, false
	}
	defer s.unlock()
	if !ok {
		return 0, false
	}
	return s.charge(slot), true
}

// Len returns the number of resident entries, including expired ones not yet
// reclaimed (as Redis's DBSIZE).
func (c *Cache[K, V]) Len() int {
	n := int64(0)
	for i := range c.shards {
		n += c.shards[i].count.Load()
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
	s.mu.RLock()
	defer s.mu.RUnlock()
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
	c.budget.max.Store(n)
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
// operation that meets a shard not yet converted converts it itself (see
// layoutLocked), so this only does the work early.
func (c *Cache[K, V]) layout() {
	for i := range c.shards {
		s := &c.shards[i]
		s.lockAndDrain()
		s.layoutLocked(c.policy.Load())
		s.unlock()
	}
}

// Clear removes every entry, reporting each to OnEvict as Cleared.
func (c *Cache[K, V]) Clear() {
	for i := range c.shards {
		c.dropShard(&c.shards[i], true)
	}
}

// dropShard empties s and releases its bytes; report passes the dropped
// entries to OnEvict as Cleared.
func (c *Cache[K, V]) dropShard(s *shard[K, V], report bool) {
	s.lockAndDrain()
	var gone []pair[K, V]
	var freed int64
	for slot := uint32(1); slot <= s.n; slot++ {
		freed += s.charge(slot)
		if report && c.cfg.OnEvict != nil {
			gone = append(gone, s.entryAt(slot))
		}
	}
	s.resetLocked()
	s.unlock()
	c.budget.release(freed)
	for _, e := range gone {
		c.notify(e, Cleared)
	}
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
