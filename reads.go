package maxmem

// Buffered reads
//
// A Get changes nothing where it reads. Everything a read changes (the
// entry's place in its recency list, its LFU counter, the admission
// layout's sketch and climber, the keyspace hit or miss) is recorded as an
// event in one of its shard's read rings and applied later, under the
// shard's lock: by the reader whose event fills its ring half way, and by
// every section that must see every earlier read (an eviction, Stats:
// lockAndDrain; in the generic layout, every write too). A Get that finds
// nothing only counts itself in its ring. A read takes its recency stamp
// when it happens (see stamp.go), and a replay places each entry by its
// stamp (see placeLocked), so the order of the lists is the order the
// reads happened, whichever ring they went to and whenever each ring is
// replayed.
//
// A shard has one ring per processor, and a goroutine records into its
// processor's: goroutines running on different cores write different
// cache lines, and a reader that replays replays only its own ring, whose
// events its core already holds.
// A ring takes no lock: a reader claims a position with one
// compare-and-swap, fills the event in, and publishes it with one atomic
// store; a replay stops at the first event not yet published. A reader
// that finds its ring full (or loses the race for a position) drops its
// event and counts its hit or miss in an atomic instead: the one recency
// update it carried is lost, which only readers racing each other in one
// ring can cause.
//
// An event names its entry by slot. In the generic layout readers hold the
// lock shared while they record, and every section that holds it
// exclusively replays the rings before it moves anything, so the slot is
// still the entry's when the event is replayed. In the packed layout
// readers hold no lock, so an event also carries the entry's arena
// reference, which changes whenever the entry moves or is rewritten; a
// replay skips the events whose entry is no longer where they say.

import (
	"math/bits"
	"runtime"
	"sync/atomic"
	_ "unsafe" // for go:linkname
)

// ringSize is how many events a ring holds (a power of two).
const ringSize = 32

// readEvent is one recorded Get that found an entry: the entry's slot, its
// arena reference (packed layout), the read's recency stamp, and the key's
// hash (for the admission layout's sketch). done is the event's ring
// position plus one once the event is written.
type readEvent struct {
	done  atomic.Uint32
	slot  uint32
	ref   uint64
	stamp uint64
	hash  uint64
}

// readRing is one ring of recorded reads. Positions count up forever and
// wrap in uint32; tail - head is the number of events held.
type readRing struct {
	tail   atomic.Uint32 // positions claimed
	misses atomic.Uint64 // Gets that found nothing, not yet counted (see recordRead)
	_      [cacheLine - 16]byte
	head   atomic.Uint32 // positions replayed
	_      [cacheLine - 4]byte
	events [ringSize]readEvent
}

// record stores an event and reports whether it did (kept), and whether
// it filled the ring half way or all the way, in which case the caller
// should replay the rings if the lock is free. Only the reader whose event
// crosses one of those marks is told to, so readers do not all race for
// the lock.
func (r *readRing) record(slot uint32, ref, stamp, hash uint64) (kept, half bool) {
	t := r.tail.Load()
	if t-r.head.Load() >= ringSize || !r.tail.CompareAndSwap(t, t+1) {
		return false, false
	}
	e := &r.events[t&(ringSize-1)]
	e.slot, e.ref, e.stamp, e.hash = slot, ref, stamp, hash
	e.done.Store(t + 1)
	held := t + 1 - r.head.Load()
	return true, held == ringSize/2 || held == ringSize
}

// newRings returns the read rings of a shard: one per processor that runs
// Go code (GOMAXPROCS when the cache is made), rounded up to a power of
// two, at most maxRings. Beyond that, processors share rings: a ring is
// about a kilobyte, and a shard is one of many.
func newRings() []readRing {
	n := 1 << bits.Len(uint(runtime.GOMAXPROCS(0)-1))
	return make([]readRing, min(n, maxRings))
}

// maxRings bounds the read rings of a shard.
const maxRings = 8

// ring returns the ring the calling goroutine records into: its
// processor's, so goroutines running side by side never share one.
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

// drainLocked replays the recorded reads of every ring; the lock must be
// held in write mode.
func (l *ledger) drainLocked() {
	for i := range l.reads {
		l.drainRingLocked(&l.reads[i])
	}
}

