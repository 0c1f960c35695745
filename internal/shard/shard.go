// Package shard is the part of a cache's shard that does not depend on the
// key and value types: the lock, the index from key hashes to slots, the
// heads of the entries by slot, the TTL heap, the recency clock and its
// epoch buckets, the eviction pool, the byte lease, and, for string keys
// with byte or string values, the arena that holds them.
//
// Invariants, with the lock held: slots 1 to n are exactly the resident
// entries (a removal moves the last entry into the gap, so a uniform
// sample is one random slot); the index maps each entry's hash to its
// slot; the heap holds exactly the slots with a deadline, and each one's
// heapPos is its place there; the lease's charge is the sum of the
// entries' charges plus the policy's own bytes (plus what the cache
// charges beside them: the absences GetOrLoad remembers).
//
// A Get in the packed layout takes no lock (Get): it reads between two
// loads of seq, a seqlock that every write which moves or frees what a
// reader may be reading (a removal, a compaction, a rebuild) makes odd
// while it does so, and so does a write over a value in place, an update
// that frees a chunk, and an insertion that grows the heads or rebuilds
// the index. Other insertions, updates and TTL changes publish with single
// atomic stores and leave seq alone: a reader sees either the old word or
// the new one, and both name items that stay readable. Nothing a
// reader reads is freed under it, so a lookup that a write overlaps comes
// back wrong, never faulting, and the reader tries again.
//
// Recency is approximated as Redis approximates it: each entry keeps the
// start of the clock's epoch at its last access, and LRU and LRM evict
// from the oldest of the epoch buckets (recency.go); LFU and custom
// policies sample entries into a pool (pool.go). The clock counts the
// shard's writes, so a Get writes at most one word, only when the epoch
// has moved since the entry's last access.
package shard

import (
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/maxmem/maxmem/internal/arena"
	"github.com/maxmem/maxmem/internal/budget"
	"github.com/maxmem/maxmem/internal/index"
	"github.com/maxmem/maxmem/internal/paged"
	"github.com/maxmem/maxmem/internal/tinylfu"
)

// cacheLine pads fields that different cores write.
const cacheLine = 64

// Shard is one independently locked part of a cache. Methods with the
// Locked suffix need the lock held; the others say what they need.
type Shard struct {
	// What a Get without the lock reads: none of it changes at every
	// write. The index keeps what its writes count on another line.
	seq   atomic.Uint64 // odd while a write moves what readers see
	stamp atomic.Uint32 // what a Get stamps its entry with (see stampFor)
	slab  slab
	arena *arena.Arena // the packed layout's bytes; nil in the generic layout
	cfg   *Config
	idx   index.Table
	_     [cacheLine]byte

	mu sync.Mutex
	_  [cacheLine - 8]byte

	// What other shards' writers read without the lock, published at
	// unlock.
	pub published
	_   [cacheLine]byte

	// The lock holder's.
	writing  bool   // seq is odd for this lock hold
	clock    uint32 // the recency clock: the shard's writes, counted
	n        uint32 // resident entries, in slots 1 to n
	wraps    uint32 // times the clock wrapped to 0
	ttl      []uint32
	rec      recency // the LRU and LRM order (recency.go)
	pool     pool    // the LFU and custom policies' candidates (pool.go)
	Lease    *budget.Lease
	rng      rand.PCG
	Counters Counters
	adm      *tinylfu.Policy // allkeys-tinylfu's lists and sketch; nil otherwise
	reads    []ring          // allkeys-tinylfu's recorded Gets without the lock (ring.go)
	owed     int64           // bytes of the entries' admission nodes the lease could not take yet
	layout   *Policy         // the policy the shard's layout was last made for
	freq     bool            // access words hold LFU counters, not recency stamps
	lrm      bool            // reads leave access words alone

	born paged.Pages[int64] // the write times, if Config.WriteTimes (born.go)
}

// published is what a shard shows other shards' writers without their
// taking its lock.
type published struct {
	soonest atomic.Int64  // earliest deadline; MaxInt64: none
	count   atomic.Int64  // entries
	ttls    atomic.Int64  // entries with a deadline
	victim  atomic.Uint64 // its best candidate's rank (see Rank); 0: none known
}

// Counters are the INFO figures a shard keeps under its lock.
type Counters struct {
	Evicted, Expired uint64
	Writes           uint64 // writes and TTL changes accepted
}

