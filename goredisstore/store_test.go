package goredisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/maxmem/maxmem"
)

// When the cache evicts, OnEvict makes the store forget: the store indexes
// exactly what the cache holds.
func TestEvictionsPruneTheIndexes(t *testing.T) {
	c := newCache(t, 64<<10)
	s, _ := newTestStore(t, c, Options{})
	for i := range 2000 {
		set(t, s, fmt.Sprint("get:k", i), uint64(1+i%4), strings.Repeat("v", 100), fmt.Sprint("k", i))
	}
	entries, redisKeys, _ := indexed(s)
	if st := c.Stats(); st.EvictedKeys == 0 || int64(entries) != st.Keys || redisKeys != entries {
		t.Fatalf("cache holds %d keys after %d evictions; the store indexes %d entries and %d Redis keys",
			st.Keys, st.EvictedKeys, entries, redisKeys)
	}
}

// Expiries (MaxStaleness) prune the indexes too.
func TestExpiriesPruneTheIndexes(t *testing.T) {
	c := newCache(t, 1<<20)
	s, _ := newTestStore(t, c, Options{MaxStaleness: time.Millisecond})
	for i := range 10 {
		set(t, s, fmt.Sprint("get:k", i), 1, "v", fmt.Sprint("k", i))
	}
	for i := 0; ; i++ {
		if e, _, _ := indexed(s); e == 0 {
			break
		}
		if i == 1000 {
			t.Fatal("expired entries still indexed after 1000 polls")
		}
		for j := range 10 {
			s.Get(context.Background(), fmt.Sprint("get:k", j)) // a read of an expired key removes it
		}
		time.Sleep(time.Millisecond) // waiting for the 1 ms TTL
	}
}

// A removal reported after the key got a new value does not unindex it:
// the invalidation still reaches the new value.
func TestLateRemovalKeepsNewValue(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	set(t, s, "get:k", 1, "new", "k")
	s.noteRemoved("get:k") // as if an older value's eviction were reported late
	has(t, s, "get:k", "new")
	if s.DeleteByRedisKey("k") != 1 {
		t.Fatal("the invalidation did not find the value")
	}
	absent(t, s, "get:k")
}

// A store on a cache built without OnEvict checks three entries per fetch,
// which keeps its indexes within about one and a half times what the cache
// holds.
func TestWithoutOnEvict(t *testing.T) {
	c, err := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 64 << 10, Policy: maxmem.AllKeysLRU})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := newTestStore(t, c, Options{})
	if s.hooked.Load() {
		t.Fatal("the store believes OnEvict reaches it")
	}
	for i := range 5000 {
		set(t, s, fmt.Sprint("get:k", i), 1, strings.Repeat("v", 100), fmt.Sprint("k", i))
	}
	entries, _, _ := indexed(s)
	t.Logf("the store indexes %d entries for %d in the cache", entries, c.Len())
	if keys := c.Len(); entries > 2*keys {
		t.Fatalf("the store indexes %d entries for %d in the cache", entries, keys)
	}
}

