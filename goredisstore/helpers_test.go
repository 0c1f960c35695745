package goredisstore

import (
	"context"
	"testing"
	"time"

	"github.com/maxmem/maxmem"
)

// newCache returns a cache of max bytes under allkeys-lru built by NewCache,
// closed after the test.
func newCache(t testing.TB, max int64) *maxmem.Cache[string, []byte] {
	t.Helper()
	c, err := NewCache(maxmem.Options[string, []byte]{MaxMemory: max, Policy: maxmem.AllKeysLRU})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// newTestStore returns a store on c with options o and a clock the test
// moves by hand.
func newTestStore(t testing.TB, c *maxmem.Cache[string, []byte], o Options) (*store, *fakeClock) {
	t.Helper()
	r, err := NewWithOptions(c, o)
	if err != nil {
		t.Fatal(err)
	}
	s := r.(*store)
	clock := &fakeClock{t: time.Unix(1_000_000, 0)}
	s.now = clock.now
	return s, clock
}

// fakeClock is a clock moved by hand. Only the test's goroutine moves it.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// set stores value as ck's, reading redisKeys, fetched on conn.
func set(t testing.TB, s *store, ck string, conn uint64, value string, redisKeys ...string) {
	t.Helper()
	token, fetch := s.Reserve(ck, redisKeys)
	if !fetch || token == 0 {
		t.Fatalf("Reserve(%q) = %d, %v; want a token", ck, token, fetch)
	}
	if !s.FulfillOwned(ck, token, conn, []byte(value)) {
		t.Fatalf("FulfillOwned(%q) failed", ck)
	}
}

// has fails the test unless Get returns want for ck.
func has(t testing.TB, s *store, ck, want string) {
	t.Helper()
	if v, ok := s.Get(context.Background(), ck); !ok || string(v) != want {
		t.Fatalf("Get(%q) = %q, %v; want %q", ck, v, ok, want)
	}
}

// absent fails the test if Get finds ck.
func absent(t testing.TB, s *store, ck string) {
	t.Helper()
	if v, ok := s.Get(context.Background(), ck); ok {
		t.Fatalf("Get(%q) = %q; want a miss", ck, v)
	}
}

// indexed returns the number of entries and index sets the store holds.
func indexed(s *store) (entries, redisKeys, conns int) {
	s.mu.Lock()
	defer s.unlock()
	return len(s.entries), len(s.byRedisKey), len(s.byConn)
}
