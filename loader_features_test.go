package maxmem

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A loader's negative TTL (a deadline already past) serves the value
// without caching it, counted as an uncached load; NoExpiry is one of
// them. (It used to throw the value away with ErrInvalidTTL.)
func TestLoaderNegativeTTLIsServedUncached(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	for i, ttl := range []time.Duration{-time.Second, NoExpiry} {
		var calls atomic.Int32
		v, err := c.GetOrLoad(context.Background(), "k", constLoader(7, ttl, &calls))
		if v != 7 || err != nil || c.Len() != 0 || c.Stats().UncachedLoads != uint64(i+1) {
			t.Fatalf("TTL %v: %v, %v, %d keys, %d uncached; want 7, nil, no key, %d", ttl, v, err, c.Len(), c.Stats().UncachedLoads, i+1)
		}
	}
}

// Close stops caching, not serving: GetOrLoad on a closed cache returns
// the loaded value with no error, uncached. (It used to return ErrClosed.)
func TestGetOrLoadAfterCloseServes(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	c.Close()
	var calls atomic.Int32
	v, err := c.GetOrLoad(context.Background(), "k", constLoader(7, time.Minute, &calls))
	if v != 7 || err != nil || calls.Load() != 1 || c.Len() != 0 {
		t.Fatalf("GetOrLoad after Close = %v, %v (%d loads, %d keys); want 7 and no error", v, err, calls.Load(), c.Len())
	}
	if n := c.Stats().UncachedLoads; n != 1 {
		t.Fatalf("total_uncached_loads %d, want 1", n)
	}
}

// notFound is a loader that reports the key missing, for ttl, and counts
// its calls.
func notFound(ttl time.Duration, calls *atomic.Int32) Loader[string, int] {
	return func(context.Context, string) (int, time.Duration, error) {
		calls.Add(1)
		return 0, ttl, ErrNotFound
	}
}

func TestNegativeCaching(t *testing.T) {
	c, clock := newTestCache(t, 10, AllKeysLRU)
	ctx := context.Background()
	var calls atomic.Int32
	for range 3 {
		if _, err := c.GetOrLoad(ctx, "gone", notFound(time.Minute, &calls)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("GetOrLoad = %v, want ErrNotFound", err)
		}
	}
	st := c.Stats()
	if calls.Load() != 1 || c.Len() != 0 || st.UsedMemory == 0 || st.Loads != 1 || st.LoadFailures != 0 {
		t.Fatalf("%d loads, %d keys, used_memory %d, %+v; want the absence remembered, charged, no failure",
			calls.Load(), c.Len(), st.UsedMemory, st)
	}
	clock.Advance(time.Minute)
	c.GetOrLoad(ctx, "gone", notFound(time.Minute, &calls))
	if calls.Load() != 2 {
		t.Fatalf("after its TTL the absence was still remembered (%d loads)", calls.Load())
	}
	// TTL 0: until a write or Delete; < 0: not at all.
	c.GetOrLoad(ctx, "a", notFound(0, &calls))
	c.GetOrLoad(ctx, "b", notFound(-1, &calls))
	clock.Advance(time.Hour)
	for _, k := range []string{"a", "b"} {
		c.GetOrLoad(ctx, k, notFound(0, &calls))
	}
	if calls.Load() != 5 {
		t.Fatalf("%d loads, want 5: a remembered, b loaded again", calls.Load())
	}
	mustSet(t, c, "a", 1)
	if v, err := c.GetOrLoad(ctx, "a", notFound(0, &calls)); v != 1 || err != nil {
		t.Fatalf("after Set: %v, %v", v, err)
	}
	c.Delete("a")
	c.GetOrLoad(ctx, "a", constLoader(2, 0, &calls))
	if v, _ := c.Get("a"); v != 2 || calls.Load() != 6 {
		t.Fatalf("after Delete the absence was still remembered: %v, %d loads", v, calls.Load())
	}
	c.Clear()
	if st := c.Stats(); st.UsedMemory != 0 {
		t.Fatalf("used_memory %d after Clear", st.UsedMemory)
	}
}

