package maxmem

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/maxmem/maxmem/internal/flight"
)

// Loader fetches the value of a key missing from the cache from the source
// of truth, and how long to keep it (the package doc's table): > 0 that
// long, 0 without TTL, < 0 (a deadline already past, as expiresAt.Sub(now)
// may be) not at all: served, not stored, counted in Stats.UncachedLoads.
// An error wrapping ErrNotFound says the key does not exist, its TTL how
// long to remember that; any other error goes to every caller waiting for
// that load, and nothing is cached.
type Loader[K comparable, V any] func(ctx context.Context, key K) (V, time.Duration, error)

// ErrLoaderPanicked is returned to the callers that waited for a load whose
// loader panicked; the panic itself reaches the caller that ran the loader.
var ErrLoaderPanicked = errors.New("maxmem: loader panicked")

// GetOrLoad returns the value of key, loading it with load on a miss and
// storing it with the TTL the loader returns. Loads are single-flight:
// callers of a key being loaded wait for that load. With RefreshAfter, a
// hit on an older entry serves it and starts one reload in the
// background; a failed reload keeps the entry. A write of the key during
// its load (any call that changes it or its TTL, Clear) wins: the loaded
// value goes to that load's callers but is not stored.
//
// load runs with the context of the caller that starts it (a refresh, with
// its values but not its cancellation). Waiters stop at their own ctx's
// end; one whose leader failed with a context error loads again. Errors
// are not cached, but for ErrNotFound's absence. A loader's panic reaches
// the caller that ran it, its waiters get ErrLoaderPanicked; a refresh's
// is recovered and counted as a failure. A loaded value that does not fit
// (ErrOOM), comes with a negative TTL or after Close is returned with a
// nil error, not cached, and counted in Stats.UncachedLoads. A nil ctx or
// load, or a TTL past 2262, is an error.
func (c *Cache[K, V]) GetOrLoad(ctx context.Context, key K, load Loader[K, V]) (V, error) {
	var zero V
	switch {
	case ctx == nil:
		return zero, invalid("GetOrLoad: nil context")
	case load == nil:
		return zero, invalid("GetOrLoad: nil loader")
	}
	for {
		if v, ok := c.cached(ctx, key, load); ok {
			return v, nil
		}
		f, leader := c.loads.Join(key, true)
		if leader {
			return c.lead(ctx, key, f, load, false)
		}
		v, retry, err := f.Wait(ctx)
		if !retry {
			return v, err
		}
	}
}

// lead loads key for f (a refresh: without looking first), stores the
// value and ends f; on a panic it ends f with ErrLoaderPanicked.
func (c *Cache[K, V]) lead(ctx context.Context, key K, f *flight.Flight[V], load Loader[K, V], refresh bool) (V, error) {
	defer func() {
		if r := recover(); r != nil {
			f.Err = fmt.Errorf("%w: %v", ErrLoaderPanicked, r)
			c.loads.End(key, f)
			panic(r)
		}
	}()
	f.Val, f.Err = c.loadAndStore(ctx, key, f, load, refresh)
	c.loads.End(key, f)
	return f.Val, f.Err
}

// loadAndStore loads key unless a load that just ended settled it, and
// stores the value or the absence unless key was written meanwhile.
func (c *Cache[K, V]) loadAndStore(ctx context.Context, key K, f *flight.Flight[V], load Loader[K, V], refresh bool) (v V, err error) {
	if !refresh {
		if v, ok, err := c.known(key); ok || err != nil {
			return v, err
		}
	}
	var ttl time.Duration
	err = c.timed(func() error { v, ttl, err = load(ctx, key); return err })
	return c.keepLoaded(key, v, ttl, err, f)
}

// keepLoaded keeps what a load of key by f answered: the absence, for
// ttl, on ErrNotFound; else, on no error, the value (storeLoaded). It
// returns the value, or the zero value and the error.
func (c *Cache[K, V]) keepLoaded(key K, v V, ttl time.Duration, err error, f *flight.Flight[V]) (V, error) {
	if errors.Is(err, ErrNotFound) {
		c.rememberAbsent(key, ttl, f)
	}
	if err == nil {
		err = c.storeLoaded(key, v, ttl, f)
	}
	if err != nil {
		var zero V
		return zero, err
	}
	return v, nil
}

// timed runs load, a loader's call, and counts it in the load figures.
func (c *Cache[K, V]) timed(load func() error) error {
	return c.stats.loads.Time(c.now, load, func(err error) bool { return err != nil && !errors.Is(err, ErrNotFound) })
}

// storeLoaded stores the value f loaded with ttl, unless f is stale, and
// counts as uncached, not as errors, a negative TTL, ErrOOM and Close.
func (c *Cache[K, V]) storeLoaded(key K, v V, ttl time.Duration, f *flight.Flight[V]) error {
	if ttl >= 0 && !c.closed.Load() {
		err := c.storeFresh(key, v, ttl, f)
		if err == nil || !errors.Is(err, ErrOOM) && !errors.Is(err, ErrClosed) {
			return err
		}
	}
	c.stats.uncachedLoads.Add(1)
	return nil
}

// storeFresh stores v with ttl >= 0 unless f is stale. f.stale is read
// under the shard lock, in the store's precondition, so a write that marks
// f (which it does before it changes the key) either comes before that
// check, and the value is dropped, or after the store, and the write
// replaces the value.
func (c *Cache[K, V]) storeFresh(key K, v V, ttl time.Duration, f *flight.Flight[V]) (err error) {
	var expireAt, size int64
	if ttl > 0 {
		expireAt, err = c.deadline(ttl)
	}
	if err == nil {
		size, err = c.sizeOf(key, v)
	}
	if err == nil {
		_, err = c.store(key, v, size, expireAt, func(*kvShard[K, V], uint32, bool) bool { return !f.Stale() })
	}
	return err
}

// loadInvalidate marks the load of key in flight, if any, stale: GetOrLoad
// returns its value to its callers but does not store it.
//
// Contract for the write paths: every call that writes key or its TTL
// (Compute's WriteOp and InvalidateOp too) calls it before its change to
// the key can be seen, that is before unlocking the key's shard after the
// change; before taking the lock is simplest. It may be called
// with or without the shard lock held: it takes no shard lock, only the
// flight group's mutex, and that only when a load is in flight (the
// group's mutex is never held while a shard lock is taken). A write that
// ends up changing nothing (ErrOOM, a missing key) may call it too: the
// load is then dropped needlessly, which only costs a later load. With no
// load in flight it costs one atomic load.
func (c *Cache[K, V]) loadInvalidate(key K) {
	if !c.loads.Idle() {
		c.loads.Invalidate(key)
	}
}

// loadInvalidateAll is loadInvalidate for every key: Clear calls it before
// it empties the shards, with the same contract.
func (c *Cache[K, V]) loadInvalidateAll() { c.loads.InvalidateAll() }
