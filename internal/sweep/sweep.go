// Package sweep runs a cache's background sweep: a function called at an
// interval, on a goroutine of its own, until Stop, or until the function
// reports false (its cache is gone).
//
// Invariant: Done is closed exactly when the goroutine has returned, and
// tick is never called after that.
package sweep

import (
	"sync"
	"time"
)

// Loop is a running sweep.
type Loop struct {
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

// Start calls tick every interval on a new goroutine.
func Start(interval time.Duration, tick func() bool) *Loop {
	l := &Loop{quit: make(chan struct{}), done: make(chan struct{})}
	go l.run(interval, tick)
	return l
}

func (l *Loop) run(interval time.Duration, tick func() bool) {
	defer close(l.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
			if !tick() {
				return
			}
		}
	}
}

// Signal asks the loop to end, without waiting for it.
func (l *Loop) Signal() { l.once.Do(func() { close(l.quit) }) }

// Stop ends the loop and waits until it has ended.
func (l *Loop) Stop() {
	l.Signal()
	<-l.done
}

// Done is closed once the loop has ended.
func (l *Loop) Done() <-chan struct{} { return l.done }
