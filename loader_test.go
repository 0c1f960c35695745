package maxmem

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// constLoader loads v with ttl and counts its calls.
func constLoader(v int, ttl time.Duration, calls *atomic.Int32) Loader[string, int] {
	return func(context.Context, string) (int, time.Duration, error) {
		calls.Add(1)
		return v, ttl, nil
	}
}

// untilJoined yields until n callers wait on the load of key in c. It
// fails the test if that takes more than hangGuard.
func untilJoined(t *testing.T, c *Cache[string, int], key string, n int32) {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); ; runtime.Gosched() {
		if f := c.loads.Lookup(key); f != nil && f.Joined() >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d callers joined the load of %q after %v", n, key, hangGuard)
		}
	}
}

func TestGetOrLoadLoadsOnceAndStoresTTL(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	var calls atomic.Int32
	ctx := context.Background()
	for range 3 {
		if v, err := c.GetOrLoad(ctx, "k", constLoader(7, time.Minute, &calls)); v != 7 || err != nil {
			t.Fatalf("GetOrLoad = %v, %v", v, err)
		}
	}
	if calls.Load() != 1 || c.TTL("k") != time.Minute {
		t.Fatalf("%d loads, TTL %v; want 1 and 1m", calls.Load(), c.TTL("k"))
	}
	if v, err := c.GetOrLoad(ctx, "p", constLoader(8, 0, &calls)); v != 8 || err != nil || c.TTL("p") != NoExpiry {
		t.Fatalf("GetOrLoad with TTL 0 = %v, %v, TTL %v; want no TTL", v, err, c.TTL("p"))
	}
}

func TestGetOrLoadIsSingleFlight(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	var calls atomic.Int32
	release := make(chan struct{})
	slow := func(context.Context, string) (int, time.Duration, error) {
		calls.Add(1)
		<-release
		return 42, 0, nil
	}
	const callers = 8
	results := make(chan int, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			v, err := c.GetOrLoad(context.Background(), "k", slow)
			if err != nil {
				t.Error(err)
			}
			results <- v
		})
	}
	untilJoined(t, c, "k", callers-1)
	close(release)
	awaitGroup(t, &wg, "GetOrLoad callers")
	close(results)
	for v := range results {
		if v != 42 {
			t.Fatalf("a caller got %d", v)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("%d loads for %d concurrent callers, want 1", calls.Load(), callers)
	}
}

func TestGetOrLoadDoesNotCacheErrors(t *testing.T) {
	c, _ := newTestCache(t, 10, nil)
	boom := errors.New("source down")
	var calls atomic.Int32
	failing := func(context.Context, string) (int, time.Duration, error) {
		calls.Add(1)
		return 0, 0, boom
	}
	for range 2 {
		if _, err := c.GetOrLoad(context.Background(), "k", failing); !errors.Is(err, boom) {
			t.Fatalf("GetOrLoad = %v, want the loader's error", err)
		}
	}
	if calls.Load() != 2 || c.Len() != 0 {
		t.Fatalf("%d loads, %d keys: an error was cached", calls.Load(), c.Len())
	}
}

func TestGetOrLoadPanicReachesLoaderCallerOnly(t *testing.T) {
	c, _ := newTestCache(t, 10, nil)
	started, release := make(chan struct{}), make(chan struct{})
	panicky := func(context.Context, string) (int, time.Duration, error) {
		close(started)
		<-release
		panic("loader bug")
	}
	leader := make(chan any, 1)
	go func() {
		defer func() { leader <- recover() }()
		c.GetOrLoad(context.Background(), "k", panicky)
	}()
	await(t, started, "the leading load")
	waiter := make(chan error, 1)
	go func() {
		_, err := c.GetOrLoad(context.Background(), "k", constLoader(1, 0, new(atomic.Int32)))
		waiter <- err
	}()
	untilJoined(t, c, "k", 1)
	close(release)
	if r := await(t, leader, "the leading caller"); r != "loader bug" {
		t.Fatalf("leader recovered %v, want the loader's panic", r)
	}
	if err := await(t, waiter, "the waiting caller"); !errors.Is(err, ErrLoaderPanicked) {
		t.Fatalf("waiter got %v, want ErrLoaderPanicked", err)
	}
	if v, err := c.GetOrLoad(context.Background(), "k", constLoader(5, 0, new(atomic.Int32))); v != 5 || err != nil {
		t.Fatalf("after the panic GetOrLoad = %v, %v", v, err)
	}
	if c.loads.Active() != 0 || c.Len() != 1 {
		t.Fatal("a flight or entry was left behind")
	}
}