// Remembered absences never cost a write its room: under noeviction a
// cache full of absences still takes every entry it has room for.
func TestAbsencesGiveWayToWrites(t *testing.T) {
	c, _ := newShardedTestCache(t, 4, NoEviction, 2)
	var calls atomic.Int32
	for _, k := range []string{"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"} {
		c.GetOrLoad(context.Background(), k, notFound(0, &calls))
	}
	for _, k := range []string{"a", "b", "c", "d"} {
		mustSet(t, c, k, 1)
	}
	if st := c.Stats(); st.UsedMemory != 4*unit || st.Overhead != 4*EntryOverhead[string, int]() {
		t.Fatalf("used_memory %d, overhead %d; want only the four entries", st.UsedMemory, st.Overhead)
	}
	checkAccounting(t, c)
}

// A refresh that a write overtakes, one that fails, and one that finds the
// key gone.
func TestRefreshAhead(t *testing.T) {
	clock := newFakeClock()
	c := mustNew(t, Options[string, int]{RefreshAfter: time.Minute, Clock: clock})
	ctx := context.Background()
	release := make(chan struct{})
	var calls atomic.Int32
	result := func(v int, err error) Loader[string, int] {
		return func(context.Context, string) (int, time.Duration, error) {
			calls.Add(1)
			<-release
			return v, time.Hour, err
		}
	}
	close(release)
	if v, _ := c.GetOrLoad(ctx, "k", result(1, nil)); v != 1 {
		t.Fatal("first load")
	}
	release = make(chan struct{})
	clock.Advance(59 * time.Second)
	if v, _ := c.GetOrLoad(ctx, "k", result(2, nil)); v != 1 || c.Stats().Refreshes != 0 {
		t.Fatal("refreshed before RefreshAfter")
	}
	clock.Advance(time.Second)
	for range 3 { // one refresh, and the entry served meanwhile
		if v, err := c.GetOrLoad(ctx, "k", result(2, nil)); v != 1 || err != nil {
			t.Fatalf("during the refresh: %v, %v", v, err)
		}
	}
	waitUntil(t, "the refresh starts", func() bool { return calls.Load() == 2 })
	close(release)
	waitUntil(t, "the refresh stores", func() bool { v, _ := c.peek("k"); return v == 2 })
	if st := c.Stats(); st.Refreshes != 1 || st.Loads != 2 || c.TTL("k") != time.Hour {
		t.Fatalf("%d refreshes, %d loads, TTL %v", st.Refreshes, st.Loads, c.TTL("k"))
	}

	clock.Advance(time.Minute) // a write during the refresh wins
	release = make(chan struct{})
	c.GetOrLoad(ctx, "k", result(3, nil))
	waitUntil(t, "the second refresh starts", func() bool { return calls.Load() == 3 })
	mustSet(t, c, "k", 9)
	close(release)
	waitUntil(t, "the refresh ends", func() bool { return c.loads.Active() == 0 })
	if v, _ := c.peek("k"); v != 9 {
		t.Fatalf("k = %d, want the write's 9", v)
	}

	clock.Advance(time.Minute) // a failed refresh keeps the entry
	c.GetOrLoad(ctx, "k", result(0, errors.New("source down")))
	waitUntil(t, "the failed refresh ends", func() bool { return c.Stats().LoadFailures == 1 })
	waitUntil(t, "its flight ends", func() bool { return c.loads.Active() == 0 })
	if v, _ := c.peek("k"); v != 9 {
		t.Fatalf("k = %d after a failed refresh, want 9", v)
	}

	c.GetOrLoad(ctx, "k", result(0, ErrNotFound)) // still due: the key is gone
	waitUntil(t, "the refresh ends", func() bool { return c.loads.Active() == 0 && c.Len() == 0 })
	if _, err := c.GetOrLoad(ctx, "k", result(5, nil)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after a refresh found k gone: %v", err)
	}
	if n := calls.Load(); n != 5 {
		t.Fatalf("%d loads, want 5", n)
	}
}

