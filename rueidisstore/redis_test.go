package rueidisstore

// Against a real redis-server that the test starts on a free loopback port.
// .ci/run installs it and sets MAXMEM_REQUIRE_REDIS=1, so that CI fails
// instead of skipping without it.

import (
	"context"
	"testing"
	"time"

	"github.com/maxmem/maxmem"
	"github.com/maxmem/maxmem/internal/redistest"
	"github.com/redis/rueidis"
)

// startRedis runs a throwaway redis-server and returns its address.
func startRedis(t testing.TB) string { return redistest.Start(t) }

// newClient returns a rueidis client of addr with one connection for
// commands, whose client-side cache is c (nil: no client-side cache), closed
// after the test. onInval, if set, receives each invalidation after the
// store has applied it (nil keys for a flush or a lost connection).
func newClient(t testing.TB, addr string, c *maxmem.Cache[string, []byte], onInval func([]rueidis.RedisMessage)) rueidis.Client {
	t.Helper()
	return newClientOpt(t, c, rueidis.ClientOption{InitAddress: []string{addr}, OnInvalidations: onInval, PipelineMultiplex: -1})
}

// newClientOpt is newClient with the options given.
func newClientOpt(t testing.TB, c *maxmem.Cache[string, []byte], opt rueidis.ClientOption) rueidis.Client {
	t.Helper()
	opt.DisableCache = c == nil
	if c != nil {
		opt.NewCacheStoreFn = New(c)
	}
	client, err := rueidis.NewClient(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return client
}

// do runs a command on the plain client and fails the test on error.
func do(t testing.TB, r rueidis.Client, args ...string) rueidis.RedisResult {
	t.Helper()
	res := r.Do(context.Background(), r.B().Arbitrary(args...).Build())
	if err := res.Error(); err != nil && !rueidis.IsRedisNil(err) {
		t.Fatalf("redis %v: %v", args, err)
	}
	return res
}

// get reads key through the client-side cache, with a client TTL of a
// minute, and returns the value ("" for a missing key) and whether it came
// from the cache.
func get(t testing.TB, r rueidis.Client, key string) (string, bool) {
	t.Helper()
	res := r.DoCache(context.Background(), r.B().Get().Key(key).Cache(), time.Minute)
	v, err := res.ToString()
	if rueidis.IsRedisNil(err) {
		return "", res.IsCacheHit()
	}
	if err != nil {
		t.Fatalf("GET %s: %v", key, err)
	}
	return v, res.IsCacheHit()
}

// invalidations returns a callback for OnInvalidations and a channel that
// receives each call's keys (nil for a flush or a lost connection).
func invalidations() (func([]rueidis.RedisMessage), chan []string) {
	ch := make(chan []string, 64)
	return func(ks []rueidis.RedisMessage) {
		var names []string
		for _, k := range ks {
			s, _ := k.ToString()
			names = append(names, s)
		}
		ch <- names
	}, ch
}

// await waits up to 5 s for an invalidation naming key, or for a nil one if
// key is "".
func await(t testing.TB, ch chan []string, key string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ks := <-ch:
			if key == "" && ks == nil {
				return
			}
			for _, k := range ks {
				if k == key {
					return
				}
			}
		case <-deadline:
			t.Fatalf("no invalidation of %q within 5 s", key)
		}
	}
}