func TestGetOrLoadWaiterContext(t *testing.T) {
	c, _ := newTestCache(t, 10, nil)
	started, release := make(chan struct{}), make(chan struct{})
	slow := func(context.Context, string) (int, time.Duration, error) {
		close(started)
		<-release
		return 1, 0, nil
	}
	go c.GetOrLoad(context.Background(), "k", slow)
	await(t, started, "the leading load") // the load in the background leads; the caller below waits
	ctx, cancel := context.WithCancel(context.Background())
	waiter := make(chan error, 1)
	go func() { _, err := c.GetOrLoad(ctx, "k", slow); waiter <- err }()
	untilJoined(t, c, "k", 1)
	cancel()
	if err := await(t, waiter, "the waiting caller"); !errors.Is(err, context.Canceled) {
		t.Fatalf("waiter got %v, want context.Canceled", err)
	}
	close(release)
}

func TestGetOrLoadRetriesAfterLeaderContextEnds(t *testing.T) {
	c, _ := newTestCache(t, 10, nil)
	leaderCtx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	abandoned := func(ctx context.Context, _ string) (int, time.Duration, error) {
		close(started)
		<-ctx.Done()
		return 0, 0, ctx.Err()
	}
	leader := make(chan error, 1)
	go func() { _, err := c.GetOrLoad(leaderCtx, "k", abandoned); leader <- err }()
	await(t, started, "the leading load")
	waiter := make(chan int, 1)
	go func() {
		v, _ := c.GetOrLoad(context.Background(), "k", constLoader(9, 0, new(atomic.Int32)))
		waiter <- v
	}()
	untilJoined(t, c, "k", 1)
	cancel()
	if err := await(t, leader, "the leading caller"); !errors.Is(err, context.Canceled) {
		t.Fatalf("leader got %v", err)
	}
	if v := await(t, waiter, "the waiting caller"); v != 9 {
		t.Fatalf("waiter got %d, want its own load's 9", v)
	}
}

// A loaded value that does not fit is served like any other, with no
// error for the caller to tell apart, and counted as an uncached load.
func TestGetOrLoadServesValueThatDoesNotFit(t *testing.T) {
	c, _ := newTestCache(t, 1, NoEviction)
	mustSet(t, c, "a", 1)
	var calls atomic.Int32
	for range 2 {
		v, err := c.GetOrLoad(context.Background(), "b", constLoader(2, time.Minute, &calls))
		if v != 2 || err != nil {
			t.Fatalf("GetOrLoad on a full cache = %v, %v; want the loaded 2 and no error", v, err)
		}
	}
	st := c.Stats()
	if calls.Load() != 2 || st.UncachedLoads != 2 || st.OOMRejections != 2 || len(resident(c, "b")) != 0 {
		t.Fatalf("%d loads, total_uncached_loads %d, total_oom_errors %d, resident %v; want 2, 2, 2 and b not cached",
			calls.Load(), st.UncachedLoads, st.OOMRejections, resident(c, "b"))
	}
	if !strings.Contains(st.String(), "total_uncached_loads:2\r\n") || st.Map()["total_uncached_loads"] != uint64(2) {
		t.Fatalf("INFO or Map lacks total_uncached_loads:2:\n%s", st)
	}
	c.ResetStats()
	if n := c.Stats().UncachedLoads; n != 0 {
		t.Fatalf("total_uncached_loads %d after ResetStats", n)
	}
}

func TestGetOrLoadBadInput(t *testing.T) {
	c, _ := newTestCache(t, 10, nil)
	ok := constLoader(1, 0, new(atomic.Int32))
	if _, err := c.GetOrLoad(nil, "k", ok); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("nil ctx: %v", err)
	}
	if _, err := c.GetOrLoad(context.Background(), "k", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("nil loader: %v", err)
	}
	if _, err := c.GetOrLoad(context.Background(), "k", constLoader(1, math.MaxInt64, new(atomic.Int32))); !errors.Is(err, ErrInvalidTTL) || c.Len() != 0 {
		t.Fatalf("TTL past the end of time: %v", err)
	}
}
