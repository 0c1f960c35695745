package maxmem

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"
)

// alarmClock is a fake clock with alarms: After returns a channel that
// receives when Advance moves the time to or past the alarm.
type alarmClock struct {
	*fakeClock
	mu        sync.Mutex
	alarms    []alarm
	requested []time.Duration // every After call's d, in order
}

type alarm struct {
	at time.Time
	ch chan time.Time
}

func newAlarmClock() *alarmClock { return &alarmClock{fakeClock: newFakeClock()} }

func (a *alarmClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	now := a.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requested = append(a.requested, d)
	if d <= 0 {
		ch <- now
	} else {
		a.alarms = append(a.alarms, alarm{now.Add(d), ch})
	}
	return ch
}

func (a *alarmClock) Advance(d time.Duration) {
	a.fakeClock.Advance(d)
	now := a.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.alarms = slices.DeleteFunc(a.alarms, func(al alarm) bool {
		if al.at.After(now) {
			return false
		}
		al.ch <- now
		return true
	})
}

// requests returns the d of every After call so far.
func (a *alarmClock) requests() []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.requested)
}

// newSizedCache returns a noeviction cache of string to int, on an alarm
// clock, whose entries are charged their value in bytes plus the overhead,
// and with room for max bytes.
func newSizedCache(t *testing.T, max int64) (*Cache[string, int], *alarmClock) {
	t.Helper()
	clock := newAlarmClock()
	c := mustNew(t, Options[string, int]{MaxMemory: max, Policy: NoEviction, Clock: clock, Shards: 8,
		Sizer: func(_ string, v int) int64 { return int64(v) }})
	return c, clock
}

// result waits for a SetWait's result, failing the test if none comes in
// ten seconds (a bound on a hang, not a measure of speed).
func result(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("SetWait is still waiting")
		return nil
	}
}

// The case: under noeviction, a SetWait wakes when an entry
// expires, with no sweep and no release to wake it: it sleeps until the
// earliest deadline in the cache, reclaims, and retries once.
func TestSetWaitWakesAtTheEarliestDeadline(t *testing.T) {
	over := EntryOverhead[string, int]()
	c, clock := newSizedCache(t, 2*(100+over))
	if err := c.SetWithTTL("late", 100, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.SetWithTTL("soon", 100, time.Second); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.SetWait(context.Background(), "new", 100) }()
	waitUntil(t, "SetWait sets an alarm", func() bool { return len(clock.requests()) == 1 })
	if got := clock.requests(); got[0] != time.Second {
		t.Fatalf("SetWait sleeps for %v, want the 1s until the earliest deadline", got[0])
	}
	clock.Advance(time.Second)
	if err := result(t, done); err != nil {
		t.Fatalf("SetWait after the earliest deadline passed: %v", err)
	}
	if got := resident(c, "late", "soon", "new"); !slices.Equal(got, []string{"late", "new"}) {
		t.Fatalf("resident %v, want [late new]", got)
	}
	if n := c.Stats().OOMRejections; n != 1 {
		t.Fatalf("%d refused attempts, want 1: one before the deadline, none while sleeping", n)
	}
}

// When the first expiry does not make enough room, the waiter sleeps
// again until the next deadline: one attempt per deadline, no polling.
func TestSetWaitSleepsFromDeadlineToDeadline(t *testing.T) {
	over := EntryOverhead[string, int]()
	c, clock := newSizedCache(t, 2*(100+over))
	if err := c.SetWithTTL("a", 100, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.SetWithTTL("b", 100, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.SetWait(context.Background(), "big", 200) }() // needs both gone
	waitUntil(t, "SetWait sets an alarm", func() bool { return len(clock.requests()) == 1 })
	clock.Advance(time.Second)
	waitUntil(t, "SetWait sets a second alarm", func() bool { return len(clock.requests()) == 2 })
	if got := resident(c, "a", "b"); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("after the first deadline resident %v, want [b]: the waiter reclaims", got)
	}
	clock.Advance(time.Second)
	if err := result(t, done); err != nil {
		t.Fatalf("SetWait after both deadlines: %v", err)
	}
	if got, n := clock.requests(), c.Stats().OOMRejections; !slices.Equal(got, []time.Duration{time.Second, time.Second}) || n != 2 {
		t.Fatalf("alarms %v and %d refused attempts; want [1s 1s] and 2", got, n)
	}
}

// With no entry to expire, a waiter sets no alarm: only a release or a
// raised limit can make room.
func TestSetWaitWithoutDeadlinesSetsNoAlarm(t *testing.T) {
	over := EntryOverhead[string, int]()
	c, clock := newSizedCache(t, 100+over)
	if err := c.Set("a", 100); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.SetWait(context.Background(), "b", 100) }()
	waitUntil(t, "SetWait is refused once", func() bool { return c.Stats().OOMRejections == 1 })
	c.Delete("a")
	if err := result(t, done); err != nil {
		t.Fatalf("SetWait after a delete: %v", err)
	}
	if got := clock.requests(); len(got) != 0 {
		t.Fatalf("SetWait set alarms %v with no entry to expire", got)
	}
}

// With the system clock, the waiter's alarm is a timer.
func TestSetWaitWakesAtDeadlineOnSystemClock(t *testing.T) {
	c := mustNew(t, Options[string, int]{MaxMemory: 100 + EntryOverhead[string, int](), Policy: NoEviction,
		Sizer: func(_ string, v int) int64 { return int64(v) }})
	if err := c.SetWithTTL("a", 100, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.SetWait(context.Background(), "b", 100) }()
	if err := result(t, done); err != nil {
		t.Fatalf("SetWait on the system clock: %v", err)
	}
}

func TestEarliestDeadline(t *testing.T) {
	c, clock := newTestCache(t, 10, NoEviction)
	if d := c.earliestDeadline(); d != math.MaxInt64 {
		t.Fatalf("earliestDeadline of a cache without TTLs = %d", d)
	}
	mustSetTTL(t, c, "a", 1, time.Minute)
	mustSetTTL(t, c, "b", 1, time.Second)
	mustSetTTL(t, c, "c", 1, time.Hour)
	if d, want := c.earliestDeadline(), clock.Now().Add(time.Second).UnixNano(); d != want {
		t.Fatalf("earliestDeadline = %d, want %d (b's)", d, want)
	}
}
