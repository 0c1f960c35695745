package sweep

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// A loop ticks until Stop, which returns once it has ended; one whose tick
// reports false ends by itself.
func TestLoop(t *testing.T) {
	var n atomic.Int32
	l := Start(time.Millisecond, func() bool { n.Add(1); return true })
	for deadline := time.Now().Add(10 * time.Second); n.Load() < 3; runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatal("the loop does not tick")
		}
	}
	l.Stop()
	l.Stop() // twice is fine
	select {
	case <-l.Done():
	default:
		t.Fatal("Stop returned before the loop ended")
	}
	self := Start(time.Millisecond, func() bool { return false })
	select {
	case <-self.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a loop whose tick reports false did not end")
	}
}
