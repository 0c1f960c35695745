package maxmem

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// unitSize is what the test caches' Sizer charges for every entry.
const unitSize = 100

// unit is the full charge of one entry in a test cache.
var unit = unitSize + EntryOverhead[string, int]()

// newTestCache returns a cache of string to int whose entries all cost unit
// bytes, room for n entries, a fake clock, and the given policy, in one
// shard that samples every entry it holds (up to 64), so that the
// sampled policies choose as their exact versions would.
func newTestCache(t *testing.T, n int, p Policy) (*Cache[string, int], *fakeClock) {
	t.Helper()
	return newShardedTestCache(t, n, p, 1)
}

// newShardedTestCache is newTestCache over the given number of shards.
func newShardedTestCache(t *testing.T, n int, p Policy, shards int, more ...func(*Options[string, int])) (*Cache[string, int], *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	if p == nil {
		p = NoEviction
	}
	o := Options[string, int]{
		MaxMemory: int64(n) * unit,
		Policy:    p,
		Sizer:     func(string, int) int64 { return unitSize },
		Clock:     clock,
		Seed:      1,
		Samples:   64,
		Shards:    shards,
	}
	for _, f := range more {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, clock
}

// mustNew makes a cache with opts, fails the test if New refuses them, and
// closes the cache when the test ends.
func mustNew[K comparable, V any](t *testing.T, opts Options[K, V]) *Cache[K, V] {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustSet(t *testing.T, c *Cache[string, int], k string, v int) {
	t.Helper()
	if err := c.Set(k, v); err != nil {
		t.Fatalf("Set(%q): %v", k, err)
	}
}

func mustSetTTL(t *testing.T, c *Cache[string, int], k string, v int, ttl time.Duration) {
	t.Helper()
	if err := c.SetWithTTL(k, v, ttl); err != nil {
		t.Fatalf("SetWithTTL(%q): %v", k, err)
	}
}

// resident lists which of keys are in c, without touching them.
func resident(c *Cache[string, int], keys ...string) []string {
	var in []string
	for _, k := range keys {
		if _, ok := c.MemoryUsage(k); ok {
			in = append(in, k)
		}
	}
	return in
}

// checkAccounting reclaims expired keys, then verifies used_memory equals
// the sum of MemoryUsage and stays within MaxMemory.
func checkAccounting[K comparable, V any](t *testing.T, c *Cache[K, V]) {
	t.Helper()
	c.sweep()
	var sum int64
	for k := range c.All() {
		n, _ := c.MemoryUsage(k)
		sum += n
	}
	st := c.Stats()
	if st.UsedMemory != sum+st.PolicyMemory {
		t.Fatalf("used_memory %d, Σ MemoryUsage %d + used_memory_policy %d", st.UsedMemory, sum, st.PolicyMemory)
	}
	if st.MaxMemory > 0 && st.UsedMemory > st.MaxMemory {
		t.Fatalf("used_memory %d > maxmemory %d", st.UsedMemory, st.MaxMemory)
	}
}

// await receives from ch, failing the test if nothing arrives within
// hangGuard: the code under test hangs.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(hangGuard):
		t.Fatalf("%s: nothing after %v", what, hangGuard)
		panic("unreachable")
	}
}

// awaitGroup waits for wg, failing the test after hangGuard.
func awaitGroup(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	await(t, done, what)
}

// peek returns the live value of key without counting a read or an access.
func (c *Cache[K, V]) peek(key K) (v V, ok bool) {
	var fx effects[K, V]
	s, slot, ok := c.lockKey(key, &fx)
	if ok {
		v = s.value(slot)
	}
	s.Unlock()
	fx.report(c)
	return v, ok
}
