package maxmem

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// untilRefused yields until c has refused n writes: a SetWait in another
// goroutine has tried, failed, and is about to wait. It fails the test if
// that takes more than hangGuard.
func untilRefused(t *testing.T, c *Cache[string, int], n uint64) {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); c.Stats().OOMRejections < n; runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes refused after %v, want %d", c.Stats().OOMRejections, hangGuard, n)
		}
	}
}

// hangGuard bounds a wait for another goroutine that should take
// microseconds: reaching it means the code under test hangs, not that the
// machine is slow.
const hangGuard = 10 * time.Second

// setWaitAsync runs SetWait(ctx, k, v) and delivers its result.
func setWaitAsync(ctx context.Context, c *Cache[string, int], k string, v int) <-chan error {
	done := make(chan error, 1)
	go func() { done <- c.SetWait(ctx, k, v) }()
	return done
}

func TestSetWaitWakesOnDelete(t *testing.T) {
	c, _ := newTestCache(t, 2, NoEviction)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	done := setWaitAsync(context.Background(), c, "c", 3)
	untilRefused(t, c, 1)
	c.Delete("a")
	if err := await(t, done, "SetWait"); err != nil {
		t.Fatalf("SetWait after a delete: %v", err)
	}
	if v, ok := c.Get("c"); !ok || v != 3 {
		t.Fatalf("c = %v, %v after SetWait", v, ok)
	}
}

func TestSetWaitWakesOnRaisedLimit(t *testing.T) {
	c, _ := newTestCache(t, 1, NoEviction)
	mustSet(t, c, "a", 1)
	done := setWaitAsync(context.Background(), c, "b", 2)
	untilRefused(t, c, 1)
	if err := c.SetMaxMemory(2 * unit); err != nil {
		t.Fatal(err)
	}
	if err := await(t, done, "SetWait"); err != nil {
		t.Fatalf("SetWait after CONFIG SET maxmemory: %v", err)
	}
}

func TestSetWaitWakesOnExpiry(t *testing.T) {
	c, clock := newTestCache(t, 1, NoEviction)
	mustSetTTL(t, c, "a", 1, time.Second)
	done := setWaitAsync(context.Background(), c, "b", 2)
	untilRefused(t, c, 1)
	clock.Advance(2 * time.Second)
	c.sweep()
	if err := await(t, done, "SetWait"); err != nil {
		t.Fatalf("SetWait after an expiry: %v", err)
	}
}

func TestSetWaitGivesUpWithContextAndDoesNotPoll(t *testing.T) {
	c, _ := newTestCache(t, 1, NoEviction)
	mustSet(t, c, "a", 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := setWaitAsync(ctx, c, "b", 2)
	untilRefused(t, c, 1)
	cancel()
	err := await(t, done, "SetWait")
	var oom *OOMError
	if !errors.Is(err, ErrOOM) || !errors.Is(err, context.Canceled) || !errors.As(err, &oom) {
		t.Fatalf("SetWait after cancel: %v", err)
	}
	if n := c.Stats().OOMRejections; n != 1 {
		t.Fatalf("%d attempts while nothing was released, want 1 (no polling)", n)
	}
	if c.budget.Waiters() != 0 {
		t.Fatal("waiter count not restored")
	}
}

func TestSetWaitFailsAtOnceWhenTooLarge(t *testing.T) {
	c, err := New(Options[string, []byte]{MaxMemory: 1000, Policy: NoEviction})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.SetWait(context.Background(), "big", make([]byte, 2000)) // would hang if it waited
	var oom *OOMError
	if !errors.As(err, &oom) || !oom.TooLarge {
		t.Fatalf("SetWait of an entry larger than maxmemory: %v", err)
	}
}

func TestSetWaitBadInput(t *testing.T) {
	c, _ := newTestCache(t, 1, NoEviction)
	if err := c.SetWait(nil, "a", 1); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("SetWait(nil ctx) = %v", err)
	}
	if err := c.SetWithTTLWait(context.Background(), "a", 1, 0); !errors.Is(err, ErrInvalidTTL) {
		t.Fatalf("SetWithTTLWait(ttl 0) = %v", err)
	}
	if err := c.SetWithTTLWait(context.Background(), "a", 1, time.Minute); err != nil || c.TTL("a") != time.Minute {
		t.Fatalf("SetWithTTLWait = %v, TTL %v", err, c.TTL("a"))
	}
	c.Close()
	if err := c.SetWait(context.Background(), "b", 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("SetWait on a closed cache = %v", err)
	}
}
