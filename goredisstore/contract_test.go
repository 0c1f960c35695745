package goredisstore

// The contract go-redis documents for redis.Cache, and the cases its own
// LocalCache passes, checked on this package's store.

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestSetGet(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	absent(t, s, "get:foo")
	set(t, s, "get:foo", 1, "bar", "foo")
	has(t, s, "get:foo", "bar")
	if v, ok := s.Get(nil, "get:foo"); !ok || string(v) != "bar" { //nolint:staticcheck // a nil context is allowed
		t.Fatalf("Get with a nil context = %q, %v", v, ok)
	}
	if _, ok := s.Get(nil, "get:none"); ok { //nolint:staticcheck
		t.Fatal("Get with a nil context found a missing key")
	}
}

func TestDeleteByCacheKey(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	set(t, s, "get:a", 1, "1", "a")
	set(t, s, "get:b", 1, "2", "b")
	if !s.DeleteByCacheKey("get:a") || s.DeleteByCacheKey("get:a") {
		t.Fatal("DeleteByCacheKey: want true for the value, then false")
	}
	absent(t, s, "get:a")
	has(t, s, "get:b", "2")
}

// Every entry that read the key goes, multi-key ones included, and a fetch
// in progress is cancelled: its value, fetched before the write, is never
// published.
func TestDeleteByRedisKey(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	set(t, s, "mget:a:b", 1, "ab", "a", "b")
	set(t, s, "mget:b:c", 1, "bc", "b", "c")
	set(t, s, "get:d", 1, "d", "d")
	token, _ := s.Reserve("get:b", []string{"b"})
	if n := s.DeleteByRedisKey("b"); n != 3 {
		t.Fatalf("DeleteByRedisKey removed %d, want 2 values and 1 reservation", n)
	}
	absent(t, s, "mget:a:b")
	absent(t, s, "mget:b:c")
	has(t, s, "get:d", "d")
	if s.FulfillOwned("get:b", token, 1, []byte("stale")) {
		t.Fatal("a fetch cancelled by an invalidation was published")
	}
	absent(t, s, "get:b")
	if n := s.DeleteByRedisKey("b"); n != 0 {
		t.Fatalf("second DeleteByRedisKey removed %d", n)
	}
	if e, rk, _ := indexed(s); e != 1 || rk != 1 {
		t.Fatalf("after the deletes the store indexes %d entries and %d Redis keys, want get:d's", e, rk)
	}
}

func TestFlush(t *testing.T) {
	c := newCache(t, 1<<20)
	s, _ := newTestStore(t, c, Options{})
	set(t, s, "get:a", 1, "1", "a")
	set(t, s, "get:b", 2, "2", "b")
	token, _ := s.Reserve("get:c", []string{"c"})
	if n := s.Flush(); n != 3 {
		t.Fatalf("Flush removed %d, want 3", n)
	}
	if s.FulfillOwned("get:c", token, 1, []byte("3")) {
		t.Fatal("a fetch spanning a flush was published")
	}
	absent(t, s, "get:a")
	absent(t, s, "get:c")
	if e, rk, conns := indexed(s); e+rk+conns != 0 || c.Len() != 0 {
		t.Fatalf("after Flush: %d entries, %d Redis keys, %d connections indexed, %d in the cache", e, rk, conns, c.Len())
	}
}

// Only the entries fetched on the lost connection go.
func TestEvictByConn(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	set(t, s, "get:a", 7, "1", "a")
	set(t, s, "get:b", 7, "2", "b")
	set(t, s, "get:c", 8, "3", "c")
	set(t, s, "get:d", 0, "4", "d") // unowned
	if n := s.EvictByConn(7); n != 2 {
		t.Fatalf("EvictByConn(7) removed %d, want 2", n)
	}
	absent(t, s, "get:a")
	absent(t, s, "get:b")
	has(t, s, "get:c", "3")
	has(t, s, "get:d", "4")
	if n := s.EvictByConn(0); n != 0 {
		t.Fatalf("EvictByConn(0) removed %d", n)
	}
}

