// Package flight keeps a cache's loads in progress, one per key: a caller
// that misses a key whose load is in flight waits for that load instead
// of starting one (single flight), and a write of the key marks the load
// stale, so that its value, which may predate the write, is not stored.
//
// Invariants: a key has at most one flight in a Group, from the Join that
// starts it to its End; a flight's Val and Err are written by its leader
// before End and read by the others only after; stale only ever goes from
// false to true.
package flight

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// Flight is one load in progress.
type Flight[V any] struct {
	done   chan struct{}
	Val    V     // the loaded value, set before End
	Err    error // the load's error, set before End
	joined atomic.Int32
	stale  atomic.Bool
}

// Stale reports whether a write of the key came during the load.
func (f *Flight[V]) Stale() bool { return f.stale.Load() }

// Joined returns how many callers joined the flight to wait for it.
func (f *Flight[V]) Joined() int32 { return f.joined.Load() }

// Wait returns the flight's result once it has ended, or ctx's error if
// ctx ends first. retry is set when the load failed only because its
// leader's context ended while ctx is still live: the caller loads again.
func (f *Flight[V]) Wait(ctx context.Context) (v V, retry bool, err error) {
	select {
	case <-ctx.Done():
		return v, false, ctx.Err()
	case <-f.done:
	}
	if isContextErr(f.Err) && ctx.Err() == nil {
		return v, true, nil
	}
	return f.Val, false, f.Err
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Group holds the loads in progress. The zero value is ready.
type Group[K comparable, V any] struct {
	mu      sync.Mutex
	flights map[K]*Flight[V] // guarded by mu; nil until the first load
	count
}

// count is len(flights), changed under mu and read without it, so that a
// write with no load in flight pays one atomic load; its methods are not
// generic, so that they inline where the cache calls them.
type count struct{ active atomic.Int32 }

// Idle reports whether no load is in flight: a write need not Invalidate.
func (c *count) Idle() bool { return c.active.Load() == 0 }

// Join returns the flight of key, starting one (leader true) if none is
// in progress; follow says the caller will wait for one that is.
func (g *Group[K, V]) Join(key K, follow bool) (f *Flight[V], leader bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, ok := g.flights[key]; ok {
		if follow {
			f.joined.Add(1)
		}
		return f, false
	}
	f = &Flight[V]{done: make(chan struct{})}
	if g.flights == nil {
		g.flights = make(map[K]*Flight[V])
	}
	g.flights[key] = f
	g.active.Add(1)
	return f, true
}

// End removes the flight of key, which its leader has settled, and
// releases its waiters.
func (g *Group[K, V]) End(key K, f *Flight[V]) {
	g.mu.Lock()
	delete(g.flights, key)
	g.active.Add(-1)
	g.mu.Unlock()
	close(f.done)
}

// Invalidate marks the flight of key, if any, stale (see Idle).
func (g *Group[K, V]) Invalidate(key K) {
	g.mu.Lock()
	if f := g.flights[key]; f != nil {
		f.stale.Store(true)
	}
	g.mu.Unlock()
}

// InvalidateAll marks every flight stale.
func (g *Group[K, V]) InvalidateAll() {
	if g.Idle() {
		return
	}
	g.mu.Lock()
	for _, f := range g.flights {
		f.stale.Store(true)
	}
	g.mu.Unlock()
}

// Active returns the number of flights in progress.
func (g *Group[K, V]) Active() int { return int(g.active.Load()) }

// Lookup returns the flight of key in progress, or nil.
func (g *Group[K, V]) Lookup(key K) *Flight[V] {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.flights[key]
}

// Keyed is a key and its flight, as a bulk load keeps them.
type Keyed[K comparable, V any] struct {
	Key K
	F   *Flight[V]
}

// AwaitAll waits for each of the flights joined in turn and puts the
// values of those that succeeded in out. It returns the keys to load again
// (see Wait's retry) and the first error for which skip is false.
func AwaitAll[K comparable, V any](ctx context.Context, joined []Keyed[K, V], out map[K]V, skip func(error) bool) (again []K, err error) {
	for _, kf := range joined {
		v, retry, e := kf.F.Wait(ctx)
		switch {
		case retry:
			again = append(again, kf.Key)
		case e == nil:
			out[kf.Key] = v
		case !skip(e) && err == nil:
			err = e
		}
	}
	return again, err
}

// Meter counts a cache's loader calls: all of them, those that failed,
// the refreshes started, and the nanoseconds the calls took.
type Meter struct {
	Loads, Failures, Refreshes atomic.Uint64
	Nanos                      atomic.Int64
}

// Time runs load, a loader's call, and counts it, its time by now (a
// clock in nanoseconds), and, if failed says so of its error or it
// panics, its failure.
func (m *Meter) Time(now func() int64, load func() error, failed func(error) bool) error {
	start, bad := now(), true
	defer func() {
		m.Loads.Add(1)
		m.Nanos.Add(now() - start)
		if bad {
			m.Failures.Add(1)
		}
	}()
	err := load()
	bad = failed(err)
	return err
}

// Reset zeroes the counts.
func (m *Meter) Reset() {
	m.Loads.Store(0)
	m.Failures.Store(0)
	m.Refreshes.Store(0)
	m.Nanos.Store(0)
}
