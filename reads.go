package maxmem

// Reads without the lock
//
// In the packed layout a Get takes no lock. It looks the key up through
// atomic loads between two reads of the shard's seq, which every write
// makes odd while it changes anything such a Get reads (a seqlock), and
// tries again if a write overlapped (getPacked). Nothing it reads is ever
// freed or rewritten under it (arena.go, slab.go, index.go), so a look-up
// that a write overlaps can come back wrong, never fault.
//
// What a read changes (the entry's place in its recency list, its LFU
// counter, the admission sketch, the hit count) is recorded in one of the
// shard's read rings and applied later under the lock: by the reader
// whose event fills its ring half way, if the lock is free, and before
// anything that must see every read (an eviction in the shard, Stats).
// The rings are lossy: a reader that finds its ring full drops its event
// and only counts its hit, which costs that one recency update. This is
// how otter and Caffeine record reads.
//
// A goroutine records into the ring of the processor it runs on, so
// goroutines running side by side write different cache lines. A ring
// takes no lock: a reader claims a position with one compare-and-swap,
// fills the event in and publishes it with one atomic store; a drain stops
// at the first event not yet published. An event names its entry by slot
// and by the entry's word, the reference of its item, which changes when
// the entry is rewritten or moved to another slot; a drain skips events
// whose entry is no longer where they say.

import (
	"math/bits"
	"runtime"
	"sync/atomic"
	_ "unsafe" // for go:linkname
)

// ringSize is how many events a ring holds (a power of two).
const ringSize = 32

// readEvent is one recorded Get that found an entry: the entry's slot and
// word, and the recency stamp of the read. done is the event's ring
// position plus one once the event is written.
type readEvent struct {
	done  atomic.Uint32
	slot  uint32
	word  uint64
	stamp uint64
}

// readRing is one ring of recorded reads. Positions count up forever and
// wrap in uint32; tail - head is the number of events held.
type readRing struct {
	tail   atomic.Uint32 // positions claimed
	misses atomic.Uint64 // Gets that found nothing, not yet counted
	lost   atomic.Uint64 // hits whose events found the ring full, not yet counted
	_      [cacheLine - 24]byte
	head   atomic.Uint32 // positions drained
	_      [cacheLine - 4]byte
	events [ringSize]readEvent
}

// newRings returns a shard's read rings: one per processor that runs Go
// code when the cache is made, rounded up to a power of two, at most
// maxRings. Processors beyond share rings. A cache made for reproducible
// runs (a fixed Seed) has one ring per shard: a goroutine that moves to
// another processor then still has its reads applied in the order it made
// them, which LFU's random increments depend on.
func newRings(reproducible bool) []readRing {
	if reproducible {
		return make([]readRing, 1)
	}
	n := 1 << bits.Len(uint(runtime.GOMAXPROCS(0)-1))
	return make([]readRing, min(n, maxRings))
}

// maxRings bounds a shard's read rings (each is about 600 bytes).
const maxRings = 8

// record stores an event and reports whether it did (kept), and whether it
// filled the ring half way or all the way, in which case the caller should
// drain it if the lock is free. Only the reader whose event crosses one of
// those marks is told to, so readers do not all race for the lock.
func (r *readRing) record(slot uint32, word, stamp uint64) (kept, drain bool) {
	t := r.tail.Load()
	if t-r.head.Load() >= ringSize || !r.tail.CompareAndSwap(t, t+1) {
		return false, false
	}
	e := &r.events[t&(ringSize-1)]
	e.slot, e.word, e.stamp = slot, word, stamp
	e.done.Store(t + 1)
	held := t + 1 - r.head.Load()
	return true, held == ringSize/2 || held == ringSize
}

// ring returns the ring the calling goroutine records into: its
// processor's.
func (l *ledger) ring() *readRing {
	p := procPin()
	procUnpin()
	return &l.reads[p&(len(l.reads)-1)]
}

// procPin and procUnpin are the runtime's: procPin returns the index of the
// processor running the caller and keeps the goroutine on it until
// procUnpin (sync.Pool picks its per-processor pool the same way).
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// recordHit records a Get without the lock that found the entry at slot,
// whose word was word, and drains the reader's ring if the event filled
// it half way and the lock is free.
func (l *ledger) recordHit(slot uint32, word uint64) {
	p := procPin()
	procUnpin()
	r := &l.reads[p&(len(l.reads)-1)]
	kept, drain := r.record(slot, word, recencyNow())
	switch {
	case !kept:
		r.lost.Add(1)
	case drain && l.mu.TryLock():
		l.drainRingLocked(r)
		l.unlock()
	}
}

// recordMiss counts a Get without the lock that found nothing.
func (l *ledger) recordMiss() { l.ring().misses.Add(1) }

