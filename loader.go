package maxmem

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Loader fetches the value of a key missing from the cache, from the
// source of truth. It returns the value and how long to keep it: 0 or
// NoExpiry for no TTL. A non-nil error is returned to every caller waiting
// for that load and nothing is cached.
type Loader[K comparable, V any] func(ctx context.Context, key K) (V, time.Duration, error)

// ErrLoaderPanicked is returned to the callers that waited for a load whose
// loader panicked; the panic itself reaches the caller that ran the loader.
var ErrLoaderPanicked = errors.New("maxmem: loader panicked")

// GetOrLoad returns the value of key, loading it with load on a miss and
// storing it (with the TTL the loader returns). Loads are single-flight:
// while one caller loads a key, the others asking for it wait for that
// load's result instead of starting their own.
//
// load runs with the context of the caller that starts it. Waiters stop
// waiting when their own ctx ends (the load goes on); a waiter whose
// leader's load failed with a context error loads again under its own
// ctx. Loader errors are returned, not cached. If the loader panics, the
// panic reaches the caller that ran it, nothing is stored, and the waiters
// get an error wrapping ErrLoaderPanicked.
//
// If the loaded value does not fit (ErrOOM), GetOrLoad returns it together
// with the *OOMError: the caller may use it, it is just not cached. A nil
// ctx or load, or a negative TTL other than NoExpiry, is an error.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, key K, load Loader[K, V]) (V, error) {
	var zero V
	switch {
	case ctx == nil:
		return zero, invalid("GetOrLoad: nil context")
	case load == nil:
		return zero, invalid("GetOrLoad: nil loader")
	}
	for {
		if v, ok := c.Get(key); ok {
			return v, nil
		}
		f, leader := c.flights().join(key)
		if leader {
			return c.lead(ctx, key, f, load)
		}
		v, retry, err := f.wait(ctx)
		if !retry {
			return v, err
		}
	}
}

// flight is one load in progress. val and err are written before done is
// closed and only read after.
type flight[V any] struct {
	done   chan struct{}
	val    V
	err    error
	joined atomic.Int32 // callers that joined after the leader
}

// wait returns the flight's result, or ctx's error if ctx ends first.
// retry is set when the load failed only because its leader's context
// ended while ctx is still live.
func (f *flight[V]) wait(ctx context.Context) (v V, retry bool, err error) {
	select {
	case <-ctx.Done():
		return v, false, ctx.Err()
	case <-f.done:
	}
	if isContextErr(f.err) && ctx.Err() == nil {
		return v, true, nil
	}
	return f.val, false, f.err
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// lead runs the load of key for f, stores the value, and ends the flight.
// On a panic it ends the flight with ErrLoaderPanicked and panics on.
func (c *Cache[K, V]) lead(ctx context.Context, key K, f *flight[V], load Loader[K, V]) (V, error) {
	g := c.flights()
	defer func() {
		if r := recover(); r != nil {
			f.err = fmt.Errorf("%w: %v", ErrLoaderPanicked, r)
			g.end(key, f)
			panic(r)
		}
	}()
	f.val, f.err = c.loadAndStore(ctx, key, load)
	g.end(key, f)
	return f.val, f.err
}

// loadAndStore loads key unless a flight that just ended stored it, and
// stores the value.
func (c *Cache[K, V]) loadAndStore(ctx context.Context, key K, load Loader[K, V]) (V, error) {
	if v, ok := c.peek(key); ok {
		return v, nil
	}
	v, ttl, err := load(ctx, key)
	switch {
	case err != nil:
		return v, err
	case ttl == 0 || ttl == NoExpiry:
		return v, c.describeOOM(c.Set(key, v))
	case ttl < 0:
		var zero V
		return zero, fmt.Errorf("%w: loader returned TTL %v", ErrInvalidTTL, ttl)
	}
	return v, c.describeOOM(c.SetWithTTL(key, v, ttl))
}

// flightGroup holds a cache's loads in progress. The zero value is ready.
type flightGroup[K comparable, V any] struct {
	mu      sync.Mutex
	flights map[K]*flight[V] // guarded by mu; nil until the first load
}

// join returns the flight of key, starting one (leader true) if none is
// in progress.
func (g *flightGroup[K, V]) join(key K) (f *flight[V], leader bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, ok := g.flights[key]; ok {
		f.joined.Add(1)
		return f, false
	}
	f = &flight[V]{done: make(chan struct{})}
	if g.flights == nil {
		g.flights = make(map[K]*flight[V])
	}
	g.flights[key] = f
	return f, true
}

// end removes the flight of key and releases its waiters.
func (g *flightGroup[K, V]) end(key K, f *flight[V]) {
	g.mu.Lock()
	delete(g.flights, key)
	g.mu.Unlock()
	close(f.done)
}

// flights returns the cache's group of loads in progress.
func (c *Cache[K, V]) flights() *flightGroup[K, V] { return &c.loads }

// peek returns the live value of key without counting a hit or a miss or
// an access.
func (c *Cache[K, V]) peek(key K) (v V, ok bool) {
	if c.closed.Load() {
		return v, false
	}
	c.withKey(key, func(s *shard[K, V], slot uint32, found bool, _ *effects[K, V]) {
		if ok = found; found {
			v = s.valueAt(slot)
		}
	})
	return v, ok
}
