package maxmem

import (
	"runtime"
	"sync/atomic"
)

// rwLock is a shard's lock: shared for Get, exclusive for everything else.
// Unlike sync.RWMutex it never parks a goroutine: the sections it guards
// last well under a microsecond, and parking and waking readers behind
// every writer cost more than the sections themselves once writes are
// frequent. A waiting writer bars new readers, so readers cannot starve
// it; waiters spin, yielding the processor now and then.
type rwLock struct {
	state atomic.Int32 // readers, plus writerWaiting and writerHeld bits
}

const (
	writerHeld    = 1 << 30
	writerWaiting = 1 << 29
	readerMask    = writerWaiting - 1
)

// RLock takes the lock shared.
func (l *rwLock) RLock() {
	for spins := 0; ; spins++ {
		s := l.state.Load()
		if s&(writerHeld|writerWaiting) == 0 && l.state.CompareAndSwap(s, s+1) {
			return
		}
		backoff(spins)
	}
}

// RUnlock releases a shared hold.
func (l *rwLock) RUnlock() { l.state.Add(-1) }

// Lock takes the lock exclusively.
func (l *rwLock) Lock() {
	for spins := 0; ; spins++ {
		s := l.state.Load()
		switch {
		case s == 0 || s == writerWaiting:
			if l.state.CompareAndSwap(s, writerHeld) {
				return
			}
		case s&writerWaiting == 0 && s&writerHeld == 0:
			l.state.CompareAndSwap(s, s|writerWaiting) // bar new readers
		}
		backoff(spins)
	}
}

// free reports whether nobody holds or waits for the lock, without writing
// to it: a hint for TryLock.
func (l *rwLock) free() bool { return l.state.Load() == 0 }

// TryLock takes the lock exclusively if it is free.
func (l *rwLock) TryLock() bool { return l.state.CompareAndSwap(0, writerHeld) }

// Unlock releases an exclusive hold. Another writer may have flagged
// itself as waiting meanwhile; the flag is kept for it.
func (l *rwLock) Unlock() { l.state.Add(-writerHeld) }

// backoff yields the processor every few spins.
func backoff(spins int) {
	if spins&63 == 63 {
		runtime.Gosched()
	}
}