func TestNewCacheHooksTheStore(t *testing.T) {
	var own []maxmem.Reason
	c, err := NewCache(maxmem.Options[string, []byte]{OnEvict: func(_ string, _ []byte, r maxmem.Reason) { own = append(own, r) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := newTestStore(t, c, Options{})
	if !s.hooked.Load() {
		t.Fatal("a store on NewCache's cache does not know OnEvict reaches it")
	}
	set(t, s, "get:k", 1, "v", "k")
	s.DeleteByRedisKey("k")
	if len(own) != 2 { // the probe and get:k, both deleted
		t.Fatalf("the application's OnEvict saw %v, want two deletions", own)
	}
}

// The default Sizer charges the store's index memory.
func TestNewCacheChargesTheIndex(t *testing.T) {
	c := newCache(t, 1<<20)
	s, _ := newTestStore(t, c, Options{})
	set(t, s, "get:k", 1, "value", "k")
	k := s.prefix + "get:k"
	got, _ := c.MemoryUsage(k)
	base, _ := maxmem.BuiltinSizer[string, []byte]()
	want := base(k, []byte("value")) + int64(len(k)) + IndexBytes + maxmem.EntryOverhead[string, []byte]()
	if got != want {
		t.Fatalf("MEMORY USAGE %d, want %d", got, want)
	}
}

// A value the cache refuses (ErrOOM) is not published and leaves nothing;
// its waiters wake up.
func TestRefusedValue(t *testing.T) {
	c, err := NewCache(maxmem.Options[string, []byte]{MaxMemory: 16 << 10, Policy: maxmem.NoEviction})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := newTestStore(t, c, Options{})
	token, _ := s.Reserve("get:big", []string{"big"})
	woke := make(chan bool)
	go func() {
		_, ok := s.Get(context.Background(), "get:big")
		woke <- ok
	}()
	if s.FulfillOwned("get:big", token, 1, make([]byte, 32<<10)) {
		t.Fatal("a value larger than the cache was published")
	}
	if <-woke {
		t.Fatal("a waiter found the refused value")
	}
	if e, rk, conns := indexed(s); e+rk+conns != 0 {
		t.Fatalf("a refused value left %d entries, %d Redis keys, %d connections indexed", e, rk, conns)
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{{MaxStaleness: -1}, {StaleTimeout: -time.Second}} {
		if s, err := NewWithOptions(newCache(t, 1<<20), o); !errors.Is(err, ErrInvalidOptions) || s != nil {
			t.Errorf("NewWithOptions(%+v) = %v, %v; want ErrInvalidOptions", o, s, err)
		}
	}
}

// A nil cache caches nothing and never fails.
func TestNilCache(t *testing.T) {
	s := New(nil)
	token, fetch := s.Reserve("get:k", []string{"k"})
	if !fetch {
		t.Fatal("Reserve on a nil cache did not ask for a fetch")
	}
	if s.FulfillOwned("get:k", token, 1, []byte("v")) {
		t.Fatal("a nil cache stored a value")
	}
	if _, ok := s.Get(context.Background(), "get:k"); ok {
		t.Fatal("a nil cache served a value")
	}
	s.DeleteByRedisKey("k")
	s.EvictByConn(1)
	s.Flush()
}

// A command with no Redis key is fetched but never stored: nothing could
// invalidate it.
func TestNoRedisKeys(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	if token, fetch := s.Reserve("time", nil); token != 0 || !fetch {
		t.Fatalf("Reserve without Redis keys = %d, %v; want a fetch without a token", token, fetch)
	}
	if s.FulfillOwned("time", 0, 1, []byte("x")) {
		t.Fatal("a value without Redis keys was stored")
	}
}

// Two stores on one cache (clients of two servers): the same cache key is
// two entries, and each store's invalidations and evictions touch only its
// own.
func TestStoresSharingACache(t *testing.T) {
	c := newCache(t, 1<<20)
	a, _ := newTestStore(t, c, Options{})
	b, _ := newTestStore(t, c, Options{})
	set(t, a, "get:k", 1, "from a", "k")
	set(t, b, "get:k", 1, "from b", "k")
	a.DeleteByRedisKey("k")
	absent(t, a, "get:k")
	has(t, b, "get:k", "from b")
	set(t, a, "get:k", 1, "from a", "k")
	a.Flush()
	b.EvictByConn(2)
	has(t, b, "get:k", "from b")
	c.Delete(b.prefix + "get:k") // the cache drops b's value: b forgets it, a is unaffected
	if e, _, _ := indexed(b); e != 0 {
		t.Fatalf("b still indexes %d entries", e)
	}
}

// The key layout: a store's prefix, then go-redis's cache key.
func TestParseKey(t *testing.T) {
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	if id, ck, ok := parseKey(s.prefix + "get:k"); !ok || id != s.id || ck != "get:k" {
		t.Fatalf("parseKey = %d, %q, %v", id, ck, ok)
	}
	for _, k := range []string{"", "get:k", "\xfeG", "\xfeR" + s.prefix[2:]} {
		if _, _, ok := parseKey(k); ok {
			t.Errorf("parseKey(%q) accepted a key of no store", k)
		}
	}
	OnEvict("\xfeG\x00\x00\x00\x00\x00\x00\x00\x00k", nil, maxmem.Evicted) // no such store: ignored
}
