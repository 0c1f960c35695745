package maxmem

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// SetWait is Set for writers that can wait: when the write fails with
// ErrOOM it waits for room (a delete, an expiry, an eviction elsewhere, a
// raised MaxMemory) and tries again, until it succeeds or ctx ends.
//
// It does not poll. Between attempts it sleeps until the first of: bytes
// are released (a delete, an eviction, an expiry reclaimed by anyone), the
// limit rises, ctx ends, or the earliest deadline in the cache passes; in
// that last case it reclaims every expired entry before it tries again.
// The deadline is read when it goes to sleep: one set sooner while it
// sleeps (by a write with a shorter TTL, or Expire) is seen at its next
// wake, which the background sweep, reclaiming that entry, brings at the
// latest. The time it sleeps is measured by the cache's Clock: with the
// system clock a timer; a Clock with an After method (see Clock) tells it
// when its own time has passed, as a fake clock in tests does.
//
// The first attempt is made even if ctx is already done; ctx bounds only
// the waiting. An entry larger than MaxMemory fails at once, as does any
// error other than ErrOOM. When ctx ends first, the error wraps both
// ctx.Err() and the last *OOMError, so errors.Is matches either. A nil ctx
// is an error wrapping ErrInvalidArgument.
//
// Every waiter is woken by every release, so many writers waiting on one
// cache retry together: limit their number (a semaphore) if that matters.
func (c *Cache[K, V]) SetWait(ctx context.Context, key K, value V) error {
	return c.waitForRoom(ctx, func() error { return c.Set(key, value) })
}

// SetWithTTLWait is SetWait for SetWithTTL: the TTL counts from each
// attempt, so the entry expires ttl after it is finally written.
func (c *Cache[K, V]) SetWithTTLWait(ctx context.Context, key K, value V, ttl time.Duration) error {
	if _, err := c.deadline(ttl); err != nil {
		return err
	}
	return c.waitForRoom(ctx, func() error { return c.SetWithTTL(key, value, ttl) })
}

// waitForRoom runs write until it does not fail with a retryable ErrOOM,
// sleeping between attempts (see sleepForRoom). The room channel is taken
// before each attempt, so a release between a failed attempt and the
// sleep is not missed.
func (c *Cache[K, V]) waitForRoom(ctx context.Context, write func() error) error {
	if ctx == nil {
		return invalid("nil context")
	}
	c.budget.Waiting(1)
	defer c.budget.Waiting(-1)
	for {
		room := c.budget.RoomChan()
		err := write()
		var oom *OOMError
		if !errors.As(err, &oom) || oom.TooLarge {
			return err
		}
		if err := c.sleepForRoom(ctx, room); err != nil {
			c.countKeys(oom)
			return fmt.Errorf("maxmem: gave up waiting for room: %w: %w", err, oom)
		}
	}
}

// sleepForRoom sleeps until room is closed, the earliest deadline in the
// cache passes (then it reclaims the expired entries), or ctx ends (then
// it returns ctx's error).
func (c *Cache[K, V]) sleepForRoom(ctx context.Context, room <-chan struct{}) error {
	expiry, stop := c.expiryAlarm()
	defer stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-room:
	case <-expiry:
		c.sweep()
	}
	return nil
}

// afterClock is a Clock that can say when its own time has advanced by d
// (see Clock).
type afterClock interface {
	After(d time.Duration) <-chan time.Time
}

// expiryAlarm returns a channel that receives once the earliest deadline
// in the cache has passed by the cache's Clock (nil, which never
// receives, if no entry has a TTL), and a func that releases its timer.
func (c *Cache[K, V]) expiryAlarm() (<-chan time.Time, func()) {
	d := c.earliestDeadline()
	if d == math.MaxInt64 {
		return nil, func() {}
	}
	wait := time.Duration(d - c.now())
	if clock, ok := c.cfg.Clock.(afterClock); ok {
		return clock.After(wait), func() {}
	}
	t := time.NewTimer(wait)
	return t.C, func() { t.Stop() }
}

// earliestDeadline returns the soonest deadline of any resident entry, in
// the cache clock's unix nanoseconds, or math.MaxInt64 if no entry has a
// TTL. It reads each shard's published soonest deadline, without locks.
func (c *Cache[K, V]) earliestDeadline() int64 {
	d := int64(math.MaxInt64)
	for i := range c.shards {
		d = min(d, c.shards[i].Soonest())
	}
	return d
}