func TestFulfillNeedsTheReservation(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	token, _ := s.Reserve("get:k", []string{"k"})
	if s.FulfillOwned("get:k", token+1, 1, []byte("x")) || s.Cancel("get:k", token+1) {
		t.Fatal("a wrong token fulfilled or cancelled the reservation")
	}
	if !s.DeleteByCacheKey("get:k") {
		t.Fatal("DeleteByCacheKey did not remove the reservation")
	}
	if s.FulfillOwned("get:k", token, 1, []byte("x")) {
		t.Fatal("a deleted reservation was fulfilled")
	}
	token, _ = s.Reserve("get:k", []string{"k"})
	if !s.Cancel("get:k", token) || s.Cancel("get:k", token) {
		t.Fatal("Cancel: want true once, then false")
	}
	if s.FulfillOwned("get:k", token, 1, []byte("x")) {
		t.Fatal("a cancelled reservation was fulfilled")
	}
	absent(t, s, "get:k")
}

// One caller wins the reservation; the others are told to wait, and Get
// returns the winner's value once it is stored.
func TestConcurrentReserveOneWinner(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	tokens := make(chan uint64, 10)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if token, fetch := s.Reserve("get:race", []string{"race"}); fetch {
				tokens <- token
			}
		})
	}
	wg.Wait()
	close(tokens)
	if len(tokens) != 1 {
		t.Fatalf("%d callers won the reservation, want 1", len(tokens))
	}
	token := <-tokens
	got := make(chan string, 10)
	for range 10 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			v, _ := s.Get(ctx, "get:race")
			got <- string(v)
		})
	}
	if !s.FulfillOwned("get:race", token, 1, []byte("right")) {
		t.Fatal("the winner's FulfillOwned failed")
	}
	wg.Wait()
	close(got)
	for v := range got {
		if v != "right" {
			t.Fatalf("a waiter got %q", v)
		}
	}
}

// A Get that missed just before the fetch it would have waited for was
// fulfilled still finds the value: the wait that follows sees no
// reservation, but an entry, and Get reads again.
func TestGetAfterAFetchEndedBeforeItsWait(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	token, _ := s.Reserve("get:k", []string{"k"})
	if !s.FulfillOwned("get:k", token, 1, []byte("v")) {
		t.Fatal("FulfillOwned failed")
	}
	if !s.await(context.Background(), "get:k") {
		t.Fatal("await after the fetch ended: false, so Get would not read again")
	}
	if s.await(context.Background(), "get:other") {
		t.Fatal("await of a key never reserved: true")
	}
}

func TestGetHonoursContext(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	s.Reserve("get:k", []string{"k"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok := s.Get(ctx, "get:k"); ok {
		t.Fatal("Get with a cancelled context found a value")
	}
}

// A reservation older than StaleTimeout neither holds Get nor blocks a new
// Reserve, and its old token no longer counts.
func TestStaleReservation(t *testing.T) {
	s, clock := newTestStore(t, newCache(t, 1<<20), Options{StaleTimeout: time.Second})
	old, _ := s.Reserve("get:x", []string{"x"})
	if _, fetch := s.Reserve("get:x", []string{"x"}); fetch {
		t.Fatal("a fresh reservation was taken over")
	}
	clock.t = clock.t.Add(time.Second)
	if _, ok := s.Get(context.Background(), "get:x"); ok {
		t.Fatal("Get found a value behind a stale reservation")
	}
	token, fetch := s.Reserve("get:x", []string{"x"})
	if !fetch || token == old {
		t.Fatalf("Reserve after StaleTimeout = %d, %v; want a new token", token, fetch)
	}
	if s.FulfillOwned("get:x", old, 1, []byte("stale")) {
		t.Fatal("the taken-over token was fulfilled")
	}
	if !s.FulfillOwned("get:x", token, 1, []byte("good")) {
		t.Fatal("the new token was not fulfilled")
	}
	has(t, s, "get:x", "good")
}

// Reserve of a key with a value says "wait", and Get serves the value.
func TestReserveOfAValue(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	set(t, s, "get:k", 1, "v", "k")
	if token, fetch := s.Reserve("get:k", []string{"k"}); fetch || token != 0 {
		t.Fatalf("Reserve of a stored key = %d, %v", token, fetch)
	}
	has(t, s, "get:k", "v")
}

// MaxStaleness is each value's TTL in the cache.
func TestMaxStaleness(t *testing.T) {
	c := newCache(t, 1<<20)
	s, _ := newTestStore(t, c, Options{MaxStaleness: time.Minute})
	set(t, s, "get:k", 1, "v", "k")
	if ttl := c.TTL(s.prefix + "get:k"); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("value TTL %v, want within (0, 1m]", ttl)
	}
}
