package goredisstore

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/maxmem/maxmem"
)

// IndexBytes plus the key's length, what NewCache charges each entry beyond
// the cache's own figure, covers the heap the store holds outside the cache
// per entry (its entry map, indexes, and the cache and Redis keys go-redis
// hands it), and is no more than a quarter above it. The heap outside is the
// growth of a store's heap less that of a bare cache given the same writes.
// Keys are shaped as go-redis makes them for GET key:N.
func TestIndexBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap at 50k entries")
	}
	const n = 50_000
	bare := grow(t, func(c *maxmem.Cache[string, []byte], s *store, ck, _ string, _ int) {
		if err := c.Set(s.prefix+ck, []byte("value")); err != nil {
			t.Fatal(err)
		}
	}, n)
	var keyBytes int64
	stored := grow(t, func(_ *maxmem.Cache[string, []byte], s *store, ck, rk string, i int) {
		token, _ := s.Reserve(ck, []string{rk})
		if !s.FulfillOwned(ck, token, uint64(1+i%8), []byte("value")) {
			t.Fatal("FulfillOwned failed")
		}
		keyBytes += int64(len(s.prefix + ck))
	}, n)
	outside := float64(stored-bare) / n
	charged := float64(IndexBytes) + float64(keyBytes)/n
	t.Logf("outside the cache: %.1f B per entry; charged for it: %.1f", outside, charged)
	if charged < outside || charged > 1.25*outside {
		t.Errorf("charge %.1f B per entry for %.1f B of heap outside the cache", charged, outside)
	}
}

// grow returns the heap that grows while write runs n times on a fresh
// unlimited cache and store, with go-redis-shaped keys.
func grow(t *testing.T, write func(c *maxmem.Cache[string, []byte], s *store, ck, rk string, i int), n int) int64 {
	c, err := maxmem.New(maxmem.Options[string, []byte]{OnEvict: OnEvict})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := newTestStore(t, c, Options{})
	before := heapInUse()
	for i := range n {
		key := fmt.Sprintf("key:%06d", i)
		ck := fmt.Sprintf("0\x000:\x00*2\r\n$3\r\nget\r\n$%d\r\n%s\r\n", len(key), key)
		write(c, s, ck, "0\x000:\x00"+key, i)
	}
	grown := heapInUse() - before
	runtime.KeepAlive(s)
	if c.Len() != n {
		t.Fatalf("cache holds %d entries, want %d", c.Len(), n)
	}
	return grown
}