// A refresh costs each entry eight bytes more, and needs a positive age.
func TestRefreshAfterCharges(t *testing.T) {
	c := mustNew(t, Options[string, int]{RefreshAfter: time.Minute, Sizer: func(string, int) int64 { return 10 }})
	mustSet(t, c, "k", 1)
	if n, _ := c.MemoryUsage("k"); n != 10+EntryOverhead[string, int]()+8 {
		t.Fatalf("MemoryUsage %d, want 10 + EntryOverhead + 8", n)
	}
	if _, err := New(Options[string, int]{RefreshAfter: -time.Second}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("negative RefreshAfter: %v", err)
	}
}

// bulkLoader loads "v:"+key for every key but those starting with "no",
// and records each call's keys.
type bulkLoader struct {
	mu      sync.Mutex
	calls   [][]string
	release chan struct{} // if not nil, each call waits for it
}

func (b *bulkLoader) load(_ context.Context, keys []string) (map[string]int, time.Duration, error) {
	b.mu.Lock()
	b.calls = append(b.calls, slices.Clone(keys))
	b.mu.Unlock()
	if b.release != nil {
		<-b.release
	}
	m := map[string]int{}
	for _, k := range keys {
		if !strings.HasPrefix(k, "no") {
			m[k] = len(k)
		}
	}
	return m, time.Minute, nil
}

func TestGetOrLoadAll(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	mustSet(t, c, "a", 100)
	var b bulkLoader
	got, err := c.GetOrLoadAll(context.Background(), []string{"a", "bb", "ccc", "none", "bb"}, b.load)
	want := map[string]int{"a": 100, "bb": 2, "ccc": 3}
	if err != nil || !maps.Equal(got, want) {
		t.Fatalf("GetOrLoadAll = %v, %v; want %v", got, err, want)
	}
	if len(b.calls) != 1 || !slices.Equal(b.calls[0], []string{"bb", "ccc", "none"}) {
		t.Fatalf("loader calls %v, want one of [bb ccc none]", b.calls)
	}
	if c.TTL("ccc") != time.Minute || len(resident(c, "none")) != 0 || c.Stats().Loads != 1 {
		t.Fatal("GetOrLoadAll stored the wrong entries")
	}
	// A key the bulk loader left out is an absence remembered for its TTL,
	// as a Loader's ErrNotFound is.
	var calls atomic.Int32
	if _, err := c.GetOrLoad(context.Background(), "none", constLoader(1, 0, &calls)); !errors.Is(err, ErrNotFound) || calls.Load() != 0 {
		t.Fatalf("GetOrLoad after the bulk load left it out: %v, %d loads; want ErrNotFound, none", err, calls.Load())
	}
	if _, err := c.GetOrLoadAll(nil, nil, b.load); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("nil ctx: %v", err)
	}
}

// GetOrLoadAll and GetOrLoad share their flights both ways: a bulk load
// waits for a single load of its key in flight, and a single load waits
// for a bulk one.
func TestGetOrLoadAllIsSingleFlightWithGetOrLoad(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	ctx := context.Background()
	g := startGatedLoad(t, c) // a GetOrLoad of "k" in flight
	b := bulkLoader{release: make(chan struct{})}
	bulk := make(chan map[string]int, 1)
	go func() {
		m, err := c.GetOrLoadAll(ctx, []string{"k", "pp"}, b.load)
		if err != nil {
			t.Error(err)
		}
		bulk <- m
	}()
	waitUntil(t, "the bulk load of pp starts", func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.calls) == 1 })
	single := make(chan int, 1)
	go func() {
		v, _ := c.GetOrLoad(ctx, "pp", constLoader(-1, 0, new(atomic.Int32)))
		single <- v
	}()
	untilJoined(t, c, "pp", 1)
	close(b.release)
	if v := await(t, single, "GetOrLoad of pp"); v != 2 {
		t.Fatalf("GetOrLoad of pp = %d, want the bulk load's 2", v)
	}
	close(g.release)
	if m := await(t, bulk, "GetOrLoadAll"); !maps.Equal(m, map[string]int{"k": 1, "pp": 2}) {
		t.Fatalf("GetOrLoadAll = %v", m)
	}
	if !slices.Equal(b.calls[0], []string{"pp"}) || g.calls.Load() != 1 {
		t.Fatalf("bulk calls %v, single loads %d", b.calls, g.calls.Load())
	}
}

