package rueidisstore

// The contract rueidis documents for a CacheStore (its cache.go and the
// cases its own stores pass), checked on this package's store.

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestFlightThenUpdate(t *testing.T) {
	s := New(newCache(t, 1<<20))(defaultOpt)
	now := time.Now()
	if v, e := s.Flight("k", "GET", 100*time.Millisecond, now); !isEmpty(v) || e != nil {
		t.Fatalf("first Flight = %v, %v; want a miss that sends the read", v, e)
	}
	_, waiter := s.Flight("k", "GET", 100*time.Millisecond, now)
	if waiter == nil {
		t.Fatal("a second Flight before the reply returned no entry to wait for")
	}
	s.Delete(keys(t, "k")) // an invalidation does not touch a pending read
	if _, again := s.Flight("k", "GET", 100*time.Millisecond, now); again != waiter {
		t.Fatal("after Delete, a pending read's Flight returned a different entry")
	}

	// The server's deadline (1 s) is later than the caller's TTL (100 ms).
	pxat := s.Update("k", "GET", message(t, '$', "v", now.Add(time.Second).UnixMilli()))
	within(t, "Update's expiry", pxat, now.Add(90*time.Millisecond).UnixMilli(), now.Add(100*time.Millisecond).UnixMilli())
	got, err := waiter.Wait(context.Background())
	if err != nil || str(t, got) != "v" || got.CachePXAT() != pxat {
		t.Fatalf("Wait = %v (expiry %d), %v; want v expiring at %d", got, got.CachePXAT(), err, pxat)
	}
	if v := hit(t, s, "k", "GET", "v", now); v.CachePXAT() != pxat {
		t.Fatalf("the cached reply expires at %d, want %d", v.CachePXAT(), pxat)
	}
	s.Delete(keys(t, "k"))
	miss(t, s, "k", "GET", now)
}

func TestFlightThenCancel(t *testing.T) {
	s := New(newCache(t, 1<<20))(defaultOpt)
	now := time.Now()
	miss(t, s, "k", "GET", now)
	_, waiter := s.Flight("k", "GET", time.Second, now)
	s.Delete(keys(t, "k"))
	boom := errors.New("boom")
	s.Cancel("k", "GET", boom)
	if _, err := waiter.Wait(context.Background()); err != boom {
		t.Fatalf("Wait after Cancel returned %v, want the cancel's error", err)
	}
	miss(t, s, "k", "GET", now)
	// A reply to the cancelled read, arriving late, is not stored.
	if pxat := s.Update("k", "GET", message(t, '$', "late", 0)); pxat == 0 {
		t.Fatal("Update of the new flight returned no expiry")
	}
	s.Cancel("k", "GET", boom) // no flight: nothing happens
	hit(t, s, "k", "GET", "late", now)
}

// A reply that arrives for a flight already cancelled is neither stored nor
// served.
func TestUpdateWithoutFlight(t *testing.T) {
	c := newCache(t, 1<<20)
	s := New(c)(defaultOpt)
	now := time.Now()
	miss(t, s, "k", "GET", now)
	s.Cancel("k", "GET", errors.New("timeout"))
	if pxat := s.Update("k", "GET", message(t, '$', "v", 0)); pxat != 0 {
		t.Fatalf("Update without a flight returned %d, want 0", pxat)
	}
	if c.Len() != 0 {
		t.Fatalf("Update without a flight stored %d entries", c.Len())
	}
	miss(t, s, "k", "GET", now)
}

// Delete of a key and Delete(nil) each remove every command cached on it.
func TestDeleteRemovesEveryCommand(t *testing.T) {
	for _, del := range []struct {
		name string
		keys []string
	}{{"key", []string{"k"}}, {"flush", nil}} {
		t.Run(del.name, func(t *testing.T) {
			s := New(newCache(t, 1<<20))(defaultOpt)
			now := time.Now()
			fill(t, s, "k", "GET", message(t, '$', "v", 0), time.Second, now)
			fill(t, s, "k", "STRLEN", message(t, ':', "", 0), time.Second, now)
			fill(t, s, "other", "GET", message(t, '$', "o", 0), time.Second, now)
			hit(t, s, "k", "GET", "v", now)
			var ks = keys(t, del.keys...)
			if del.keys == nil {
				ks = nil
			}
			s.Delete(ks)
			miss(t, s, "k", "GET", now)
			miss(t, s, "k", "STRLEN", now)
			if del.keys != nil {
				hit(t, s, "other", "GET", "o", now)
			} else {
				miss(t, s, "other", "GET", now)
			}
		})
	}
}

// A record is not served at or after its expiry, judged by Flight's now.
func TestFlightAfterExpiry(t *testing.T) {
	s := New(newCache(t, 1<<20))(defaultOpt)
	now := time.Now()
	miss(t, s, "k", "GET", now)
	s.Update("k", "GET", message(t, '$', "v", now.Add(time.Hour).UnixMilli()))
	hit(t, s, "k", "GET", "v", now)
	miss(t, s, "k", "GET", now.Add(time.Second)) // the caller's TTL was 1 s
}

// A server deadline that has passed by the time the reply is stored leaves
// nothing to serve.
func TestUpdateAlreadyExpired(t *testing.T) {
	c := newCache(t, 1<<20)
	s := New(c)(defaultOpt)
	now := time.Now()
	miss(t, s, "k", "GET", now)
	pxat := s.Update("k", "GET", message(t, '$', "v", now.Add(time.Millisecond).UnixMilli()))
	if pxat > now.Add(time.Millisecond).UnixMilli() {
		t.Fatalf("Update's expiry %d is later than the server's", pxat)
	}
	miss(t, s, "k", "GET", now.Add(time.Millisecond))
}

func TestFlightThenClose(t *testing.T) {
	c := newCache(t, 1<<20)
	s := New(c)(defaultOpt)
	now := time.Now()
	fill(t, s, "cached", "GET", message(t, '$', "v", 0), time.Minute, now)
	miss(t, s, "k", "GET", now)
	_, waiter := s.Flight("k", "GET", time.Second, now)
	lost := errors.New("connection lost")
	s.Close(lost)
	if _, err := waiter.Wait(context.Background()); err != lost {
		t.Fatalf("Wait after Close returned %v, want the close's error", err)
	}
	miss(t, s, "cached", "GET", now)
	miss(t, s, "k", "GET", now)
	if pxat := s.Update("k", "GET", message(t, '$', "v", 0)); pxat != 0 {
		t.Fatalf("Update after Close returned %d, want 0", pxat)
	}
	miss(t, s, "k", "GET", now)
	waitEmpty(t, c)
}

func TestWaitHonoursContext(t *testing.T) {
	s := New(newCache(t, 1<<20))(defaultOpt)
	now := time.Now()
	miss(t, s, "k", "GET", now)
	_, waiter := s.Flight("k", "GET", time.Second, now)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := waiter.Wait(ctx); err != context.Canceled {
		t.Fatalf("Wait with a cancelled context returned %v", err)
	}
}