// drainRingLocked replays the events of one ring, in order.
func (l *ledger) drainRingLocked(r *readRing) {
	if r.misses.Load() != 0 {
		l.countMissesLocked(r.misses.Swap(0))
	}
	h, t := r.head.Load(), r.tail.Load()
	if h == t {
		return
	}
	p, now := l.policy.Load(), int64(0)
	if p.frequency { // the clock is slow to read: only for LFU decay
		now = l.now()
	}
	for ; h != t; h++ {
		e := &r.events[h&(ringSize-1)]
		if e.done.Load() != h+1 {
			break // claimed but not written yet: replayed next time
		}
		l.replayLocked(e, p, now)
	}
	r.head.Store(h)
}

// pending reports whether events wait to be replayed.
func (l *ledger) pending() bool {
	for i := range l.reads {
		if l.reads[i].head.Load() != l.reads[i].tail.Load() {
			return true
		}
	}
	return false
}

// forgetReads drops the recorded reads: they name slots that are gone.
func (l *ledger) forgetReads() {
	for i := range l.reads {
		l.reads[i].head.Store(l.reads[i].tail.Load())
	}
}

// countMissesLocked counts n Gets that found nothing: keyspace misses, and
// requests for the admission layout's climber.
func (l *ledger) countMissesLocked(n uint64) {
	l.counters.misses += n
	if l.adm != nil {
		l.admMissesLocked(n)
	}
}

// replayLocked applies one recorded read, a hit. The common case, under an
// LRU policy, is written out: it moves the entry to the front of its
// list.
func (l *ledger) replayLocked(e *readEvent, p *policyState, now int64) {
	if l.adm != nil {
		l.admRequestLocked(e.hash)
	}
	l.counters.hits++
	if e.slot > l.n || l.arena != nil && l.head(e.slot).word != e.ref {
		return // the entry moved or was rewritten since the read
	}
	n := l.node(e.slot)
	switch {
	case p.modification:
	case l.adm != nil:
		n.stamp = e.stamp
		l.admAccessLocked(e.slot)
	default:
		l.placeLocked(n, e.slot, e.stamp)
	}
	if p.frequency {
		l.countAccessLocked(e.slot, p, now)
	}
}

// recordRead records a Get of the key hashed h that found slot, whose
// arena reference is ref, or, for slot 0, a Get that found nothing: a miss
// changes nothing but counters, so it only adds one to its ring's count.
// A hit that finds its ring full is counted at once. It reports whether
// the ring is half full: the caller then replays the rings with drain, once
// it holds no lock.
func (l *ledger) recordRead(slot uint32, ref, h uint64) (half bool) {
	r := l.ring()
	if slot == 0 {
		r.misses.Add(1)
		return false
	}
	kept, half := r.record(slot, ref, recencyNow(), h)
	if !kept {
		l.lostHits.Add(1)
	}
	return half
}

// endRead records a Get made under the shared lock (see recordRead),
// releases the lock, and replays the reader's ring if the Get filled it
// half way.
func (l *ledger) endRead(slot uint32, ref, h uint64) {
	half := l.recordRead(slot, ref, h)
	l.mu.RUnlock()
	if half {
		l.drain()
	}
}

// lockAndDrain takes the shard's lock in write mode and replays the
// recorded reads, so what follows sees them: evictions, and everything
// that reports on the reads.
func (l *ledger) lockAndDrain() {
	l.mu.Lock()
	l.drainLocked()
}

// lockForWrite takes the shard's lock in write mode for a write, an expiry
// or a look-up. In the packed layout it leaves the recorded reads in their
// rings: a replay puts an entry in its list by the stamp of its read, so
// reads replayed after a write still land behind it, and an event whose
// entry the write moved or rewrote no longer matches its reference and is
// skipped. In the generic layout events name bare slots, so it replays
// them before anything moves.
func (l *ledger) lockForWrite() {
	l.mu.Lock()
	if l.arena == nil {
		l.drainLocked()
	}
}

// unlock ends a section lockAndDrain began, and the write section in it,
// if any (see mutateLocked).
func (l *ledger) unlock() {
	l.endWriteLocked()
	l.mu.Unlock()
}

// drain replays the ring the calling goroutine records into, after its
// event filled it half way, if the lock is free: a reader never waits for
// it (a waiting writer would hold up every reader of the shard that takes
// the lock), and replays only its own ring, whose events are still in its
// core's cache. While the lock is busy the ring keeps filling, and the
// next section that must see every read (above) replays it.
func (l *ledger) drain() {
	if l.mu.free() && l.mu.TryLock() {
		l.drainRingLocked(l.ring())
		l.mu.Unlock()
	}
}
