package flight

import (
	"context"
	"errors"
	"testing"
	"time"
)

// hangGuard bounds a wait for something the code under test must do.
const hangGuard = 10 * time.Second

func TestOneFlightPerKey(t *testing.T) {
	var g Group[string, int]
	f, leader := g.Join("k", true)
	if !leader || g.Active() != 1 {
		t.Fatal("the first Join does not lead")
	}
	if f2, leader := g.Join("k", true); leader || f2 != f || f.Joined() != 1 {
		t.Fatal("a second Join does not follow the flight in progress")
	}
	if _, leader := g.Join("k", false); leader || f.Joined() != 1 {
		t.Fatal("a Join that will not wait counted as joined")
	}
	done := make(chan int)
	go func() {
		v, _, _ := f.Wait(context.Background())
		done <- v
	}()
	f.Val = 7
	g.End("k", f)
	select {
	case v := <-done:
		if v != 7 {
			t.Fatalf("Wait = %d, want 7", v)
		}
	case <-time.After(hangGuard):
		t.Fatal("Wait did not return after End")
	}
	if g.Active() != 0 || g.Lookup("k") != nil {
		t.Fatal("End left the flight")
	}
}

func TestInvalidateMarksStale(t *testing.T) {
	var g Group[string, int]
	g.Invalidate("k") // no flight: nothing
	a, _ := g.Join("a", true)
	b, _ := g.Join("b", true)
	g.Invalidate("a")
	if !a.Stale() || b.Stale() {
		t.Fatal("Invalidate marked the wrong flight")
	}
	g.InvalidateAll()
	if !b.Stale() {
		t.Fatal("InvalidateAll missed a flight")
	}
}

// A waiter whose leader failed only because the leader's context ended
// loads again; a waiter whose own context ends gets its error.
func TestWaitRetriesAfterLeadersContext(t *testing.T) {
	var g Group[string, int]
	f, _ := g.Join("k", true)
	f.Err = context.Canceled
	g.End("k", f)
	if _, retry, err := f.Wait(context.Background()); !retry || err != nil {
		t.Fatalf("Wait = %v, %v; want a retry", retry, err)
	}
	f2, _ := g.Join("k", true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, retry, err := f2.Wait(ctx); retry || !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with an ended ctx = %v, %v", retry, err)
	}
}

func TestAwaitAll(t *testing.T) {
	var g Group[string, int]
	skipped := errors.New("skipped")
	boom := errors.New("boom")
	var joined []Keyed[string, int]
	for _, tc := range []struct {
		key string
		val int
		err error
	}{{"a", 1, nil}, {"b", 0, skipped}, {"c", 0, context.Canceled}, {"d", 0, boom}, {"e", 0, errors.New("later")}} {
		f, _ := g.Join(tc.key, true)
		f.Val, f.Err = tc.val, tc.err
		g.End(tc.key, f)
		joined = append(joined, Keyed[string, int]{tc.key, f})
	}
	out := map[string]int{}
	again, err := AwaitAll(context.Background(), joined, out, func(err error) bool { return err == skipped })
	if len(out) != 1 || out["a"] != 1 || len(again) != 1 || again[0] != "c" || err != boom {
		t.Fatalf("AwaitAll: out %v, again %v, err %v", out, again, err)
	}
}

// A Meter counts every call, its time by the clock it is given, and the
// failures, a panic among them.
func TestMeter(t *testing.T) {
	var m Meter
	clock := int64(0)
	now := func() int64 { clock += 5; return clock }
	failed := func(err error) bool { return err != nil }
	m.Time(now, func() error { return nil }, failed)
	m.Time(now, func() error { return errors.New("down") }, failed)
	func() {
		defer func() { recover() }()
		m.Time(now, func() error { panic("bug") }, failed)
	}()
	if m.Loads.Load() != 3 || m.Failures.Load() != 2 || m.Nanos.Load() != 15 {
		t.Fatalf("loads %d, failures %d, nanos %d", m.Loads.Load(), m.Failures.Load(), m.Nanos.Load())
	}
	m.Refreshes.Add(1)
	m.Reset()
	if m.Loads.Load()+m.Failures.Load()+m.Refreshes.Load() != 0 || m.Nanos.Load() != 0 {
		t.Fatal("Reset left counts")
	}
}
