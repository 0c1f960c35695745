package maxmem

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SetWait is Set for writers that can wait: when the write fails with
// ErrOOM it waits for room (a delete, an expiry, an eviction elsewhere, a
// raised MaxMemory) and tries again, until it succeeds or ctx ends. It does
// not poll: it sleeps until bytes are released or the limit rises.
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
	if ttl <= 0 {
		return ErrInvalidTTL
	}
	return c.waitForRoom(ctx, func() error { return c.SetWithTTL(key, value, ttl) })
}

// waitForRoom runs write until it does not fail with a retryable ErrOOM,
// waiting for the budget's room signal between attempts. The channel is
// taken before each attempt, so a release between a failed attempt and
// the wait is not missed.
func (c *Cache[K, V]) waitForRoom(ctx context.Context, write func() error) error {
	if ctx == nil {
		return invalid("nil context")
	}
	c.budget.waiters.Add(1)
	defer c.budget.waiters.Add(-1)
	for {
		room := c.budget.roomChan()
		err := write()
		var oom *OOMError
		if !errors.As(err, &oom) || oom.TooLarge {
			return c.describeOOM(err)
		}
		select {
		case <-ctx.Done():
			c.countKeys(oom)
			return fmt.Errorf("maxmem: gave up waiting for room: %w: %w", ctx.Err(), oom)
		case <-room:
		}
	}
}
