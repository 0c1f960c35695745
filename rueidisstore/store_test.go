package rueidisstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/maxmem/maxmem"
	"github.com/redis/rueidis"
)

// Two connections sharing one cache: each serves only what it read, and an
// invalidation, a flush or a lost connection of one leaves the other's
// entries alone.
func TestStoresSharingACache(t *testing.T) {
	c := newCache(t, 1<<20)
	fn := New(c)
	a, b := fn(defaultOpt), fn(defaultOpt)
	now := time.Now()
	fill(t, a, "k", "GET", message(t, '$', "from a", 0), time.Minute, now)
	miss(t, b, "k", "GET", now) // b never read k: Redis would not invalidate it for b
	b.Update("k", "GET", message(t, '$', "from b", 0))
	hit(t, a, "k", "GET", "from a", now)
	hit(t, b, "k", "GET", "from b", now)

	a.Delete(keys(t, "k"))
	miss(t, a, "k", "GET", now)
	hit(t, b, "k", "GET", "from b", now)
	a.Cancel("k", "GET", errors.New("test over"))

	fill(t, a, "k", "GET", message(t, '$', "from a", 0), time.Minute, now)
	a.Delete(nil)
	hit(t, b, "k", "GET", "from b", now)

	a.Close(errors.New("lost"))
	hit(t, b, "k", "GET", "from b", now)
	for range 500 { // a's entries leave; b's stays
		if c.Len() == 1 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	if c.Len() != 1 {
		t.Fatalf("after a's Close the cache holds %d entries, want b's one", c.Len())
	}
	hit(t, b, "k", "GET", "from b", now)
}

// Delete(nil) removes the entries at once for readers and, soon after, from
// the cache; a read pending across the flush is still stored.
func TestFlushKeepsPendingReads(t *testing.T) {
	c := newCache(t, 1<<20)
	s := New(c)(defaultOpt)
	now := time.Now()
	fill(t, s, "old", "GET", message(t, '$', "v", 0), time.Minute, now)
	miss(t, s, "pending", "GET", now)
	s.Delete(nil)
	miss(t, s, "old", "GET", now)
	s.Cancel("old", "GET", errors.New("test"))
	waitEmpty(t, c)
	s.Update("pending", "GET", message(t, '$', "fresh", 0))
	hit(t, s, "pending", "GET", "fresh", now)
}

// The record's expiry is moved back by the time the request took: the
// server read the PTTL after the flight began.
func TestExpiryAllowsForTheRoundTrip(t *testing.T) {
	s := New(newCache(t, 1<<20))(defaultOpt)
	start := time.Now().Add(-50 * time.Millisecond) // the read was sent 50 ms ago
	if _, e := s.Flight("k", "GET", time.Hour, start); e != nil {
		t.Fatal("the first Flight returned an entry to wait for")
	}
	server := time.Now().Add(10 * time.Second).UnixMilli()
	pxat := s.Update("k", "GET", message(t, '$', "v", server))
	within(t, "expiry", pxat, server-1000, server-50)
	v := hit(t, s, "k", "GET", "v", time.Now())
	if v.CachePXAT() != pxat {
		t.Fatalf("served expiry %d, want %d", v.CachePXAT(), pxat)
	}
}

func TestExpiryRule(t *testing.T) {
	start := time.UnixMilli(1_000_000)
	f := newFlight(start, time.Second)
	for _, tc := range []struct {
		server int64
		took   time.Duration
		want   int64
	}{
		{0, time.Millisecond, 1_001_000},                     // no server TTL: the caller's
		{5_000_000, time.Millisecond, 1_001_000},             // the caller's is sooner
		{1_000_500, 0, 1_000_500},                            // the server's is sooner
		{1_000_500, 3 * time.Millisecond, 1_000_497},         // less the time taken
		{1_000_500, 2*time.Millisecond + 1, 1_000_497},       // rounded up
		{1_000_500, -time.Second, 1_000_500},                 // a clock step back takes nothing
		{1_000_500, 600 * time.Millisecond, 1_000_500 - 600}, // may end in the past
	} {
		if got := f.expiry(tc.server, start.Add(tc.took)); got != tc.want {
			t.Errorf("expiry(server %d, took %v) = %d, want %d", tc.server, tc.took, got, tc.want)
		}
	}
}

// The layout this package relies on: CacheMarshal begins with the expiry in
// pxatBytes little-endian bytes, and CacheUnmarshalView reads it back.
func TestMarshalledExpiryLayout(t *testing.T) {
	const pxat = 0x0102030405060
	m := message(t, '$', "value", 0)
	got, buf, err := marshalWithExpiry(m, pxat)
	if err != nil {
		t.Fatal(err)
	}
	if got.CachePXAT() != pxat || pxatOf(buf) != pxat || str(t, got) != "value" {
		t.Fatalf("marshalled %q: expiry %d / %d, want %d", str(t, got), got.CachePXAT(), pxatOf(buf), pxat)
	}
	if again := m.CacheMarshal(nil); pxatOf(again) != 0 {
		t.Fatal("marshalWithExpiry changed the message it was given")
	}
}

func TestMergeRecords(t *testing.T) {
	rec := func(pxat int64, body string) []byte {
		b := make([]byte, pxatBytes, pxatBytes+len(body))
		setPXAT(b, pxat)
		return append(b, body...)
	}
	var old []byte
	old = appendRecord(old, "GET", rec(100, "old get"))
	old = appendRecord(old, "STRLEN", rec(300, "strlen"))
	old = appendRecord(old, "TTL", rec(50, "expired"))
	merged, latest := merge(old, "GET", rec(200, "new get"), 60)
	if latest != 300 {
		t.Errorf("latest expiry %d, want 300", latest)
	}
	var got []string
	for b := merged; len(b) > 0; {
		cmd, msg, rest, ok := nextRecord(b)
		if !ok {
			t.Fatalf("merged value is damaged at %q", b)
		}
		got = append(got, string(cmd)+"="+string(msg[pxatBytes:]))
		b = rest
	}
	if strings.Join(got, ",") != "STRLEN=strlen,GET=new get" {
		t.Errorf("merged records %v, want STRLEN kept, the expired TTL dropped, GET replaced", got)
	}
}

// A value under this package's prefix that is not a sequence of records (a
// key someone else wrote) is a miss, not a panic.
func TestDamagedEntryIsAMiss(t *testing.T) {
	c := newCache(t, 1<<20)
	st := newStore(c)
	now := time.Now()
	for _, v := range []string{"", "\x05GE", "\x03GET\x02ab", "\x03GET\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"} {
		if err := c.Set(st.entryKey("k", 0), []byte(v)); err != nil {
			t.Fatal(err)
		}
		miss(t, st, "k", "GET", now)
		st.Cancel("k", "GET", errors.New("next"))
	}
}

// A nil cache caches nothing and never fails.
func TestNilCache(t *testing.T) {
	s := New(nil)(defaultOpt)
	now := time.Now()
	miss(t, s, "k", "GET", now)
	if pxat := s.Update("k", "GET", message(t, '$', "v", 0)); pxat == 0 {
		t.Fatal("Update returned no expiry")
	}
	miss(t, s, "k", "GET", now)
	s.Delete(keys(t, "k"))
	s.Delete(nil)
	s.Close(errors.New("lost"))
}

// When the cache refuses the write (noeviction, full), the reply still
// reaches its waiters, and the key's other records stay.
func TestRefusedWrite(t *testing.T) {
	c, err := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 16 << 10, Policy: maxmem.NoEviction})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := New(c)(defaultOpt)
	now := time.Now()
	fill(t, s, "k", "GET", message(t, '$', "small", 0), time.Minute, now)
	miss(t, s, "k", "HGETALL", now)
	_, waiter := s.Flight("k", "HGETALL", time.Minute, now)
	big := strings.Repeat("x", 32<<10)
	s.Update("k", "HGETALL", message(t, '$', big, 0))
	if v, err := waiter.Wait(context.Background()); err != nil || str(t, v) != big {
		t.Fatalf("the waiter got %d bytes, %v; want the reply", len(str(t, v)), err)
	}
	hit(t, s, "k", "GET", "small", now)
	miss(t, s, "k", "HGETALL", now)
}

// The cache's TTL of an entry is no later than its latest record's expiry.
func TestEntryTTLFollowsRecords(t *testing.T) {
	c := newCache(t, 1<<20)
	st := newStore(c)
	now := time.Now()
	fill(t, st, "k", "GET", message(t, '$', "v", 0), 2*time.Second, now)
	ttl := c.TTL(st.entryKey("k", 0))
	if ttl <= 0 || ttl > 2*time.Second {
		t.Fatalf("entry TTL %v, want within (0, 2s]", ttl)
	}
}

var _ rueidis.CacheStore = (*store)(nil)