// drainOwnLocked applies the reads the calling goroutine's processor
// recorded, before a write: so a goroutine's reads and writes reach the
// lists in the order it made them. (Reads that other goroutines are
// making meanwhile have no order with the write to keep.)
func (l *ledger) drainOwnLocked() {
	if l.reads == nil {
		return
	}
	if r := l.ring(); r.head.Load() != r.tail.Load() {
		l.drainRingLocked(r)
	}
}

// drainLocked applies the recorded reads of every ring.
func (l *ledger) drainLocked() {
	for i := range l.reads {
		l.drainRingLocked(&l.reads[i])
	}
}

// drainRingLocked applies the events of one ring, in order, each with the
// stamp its read took. A goroutine's own ring is drained before each of
// its writes (drainOwnLocked), so its reads reach the lists in the order
// it made them, before anything it writes later.
func (l *ledger) drainRingLocked(r *readRing) {
	l.countRing(r)
	h, t := r.head.Load(), r.tail.Load()
	if h == t {
		return
	}
	p, now := l.policy.Load(), int64(0)
	if p.frequency { // the clock is slow to read: only for LFU decay
		now = l.now()
	}
	plain := l.adm == nil && !p.modification && !p.frequency // the usual case: only recency moves
	for ; h != t; h++ {
		e := &r.events[h&(ringSize-1)]
		if e.done.Load() != h+1 {
			break // claimed but not written yet: applied next time
		}
		l.counters.hits++
		switch {
		case e.slot > l.n || l.head(e.slot).word != e.word:
		case plain:
			l.restampLocked(e.slot, e.stamp)
		default:
			l.readLocked(e.slot, e.stamp, p, now)
		}
	}
	r.head.Store(h)
}

// missLocked counts a Get that found nothing: a keyspace miss, and a
// request for the admission layout's climber.
func (l *ledger) missLocked() {
	l.counters.misses++
	if l.adm != nil {
		l.admMissesLocked(1)
	}
}

// countRing moves a ring's counts of misses and of hits whose events were
// dropped into the shard's counters.
func (l *ledger) countRing(r *readRing) {
	if r.lost.Load() != 0 {
		l.counters.hits += r.lost.Swap(0)
	}
	if r.misses.Load() != 0 {
		misses := r.misses.Swap(0)
		l.counters.misses += misses
		if l.adm != nil {
			l.admMissesLocked(misses)
		}
	}
}

// readLocked applies a Get that found the entry at slot.
func (l *ledger) readLocked(slot uint32, stamp uint64, p *policyState, now int64) {
	if l.adm != nil {
		l.admRequestLocked(l.node(slot).hash)
	}
	l.touchLocked(slot, stamp, p, now)
}

// lockAndDrain takes the shard's lock and applies the recorded reads, so
// that what follows sees them.
func (l *ledger) lockAndDrain() {
	l.lock()
	l.drainLocked()
}

// lockFreeTries bounds how often a Get in the packed layout looks a key up
// without the lock, while writes to its shard keep moving things, before
// it takes the lock.
const lockFreeTries = 4

// getPacked is Get in the packed layout (see above). It returns done false
// when it could not read the shard between two writes, or found the entry
// expired: then the caller takes the lock.
func getPacked[K comparable, V any](s *shard[K, V], key K, h uint32, c *Cache[K, V]) (v V, found, done bool) {
	k := keyString(key)
	for range lockFreeTries {
		seq := s.seq.Load()
		slot, hd, w, value, ok := s.lookup(k, h)
		var expireAt int64
		if ok {
			expireAt = hd.loadExpireAt()
		}
		if seq&1 != 0 || s.seq.Load() != seq {
			continue
		}
		switch {
		case !ok:
			s.recordMiss()
			return v, false, true
		case c.expired(expireAt):
			return v, false, false
		}
		s.recordHit(slot, w)
		return bytesValue[V](value, c.stringValues), true, true
	}
	return v, false, false
}

// lookup finds key, whose hash bits are h, in the packed layout, and
// returns its slot, its head, its word and its value, a slice of the
// arena. It reads only through atomic loads and checks every bound, so a
// reader without the lock may call it: what it returns is then right only
// if seq did not move meanwhile (a page list or chunk table it loaded may
// have been replaced since, but stays readable).
func (l *ledger) lookup(key string, h uint32) (slot uint32, hd *head, w uint64, value []byte, found bool) {
	gs := l.idx.load()
	if gs == nil {
		return 0, nil, 0, nil, false
	}
	pages, chunks := l.slab.p.Load(), l.arena.table.Load()
	c := gs.probe(h)
	for range gs.mask + 1 { // a probe meets an empty slot before this, unless the table moved under it
		g := gs.at(c)
		m, final := g.match(h)
		for ; m != 0; m &= m - 1 {
			slot = g.slot(m)
			if hd = headIn(pages, slot); hd == nil {
				continue
			}
			w = hd.loadWord()
			if value, found = chunks.valueOf(w, key); found {
				return slot, hd, w, value, true
			}
		}
		if final {
			break
		}
		c.advance(gs)
	}
	return 0, nil, 0, nil, false
}
