package shard

// Under allkeys-tinylfu a Get without the lock cannot move its entry in
// the policy's lists, so it records itself in one of the shard's read
// rings and the reads are applied later under the lock: by the reader
// whose event fills its ring half way, if the lock is free, and before
// the shard evicts. The rings are lossy: a reader that finds its ring full
// drops its event, which costs the policy that one access. A goroutine
// records into the ring of the processor it runs on, so goroutines
// running side by side write different cache lines. This is how otter and
// Caffeine record reads. The other policies need no rings: a Get writes
// its access word itself.
//
// A ring takes no lock: a reader claims a position with one
// compare-and-swap, fills the event in and publishes it with one atomic
// store; a drain stops at the first event not yet published. An event
// names its entry by slot and by the entry's word, which changes when the
// entry is rewritten or moved to another slot; a drain skips events whose
// entry is no longer where they say.

import (
	"sync/atomic"

	"github.com/maxmem/maxmem/internal/proc"
)

// ringSize is how many events a ring holds (a power of two).
const ringSize = 32

// maxRings bounds a shard's rings (each is about 600 bytes).
const maxRings = 8

// readEvent is one recorded Get that found an entry. done is the event's
// ring position plus one once the event is written.
type readEvent struct {
	done atomic.Uint32
	slot uint32
	word uint64
}

// ring is one ring of recorded reads. Positions count up forever and wrap
// in uint32; tail - head is the number of events held.
type ring struct {
	tail   atomic.Uint32 // positions claimed
	misses atomic.Uint64 // Gets that found nothing, not yet applied
	_      [cacheLine - 16]byte
	head   atomic.Uint32 // positions drained
	_      [cacheLine - 4]byte
	events [ringSize]readEvent
}

// newRings returns a shard's rings: one per processor that runs Go code,
// rounded up to a power of two, at most maxRings.
func newRings() []ring {
	return make([]ring, proc.Stripes(maxRings))
}

// ring returns the ring the calling goroutine records into.
func (s *Shard) ring() *ring {
	p := proc.Pin()
	proc.Unpin()
	return &s.reads[p&(len(s.reads)-1)]
}

// record stores an event and reports whether it filled the ring half way
// or all the way, in which case the caller should drain it if the lock is
// free; a full ring drops the event.
func (r *ring) record(slot uint32, word uint64) (drain bool) {
	t := r.tail.Load()
	if t-r.head.Load() >= ringSize || !r.tail.CompareAndSwap(t, t+1) {
		return false
	}
	e := &r.events[t&(ringSize-1)]
	e.slot, e.word = slot, word
	e.done.Store(t + 1)
	held := t + 1 - r.head.Load()
	return held == ringSize/2 || held == ringSize
}

// recordHit records a Get that found the entry at slot, whose word was
// word, and drains the reader's ring if the event filled it half way and
// the lock is free.
func (s *Shard) recordHit(slot uint32, word uint64) {
	r := s.ring()
	if r.record(slot, word) && s.mu.TryLock() {
		s.drainRingLocked(r)
		s.Unlock()
	}
}

// recordMiss counts a Get that found nothing.
func (s *Shard) recordMiss() { s.ring().misses.Add(1) }

// drainLocked applies the recorded reads of every ring.
func (s *Shard) drainLocked() {
	for i := range s.reads {
		s.drainRingLocked(&s.reads[i])
	}
}

// drainRingLocked applies the events of one ring, in order.
func (s *Shard) drainRingLocked(r *ring) {
	if m := r.misses.Load(); m != 0 && s.adm != nil {
		s.adm.Misses(r.misses.Swap(0))
	}
	h, t := r.head.Load(), r.tail.Load()
	for ; h != t; h++ {
		e := &r.events[h&(ringSize-1)]
		if e.done.Load() != h+1 {
			break // claimed but not written yet: applied next time
		}
		if s.adm != nil && e.slot <= s.n && s.head(e.slot).word == e.word {
			s.adm.Access(e.slot, s.head(e.slot).Hash())
		}
	}
	r.head.Store(h)
}
