package maxmem

import (
	"errors"
	"math"
	"testing"
	"time"
)

// Rule 4: SET clears a TTL.
func TestSetClearsTTL(t *testing.T) {
	c, _ := newTestCache(t, 4, NoEviction)
	mustSetTTL(t, c, "a", 1, time.Minute)
	if c.TTL("a") != time.Minute {
		t.Fatalf("TTL = %v, want 1m", c.TTL("a"))
	}
	mustSet(t, c, "a", 2)
	if c.TTL("a") != NoExpiry || c.Stats().Expires != 0 {
		t.Fatalf("Set kept the TTL: %v", c.TTL("a"))
	}
}

// Rule 4: SetWithTTL with a non-positive or overflowing TTL changes nothing.
func TestSetWithInvalidTTL(t *testing.T) {
	c, _ := newTestCache(t, 4, NoEviction)
	mustSet(t, c, "a", 1)
	for _, ttl := range []time.Duration{0, -time.Second, math.MaxInt64} {
		if err := c.SetWithTTL("a", 2, ttl); !errors.Is(err, ErrInvalidTTL) {
			t.Errorf("SetWithTTL(%v) = %v, want ErrInvalidTTL", ttl, err)
		}
		if err := c.SetWithTTL("new", 2, ttl); !errors.Is(err, ErrInvalidTTL) {
			t.Errorf("SetWithTTL(new, %v) = %v, want ErrInvalidTTL", ttl, err)
		}
	}
	if v, _ := c.Get("a"); v != 1 || c.TTL("a") != NoExpiry || c.Len() != 1 {
		t.Fatal("an invalid TTL changed the cache")
	}
}

// Rule 4: EXPIRE with ttl <= 0 deletes; on a missing key it reports false.
func TestExpire(t *testing.T) {
	c, _ := newTestCache(t, 4, NoEviction)
	if c.Expire("missing", time.Second) {
		t.Fatal("Expire on a missing key reported true")
	}
	mustSet(t, c, "a", 1)
	if !c.Expire("a", 5*time.Second) || c.TTL("a") != 5*time.Second {
		t.Fatalf("Expire did not set the TTL: %v", c.TTL("a"))
	}
	if !c.Expire("a", 0) || c.TTL("a") != Missing {
		t.Fatal("Expire(0) did not delete the key")
	}
	mustSet(t, c, "b", 1)
	if !c.Expire("b", -time.Second) || c.Len() != 0 {
		t.Fatal("Expire(-1s) did not delete the key")
	}
	if c.Stats().UsedMemory != 0 {
		t.Fatal("deleting by Expire left bytes charged")
	}
}

// Rule 4: TTL answers NoExpiry (-1) and Missing (-2) as Redis does.
func TestTTLReplies(t *testing.T) {
	c, clock := newTestCache(t, 4, NoEviction)
	if c.TTL("x") != Missing || Missing != -2 || NoExpiry != -1 {
		t.Fatal("missing key")
	}
	mustSet(t, c, "p", 1)
	if c.TTL("p") != NoExpiry {
		t.Fatal("key without TTL")
	}
	mustSetTTL(t, c, "v", 1, 10*time.Second)
	clock.Advance(4 * time.Second)
	if got := c.TTL("v"); got != 6*time.Second {
		t.Fatalf("TTL after 4s = %v, want 6s", got)
	}
	if c.Persist("p") {
		t.Fatal("Persist on a key without TTL reported true")
	}
	if !c.Persist("v") || c.TTL("v") != NoExpiry || c.Persist("missing") {
		t.Fatal("Persist")
	}
	// As Redis's TTL command, TTL counts keyspace hits and misses.
	if st := c.Stats(); st.Hits != 3 || st.Misses != 1 {
		t.Fatalf("hits %d misses %d, want 3 and 1", st.Hits, st.Misses)
	}
}

// Rule 4: an expired key is never returned, by any call.
func TestExpiredNeverReturned(t *testing.T) {
	c, clock := newTestCache(t, 4, NoEviction)
	mustSetTTL(t, c, "a", 1, time.Second)
	clock.Advance(time.Second) // deadline reached exactly
	if _, ok := c.Get("a"); ok {
		t.Fatal("Get returned an expired key")
	}
	mustSetTTL(t, c, "b", 1, time.Second)
	clock.Advance(2 * time.Second)
	if c.TTL("b") != Missing {
		t.Fatal("TTL saw an expired key")
	}
	mustSetTTL(t, c, "c", 1, time.Second)
	clock.Advance(2 * time.Second)
	if _, ok := c.MemoryUsage("c"); ok || c.Delete("c") || c.Expire("c", time.Hour) || c.Persist("c") {
		t.Fatal("an expired key was visible")
	}
	if st := c.Stats(); st.ExpiredKeys != 3 || st.UsedMemory != 0 {
		t.Fatalf("stats: %+v", st)
	}
}

// Rule 4: the sweep reclaims expired keys nobody touches.
func TestSweepReclaimsUntouchedKeys(t *testing.T) {
	c, clock := newTestCache(t, 1000, NoEviction)
	for i := range 500 {
		mustSetTTL(t, c, string(rune('a'+i%26))+string(rune(i)), i, time.Duration(1+i%3)*time.Second)
	}
	mustSet(t, c, "stay", 1)
	clock.Advance(2 * time.Second)
	c.sweep()
	st := c.Stats()
	if st.Keys != 1+500/3 || st.Expires != 500/3 {
		t.Fatalf("after 2s: %d keys, %d expires; want %d and %d", st.Keys, st.Expires, 1+500/3, 500/3)
	}
	clock.Advance(time.Second)
	c.sweep()
	if st := c.Stats(); st.Keys != 1 || st.ExpiredKeys != 500 || st.UsedMemory != unit {
		t.Fatalf("after 3s: %+v", st)
	}
}

// Rule 4: the background sweeper, on the real clock, reclaims an expired
// key within a second of its deadline without anyone touching it.
func TestBackgroundSweeper(t *testing.T) {
	c, err := New(Options[string, int]{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetWithTTL("a", 1, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// Polls are counted rather than the time of day read, so that a pause
	// of the whole machine (a virtual machine's) does not count against
	// the sweeper: 105 polls of 10 ms is a second after the deadline.
	for polls := 0; c.Stats().ExpiredKeys == 0; polls++ {
		if polls == 105 {
			t.Fatal("expired key not reclaimed within 1s of its deadline")
		}
		time.Sleep(10 * time.Millisecond) // polling the sweeper, not timing it
	}
	if c.Stats().UsedMemory != 0 {
		t.Fatal("sweep left bytes charged")
	}
}

// A write reclaims a few expired entries of its shard on the way.
func TestWritesExpireActively(t *testing.T) {
	c, err := New(Options[string, int]{Shards: 1, Clock: newFakeClock(), Sizer: func(string, int) int64 { return 1 }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, k := range []string{"a", "b", "c"} {
		if err := c.SetWithTTL(k, 1, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	c.cfg.Clock.(*fakeClock).Advance(time.Second)
	if err := c.Set("d", 1); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.ExpiredKeys != writeExpiry || st.Keys != 4-writeExpiry {
		t.Fatalf("a write reclaimed %d expired keys, want %d", st.ExpiredKeys, writeExpiry)
	}
}

// Close stops the sweeper goroutine.
func TestCloseStopsSweeper(t *testing.T) {
	c, err := New(Options[string, int]{})
	if err != nil {
		t.Fatal(err)
	}
	sw := c.sweeper
	c.Close()
	select {
	case <-sw.Done():
	default:
		t.Fatal("sweeper still running after Close")
	}
}
