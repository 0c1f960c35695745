package maxmem

import (
	"context"
	"errors"
	"fmt"
	"math"
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
// A write wins over a load: if the key is written while its load is in
// flight (Set, SetWithTTL, SetWait, Delete, Expire, Persist, a Compute that
// writes or removes it, Clear), the loaded value is returned to the
// callers of that load but not stored, since it may predate the write; the
// next read sees the write, or loads again if the write removed the key.
//
// load runs with the context of the caller that starts it. Waiters stop
// waiting when their own ctx ends (the load goes on); a waiter whose
// leader's load failed with a context error loads again under its own
// ctx. Loader errors are returned, not cached. If the loader panics, the
// panic reaches the caller that ran it, nothing is stored, and the waiters
// get an error wrapping ErrLoaderPanicked.
//
// If the loaded value does not fit (ErrOOM, even after eviction), it is
// returned with a nil error and not cached: the caller serves it as it
// would a cached one. Stats.UncachedLoads counts such loads, and each
// refusal counts in Stats.OOMRejections. A nil ctx or load, or a negative
// TTL other than NoExpiry, is an error.
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
		f, leader := c.loads.join(key)
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
	// stale is set by a write of the key while the flight is in progress
	// (see loadInvalidate): its value must not be stored. It only ever
	// goes from false to true.
	stale atomic.Bool
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
	g := &c.loads
	defer func() {
		if r := recover(); r != nil {
			f.err = fmt.Errorf("%w: %v", ErrLoaderPanicked, r)
			g.end(key, f)
			panic(r)
		}
	}()
	f.val, f.err = c.loadAndStore(ctx, key, f, load)
	g.end(key, f)
	return f.val, f.err
}

// loadAndStore loads key unless a flight that just ended stored it, and
// stores the value unless a write of key came during the load. A value
// that does not fit is returned with a nil error and counted.
func (c *Cache[K, V]) loadAndStore(ctx context.Context, key K, f *flight[V], load Loader[K, V]) (V, error) {
	if v, ok := c.peek(key); ok {
		return v, nil
	}
	v, ttl, err := load(ctx, key)
	if err != nil {
		return v, err
	}
	expireAt, err := c.loadDeadline(ttl)
	if err != nil {
		var zero V
		return zero, err
	}
	err = c.storeLoaded(key, v, expireAt, f)
	if errors.Is(err, ErrOOM) {
		c.stats.uncachedLoads.Add(1)
		return v, nil
	}
	return v, err
}

// loadDeadline returns the deadline of a value loaded with ttl (0: none).
func (c *Cache[K, V]) loadDeadline(ttl time.Duration) (int64, error) {
	switch {
	case ttl == 0 || ttl == NoExpiry:
		return 0, nil
	case ttl < 0:
		return 0, fmt.Errorf("%w: loader returned TTL %v", ErrInvalidTTL, ttl)
	}
	now := c.now()
	if ttl > math.MaxInt64-time.Duration(now) {
		return 0, fmt.Errorf("%w: loader returned TTL %v, past the end of time", ErrInvalidTTL, ttl)
	}
	return now + int64(ttl), nil
}

// storeLoaded stores the value f loaded, unless f is stale. f.stale is
// read under the shard lock, in the store's precondition, so a write that
// marks f (which it does before it changes the key) either comes before
// that check, and the value is dropped, or after the store, and the write
// replaces the value.
func (c *Cache[K, V]) storeLoaded(key K, v V, expireAt int64, f *flight[V]) error {
	if c.closed.Load() {
		return ErrClosed
	}
	size, err := c.sizeOf(key, v)
	if err != nil {
		return err
	}
	fresh := func(*kvShard[K, V], uint32, bool) bool { return !f.stale.Load() }
	_, err = c.store(key, v, size, expireAt, fresh)
	return err
}

// flightGroup holds a cache's loads in progress. The zero value is ready.
type flightGroup[K comparable, V any] struct {
	mu      sync.Mutex
	flights map[K]*flight[V] // guarded by mu; nil until the first load
	// active is len(flights), changed under mu and read without it, so
	// that a write with no load in flight pays one atomic load.
	active atomic.Int32
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
	g.active.Add(1)
	return f, true
}

// end removes the flight of key and releases its waiters.
func (g *flightGroup[K, V]) end(key K, f *flight[V]) {
	g.mu.Lock()
	delete(g.flights, key)
	g.active.Add(-1)
	g.mu.Unlock()
	close(f.done)
}

// loadInvalidate marks the load of key in flight, if any, stale: GetOrLoad
// returns its value to its callers but does not store it.
//
// Contract for the write paths: every call that writes key (Set,
// SetWithTTL, Delete, Expire, Persist, Compute's WriteOp and InvalidateOp)
// calls it before its change to the key can be seen, that is before
// unlocking the key's shard after the change; before taking the lock is
// simplest. It may be called with or without the shard lock held: it takes
// no shard lock, only the flight group's mutex, and that only when a load
// is in flight (the group's mutex is never held while a shard lock is
// taken). A write that ends up changing nothing (ErrOOM, a missing key)
// may call it too: the load is then dropped needlessly, which only costs
// a later load. With no load in flight it costs one atomic load.
func (c *Cache[K, V]) loadInvalidate(key K) {
	if c.loads.active.Load() != 0 {
		c.loads.invalidate(key)
	}
}

// loadInvalidateAll is loadInvalidate for every key: Clear calls it before
// it empties the shards, with the same contract.
func (c *Cache[K, V]) loadInvalidateAll() {
	if c.loads.active.Load() != 0 {
		c.loads.invalidateAll()
	}
}

// invalidate marks the flight of key, if any, stale.
func (g *flightGroup[K, V]) invalidate(key K) {
	g.mu.Lock()
	if f := g.flights[key]; f != nil {
		f.stale.Store(true)
	}
	g.mu.Unlock()
}

// invalidateAll marks every flight stale.
func (g *flightGroup[K, V]) invalidateAll() {
	g.mu.Lock()
	for _, f := range g.flights {
		f.stale.Store(true)
	}
	g.mu.Unlock()
}

// peek returns the live value of key without counting a hit or a miss or
// an access.
func (c *Cache[K, V]) peek(key K) (v V, ok bool) {
	if c.closed.Load() {
		return v, false
	}
	var fx effects[K, V]
	s, slot, ok := c.lockKey(key, &fx)
	if ok {
		v = s.value(slot)
	}
	s.Unlock()
	fx.report(c)
	return v, ok
}
