package maxmem

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Writers exclude each other and readers; readers share. The race
// detector checks the plain fields; the invariant a == b checks that no
// reader sees a writer's half-done update.
func TestRWLockExcludes(t *testing.T) {
	var (
		l    rwLock
		a, b int
		wg   sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for range 2000 {
				l.Lock()
				a++
				b++
				l.Unlock()
			}
		})
		wg.Go(func() {
			for range 2000 {
				l.RLock()
				if a != b {
					t.Error("a reader saw a write in progress")
				}
				l.RUnlock()
			}
		})
	}
	wg.Wait()
	if a != 8000 || b != 8000 {
		t.Fatalf("a, b = %d, %d after 8000 locked increments", a, b)
	}
	l.RLock()
	l.RLock() // readers share: a second hold does not wait for the first
	if l.TryLock() {
		t.Fatal("TryLock succeeded while readers hold the lock")
	}
	l.RUnlock()
	l.RUnlock()
	if !l.TryLock() {
		t.Fatal("TryLock failed on a free lock")
	}
	if l.TryLock() {
		t.Fatal("TryLock succeeded on a held lock")
	}
	l.Unlock()
}

// A writer gets the lock while readers keep taking it: a waiting writer
// bars new readers. A starved writer fails the test after hangGuard
// instead of hanging it.
func TestRWLockWriterIsNotStarved(t *testing.T) {
	var (
		l    rwLock
		held int // written under the lock in write mode, read in read mode
		done atomic.Bool
		wg   sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for !done.Load() { // readers that never let the lock rest, until the test ends
				l.RLock()
				_ = held
				l.RUnlock()
			}
		})
	}
	defer wg.Wait()
	defer done.Store(true)
	writer := make(chan struct{})
	go func() {
		defer close(writer)
		for range 100 {
			l.Lock()
			held++
			l.Unlock()
		}
	}()
	select {
	case <-writer:
	case <-time.After(hangGuard):
		t.Fatalf("a writer did not get the lock 100 times in %v while readers kept taking it", hangGuard)
	}
}