// A bulk loader's error reaches every caller of its keys and stores
// nothing; its panic reaches the caller that ran it, and the waiters get
// ErrLoaderPanicked.
func TestGetOrLoadAllFailures(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	boom := errors.New("source down")
	failing := func(context.Context, []string) (map[string]int, time.Duration, error) { return nil, 0, boom }
	if m, err := c.GetOrLoadAll(context.Background(), []string{"a", "b"}, failing); !errors.Is(err, boom) || len(m) != 0 || c.Len() != 0 {
		t.Fatalf("GetOrLoadAll = %v, %v", m, err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	panicky := func(context.Context, []string) (map[string]int, time.Duration, error) {
		close(started)
		<-release
		panic("loader bug")
	}
	leader := make(chan any, 1)
	go func() {
		defer func() { leader <- recover() }()
		c.GetOrLoadAll(context.Background(), []string{"p"}, panicky)
	}()
	await(t, started, "the bulk load")
	waiter := make(chan error, 1)
	go func() {
		_, err := c.GetOrLoad(context.Background(), "p", constLoader(1, 0, new(atomic.Int32)))
		waiter <- err
	}()
	untilJoined(t, c, "p", 1)
	close(release)
	if r := await(t, leader, "the bulk caller"); r != "loader bug" {
		t.Fatalf("recovered %v", r)
	}
	if err := await(t, waiter, "the waiter"); !errors.Is(err, ErrLoaderPanicked) {
		t.Fatalf("waiter got %v", err)
	}
	if st := c.Stats(); st.Loads != 2 || st.LoadFailures != 2 {
		t.Fatalf("loads %d, failures %d; want 2 and 2", st.Loads, st.LoadFailures)
	}
}

// Loads, failures and their time, by the cache's clock, in Stats, INFO
// and expvar's map, until ResetStats.
func TestLoadStatistics(t *testing.T) {
	c, clock := newTestCache(t, 10, AllKeysLRU)
	slow := func(v int, err error) Loader[string, int] {
		return func(context.Context, string) (int, time.Duration, error) {
			clock.Advance(10 * time.Millisecond)
			return v, 0, err
		}
	}
	c.GetOrLoad(context.Background(), "a", slow(1, nil))
	c.GetOrLoad(context.Background(), "b", slow(0, errors.New("down")))
	c.GetOrLoad(context.Background(), "c", slow(0, ErrNotFound))
	st := c.Stats()
	if st.Loads != 3 || st.LoadFailures != 1 || st.LoadTime != 30*time.Millisecond || st.MeanLoadTime() != 10*time.Millisecond {
		t.Fatalf("loads %d, failures %d, time %v, mean %v", st.Loads, st.LoadFailures, st.LoadTime, st.MeanLoadTime())
	}
	for _, line := range []string{"total_loads:3\r\n", "total_load_failures:1\r\n", "total_load_time_usec:30000\r\n",
		"avg_load_time_usec:10000\r\n", "total_refreshes:0\r\n"} {
		if !strings.Contains(st.String(), line) {
			t.Errorf("INFO lacks %q", line)
		}
	}
	if m := st.Map(); m["total_loads"] != uint64(3) || m["avg_load_time_usec"] != int64(10000) {
		t.Errorf("Map: total_loads %v, avg_load_time_usec %v", m["total_loads"], m["avg_load_time_usec"])
	}
	c.ResetStats()
	if st := c.Stats(); st.Loads+st.LoadFailures+st.Refreshes != 0 || st.LoadTime != 0 || st.MeanLoadTime() != 0 {
		t.Fatalf("after ResetStats: %+v", st)
	}
}
