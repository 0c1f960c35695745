package rueidisstore

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/maxmem/maxmem"
	"github.com/redis/rueidis"
)

// newCache returns a cache of max bytes under allkeys-lru, closed after the
// test.
func newCache(t testing.TB, max int64) *maxmem.Cache[string, []byte] {
	t.Helper()
	c, err := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: max, Policy: maxmem.AllKeysLRU})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// message builds a RedisMessage of type typ ('+' simple string, '$' blob
// string) holding s, expiring at pxat (0: no expiry), through the marshalled
// form rueidis documents (see record.go).
func message(t testing.TB, typ byte, s string, pxat int64) rueidis.RedisMessage {
	t.Helper()
	b := make([]byte, pxatBytes, pxatBytes+9+len(s))
	setPXAT(b, pxat)
	b = append(b, typ)
	b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
	b = append(b, s...)
	var m rueidis.RedisMessage
	if err := m.CacheUnmarshalView(b); err != nil {
		t.Fatal(err)
	}
	return m
}

// keys is the argument of Delete naming the given Redis keys.
func keys(t testing.TB, names ...string) []rueidis.RedisMessage {
	var ks []rueidis.RedisMessage
	for _, n := range names {
		ks = append(ks, message(t, '+', n, 0))
	}
	return ks
}

// str returns the string a message holds, failing the test otherwise.
func str(t testing.TB, m rueidis.RedisMessage) string {
	t.Helper()
	s, err := m.ToString()
	if err != nil {
		t.Fatalf("message %v: %v", m, err)
	}
	return s
}

// miss fails the test unless Flight answers neither a value nor an entry.
func miss(t testing.TB, s rueidis.CacheStore, key, cmd string, now time.Time) {
	t.Helper()
	if v, e := s.Flight(key, cmd, time.Second, now); !isEmpty(v) || e != nil {
		t.Fatalf("Flight(%q, %q) = %v, %v; want a miss that sends the read", key, cmd, v, e)
	}
}

// hit fails the test unless Flight serves want from the cache.
func hit(t testing.TB, s rueidis.CacheStore, key, cmd, want string, now time.Time) rueidis.RedisMessage {
	t.Helper()
	v, e := s.Flight(key, cmd, time.Second, now)
	if isEmpty(v) || e != nil {
		t.Fatalf("Flight(%q, %q) = %v, %v; want the cached %q", key, cmd, v, e, want)
	}
	if got := str(t, v); got != want || !v.IsCacheHit() {
		t.Fatalf("Flight(%q, %q) = %q (cache hit %v); want %q from the cache", key, cmd, got, v.IsCacheHit(), want)
	}
	return v
}

// isEmpty reports whether m is the zero message rueidis reads as "no value".
func isEmpty(m rueidis.RedisMessage) bool {
	return m.String() == (&rueidis.RedisMessage{}).String()
}

// fill runs a whole miss: Flight, then Update with val.
func fill(t testing.TB, s rueidis.CacheStore, key, cmd string, val rueidis.RedisMessage, ttl time.Duration, now time.Time) int64 {
	t.Helper()
	if v, e := s.Flight(key, cmd, ttl, now); !isEmpty(v) || e != nil {
		t.Fatalf("Flight(%q, %q) before fill = %v, %v; want a miss", key, cmd, v, e)
	}
	return s.Update(key, cmd, val)
}

// within fails the test unless lo <= got <= hi.
func within(t testing.TB, what string, got, lo, hi int64) {
	t.Helper()
	if got < lo || got > hi {
		t.Fatalf("%s = %d, want within [%d, %d]", what, got, lo, hi)
	}
}

// defaultOpt is what rueidis passes to NewCacheStoreFn by default.
var defaultOpt = rueidis.CacheStoreOption{CacheSizeEachConn: rueidis.DefaultCacheBytes}

// waitEmpty polls until the cache holds no entry: a background walk deletes
// the entries of a flushed or closed store.
func waitEmpty(t testing.TB, c *maxmem.Cache[string, []byte]) {
	t.Helper()
	for range 500 {
		if c.Len() == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond) // the walk runs on its own goroutine
	}
	t.Fatalf("the cache still holds %d entries after 1 s", c.Len())
}
