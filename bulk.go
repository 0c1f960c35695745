package maxmem

// Bulk loading: GetOrLoadAll leads the flights of the keys it misses with
// one load, then waits for the flights it joined: one flight per key,
// whoever started it.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/maxmem/maxmem/internal/flight"
)

// BulkLoader fetches the values of keys missing from the cache in one call
// to the source of truth: those it finds, by key (one it leaves out does
// not exist), and one TTL for all, meaning what a Loader's means. An error
// fails every key.
type BulkLoader[K comparable, V any] func(ctx context.Context, keys []K) (map[K]V, time.Duration, error)

// GetOrLoadAll returns the values of keys as GetOrLoad would, with one
// call of load for the keys missed that no load is fetching already; it
// waits for the others' loads, and GetOrLoad callers wait for its. Keys
// the loader left out, or whose absence is remembered, are not in the
// result; a key given twice is loaded once; there is no refresh-ahead.
// The error is the first of the loads it ran or waited for (ctx's if it
// ends), with the values gathered; a nil ctx or load wraps
// ErrInvalidArgument. A panic of load reaches the caller, its waiters get
// ErrLoaderPanicked. Cost: a Get per key, a lock per key missed.
func (c *Cache[K, V]) GetOrLoadAll(ctx context.Context, keys []K, load BulkLoader[K, V]) (map[K]V, error) {
	switch {
	case ctx == nil:
		return nil, invalid("GetOrLoadAll: nil context")
	case load == nil:
		return nil, invalid("GetOrLoadAll: nil loader")
	}
	out := make(map[K]V, len(keys))
	for len(keys) > 0 {
		var led, joined []flight.Keyed[K, V]
		for _, k := range keys {
			if v, ok := c.Get(k); ok {
				out[k] = v
			} else if f, leader := c.loads.Join(k, true); leader {
				led = append(led, flight.Keyed[K, V]{Key: k, F: f})
			} else {
				joined = append(joined, flight.Keyed[K, V]{Key: k, F: f})
			}
		}
		err := c.leadAll(ctx, led, load, out)
		var werr error
		keys, werr = flight.AwaitAll(ctx, joined, out, func(err error) bool { return errors.Is(err, ErrNotFound) })
		if err = cmp.Or(err, werr); err != nil {
			return out, err
		}
	}
	return out, nil
}

// leadAll settles the flights led, those a load just settled at once and
// the others with one call of load, puts their values in out, and returns
// the first error but ErrNotFound. On a panic it ends the flights still
// open with ErrLoaderPanicked and panics on.
func (c *Cache[K, V]) leadAll(ctx context.Context, led []flight.Keyed[K, V], load BulkLoader[K, V], out map[K]V) error {
	var pending []flight.Keyed[K, V]
	var keys []K
	for _, kf := range led {
		if v, ok, err := c.known(kf.Key); ok || err != nil {
			c.settle(kf, v, err, out)
		} else {
			pending, keys = append(pending, kf), append(keys, kf.Key)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	done := 0
	defer func() {
		if r := recover(); r != nil {
			for _, kf := range pending[done:] {
				c.settle(kf, kf.F.Val, fmt.Errorf("%w: %v", ErrLoaderPanicked, r), out)
			}
			panic(r)
		}
	}()
	var vals map[K]V
	var ttl time.Duration
	first := c.timed(func() (err error) { vals, ttl, err = load(ctx, keys); return err })
	for _, kf := range pending {
		v, found := vals[kf.Key]
		err := first
		if err == nil && !found {
			err = ErrNotFound // remembered for ttl, as a Loader's
		}
		v, err = c.keepLoaded(kf.Key, v, ttl, err, kf.F)
		if first == nil && !errors.Is(err, ErrNotFound) {
			first = err
		}
		c.settle(kf, v, err, out)
		done++
	}
	return first
}

// settle ends kf's flight with v or err, and puts a value in out.
func (c *Cache[K, V]) settle(kf flight.Keyed[K, V], v V, err error, out map[K]V) {
	if err == nil {
		out[kf.Key] = v
	} else {
		v = *new(V)
	}
	kf.F.Val, kf.F.Err = v, err
	c.loads.End(kf.Key, kf.F)
}
