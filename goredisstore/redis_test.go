package goredisstore

// Against a real redis-server that the test starts on a free loopback port.
// .ci/run installs it and sets MAXMEM_REQUIRE_REDIS=1, so that CI fails
// instead of skipping without it.

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maxmem/maxmem/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// startRedis runs a throwaway redis-server and returns its address.
func startRedis(t testing.TB) string { return redistest.Start(t) }

// newClient returns a RESP3 client of addr whose client-side cache is s
// (nil: none), closed after the test.
func newClient(t testing.TB, addr string, s redis.Cache) *redis.Client {
	t.Helper()
	r := redis.NewClient(&redis.Options{Addr: addr, Protocol: 3, ClientSideCache: s})
	t.Cleanup(func() { r.Close() })
	return r
}

// get reads key through r ("" for a missing key).
func get(t testing.TB, r *redis.Client, key string) string {
	t.Helper()
	v, err := r.Get(context.Background(), key).Result()
	if err != nil && err != redis.Nil {
		t.Fatalf("GET %s: %v", key, err)
	}
	return v
}

// do runs a command on the plain client r and fails the test on error.
func do(t testing.TB, r *redis.Client, args ...any) *redis.Cmd {
	t.Helper()
	cmd := r.Do(context.Background(), args...)
	if err := cmd.Err(); err != nil && err != redis.Nil {
		t.Fatalf("redis %v: %v", args, err)
	}
	return cmd
}

// getCalls returns how many GETs Redis has executed since the last CONFIG
// RESETSTAT: the reads that were not served locally.
func getCalls(t testing.TB, plain *redis.Client) int {
	t.Helper()
	info := do(t, plain, "INFO", "commandstats").String()
	i := strings.Index(info, "cmdstat_get:calls=")
	if i < 0 {
		return 0
	}
	rest := info[i+len("cmdstat_get:calls="):]
	n, err := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// holds reports whether the store indexes an entry that read the Redis key.
func holds(s *store, key string) bool {
	s.mu.Lock()
	defer s.unlock()
	for rk := range s.byRedisKey {
		if strings.HasSuffix(rk, "\x00"+key) {
			return true
		}
	}
	return false
}

// until polls cond for up to 5 s, failing the test with what if it never
// holds.
func until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(time.Millisecond) // waiting for go-redis to read a push or notice a closed connection
	}
}