// Config is what every shard of a cache shares.
type Config struct {
	Now          func() int64                     // the cache's clock, unix nanoseconds
	HashString   func(key string) uint32          // the packed layout's key hash, for compaction
	Policy       atomic.Pointer[Policy]           // the active policy
	Overhead     int64                            // the charge of an entry beyond its size
	Samples      int                              // maxmemory-samples
	LogFactor    int                              // lfu-log-factor
	DecayMinutes int                              // lfu-decay-time in minutes; 0: no decay
	CustomSize   bool                             // packed: sizes come from the user's Sizer, kept in the items
	Reproducible bool                             // a fixed seed: Gets take the lock, so replays repeat
	Nominal      func() int64                     // a shard's share of the budget
	Victim       func(s *Shard) (Candidate, bool) // a custom Policy's choice in s; nil for the built-in ones
	WriteTimes   bool                             // keep each entry's write time (born.go)
}

// Init readies s, the shard with the given stream of random numbers, with
// its lease of the budget, in the packed layout if packed.
func (s *Shard) Init(cfg *Config, lease *budget.Lease, packed bool, seed, stream uint64) {
	s.cfg, s.Lease = cfg, lease
	s.rng.Seed(seed, stream)
	if packed {
		s.arena = &arena.Arena{}
		if !cfg.Reproducible {
			s.reads = newRings()
		}
	}
	s.pub.soonest.Store(math.MaxInt64)
	s.rec.links = &s.slab.links
	s.slab.reset()
	s.rec.reset()
	s.Lock()
	s.layoutLocked()
	s.Unlock()
}

// Lock takes the shard's lock.
func (s *Shard) Lock() { s.mu.Lock() }

// TryLock takes the lock if it is free and reports whether it did.
func (s *Shard) TryLock() bool { return s.mu.TryLock() }

// Unlock publishes what changed for other shards' writers, gives back
// the lease's excess, ends the write section if one began, and releases
// the lock.
func (s *Shard) Unlock() {
	s.Lease.Settle()
	s.publishLocked()
	if s.writing {
		s.writing = false
		s.seq.Add(1)
	}
	s.mu.Unlock()
}

// beginWrite marks the start of a change a Get without the lock could
// trip on: a removal, a compaction, a rebuild. Unlock ends it.
func (s *Shard) beginWrite() {
	if !s.writing {
		s.writing = true
		s.seq.Add(1)
	}
}

// publishLocked stores what other shards' writers, and Gets without the
// lock, read of s.
func (s *Shard) publishLocked() {
	soonest := int64(math.MaxInt64)
	if len(s.ttl) > 0 {
		soonest = s.head(s.ttl[0]).expireAt
	}
	if soonest != s.pub.soonest.Load() {
		s.pub.soonest.Store(soonest)
	}
	if n := int64(s.n); n != s.pub.count.Load() {
		s.pub.count.Store(n)
	}
	if n := int64(len(s.ttl)); n != s.pub.ttls.Load() {
		s.pub.ttls.Store(n)
	}
	if st := s.stampFor(s.clock); st != s.stamp.Load() {
		s.stamp.Store(st)
	}
}

// Volatile returns the number of entries with a TTL as last published.
func (s *Shard) Volatile() int64 { return s.pub.ttls.Load() }

// Soonest returns the earliest deadline as last published; MaxInt64 when
// no entry has one.
func (s *Shard) Soonest() int64 { return s.pub.soonest.Load() }

// LenLocked returns the number of entries.
func (s *Shard) LenLocked() uint32 { return s.n }

// VolatileLocked returns the number of entries with a deadline.
func (s *Shard) VolatileLocked() int { return len(s.ttl) }

// Float64 returns a uniform number in [0, 1) from the shard's source; the
// lock is needed.
func (s *Shard) Float64() float64 { return float64(s.rng.Uint64()>>11) / (1 << 53) }

// Rand returns a random number from the shard's source; the lock is
// needed.
func (s *Shard) Rand() uint64 { return s.rng.Uint64() }

// Now returns the cache's clock, unix nanoseconds.
func (s *Shard) Now() int64 { return s.cfg.Now() }

// Count returns the number of entries as last published; the lock is not
// needed.
func (s *Shard) Count() int64 { return s.pub.count.Load() }
