package maxmem

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitUntil yields until cond holds, failing the test if it has not after
// ten seconds (a bound on a hang, not a measure of speed).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for i := 0; !cond(); i++ {
		if i%1024 == 0 && time.Since(start) > 10*time.Second {
			t.Fatalf("gave up waiting until %s", what)
		}
		runtime.Gosched()
	}
}

// joined reports whether n callers wait on the load of key in c.
func joined(c *Cache[string, int], key string, n int32) func() bool {
	return func() bool {
		f := c.loads.Lookup(key)
		return f != nil && f.Joined() >= n
	}
}

// gatedLoad is a load of "k" in progress: its loader has started and
// returns 1 when release is closed. A second caller waits on it.
type gatedLoad struct {
	release        chan struct{}
	leader, waiter chan int
	calls          atomic.Int32
}

// startGatedLoad starts a GetOrLoad of "k" whose loader blocks, and a
// second GetOrLoad that joins it.
func startGatedLoad(t *testing.T, c *Cache[string, int]) *gatedLoad {
	t.Helper()
	g := &gatedLoad{release: make(chan struct{}), leader: make(chan int, 1), waiter: make(chan int, 1)}
	started := make(chan struct{})
	load := func(context.Context, string) (int, time.Duration, error) {
		if g.calls.Add(1) == 1 {
			close(started)
		}
		<-g.release
		return 1, time.Minute, nil
	}
	run := func(out chan<- int) {
		v, err := c.GetOrLoad(context.Background(), "k", load)
		if err != nil {
			t.Errorf("GetOrLoad: %v", err)
		}
		out <- v
	}
	go run(g.leader)
	<-started
	go run(g.waiter)
	waitUntil(t, "a second caller joins the load", joined(c, "k", 1))
	return g
}

// finish lets the load return and checks that both callers got its value.
func (g *gatedLoad) finish(t *testing.T) {
	t.Helper()
	close(g.release)
	if v := <-g.leader; v != 1 {
		t.Errorf("the caller that loaded got %d, want the loaded 1", v)
	}
	if v := <-g.waiter; v != 1 {
		t.Errorf("the caller that waited got %d, want the loaded 1", v)
	}
}

// A write of a key while its load is in flight wins: the loaded value is
// returned to the callers of that load but not stored, and a later read
// sees the write (or, if the write removed the key, loads again).
func TestGetOrLoadDiscardsValueAfterWriteDuringLoad(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(c *Cache[string, int])
		want  int // what Get returns afterwards; 0: the key is absent
	}{
		{"Delete", func(c *Cache[string, int]) { c.Delete("k") }, 0},
		{"Set", func(c *Cache[string, int]) { c.Set("k", 2) }, 2},
		{"SetWithTTL", func(c *Cache[string, int]) { c.SetWithTTL("k", 2, time.Hour) }, 2},
		{"SetWait", func(c *Cache[string, int]) { c.SetWait(context.Background(), "k", 2) }, 2},
		{"Compute write", func(c *Cache[string, int]) {
			c.Compute("k", func(int, bool) (int, ComputeOp) { return 3, WriteOp })
		}, 3},
		{"Compute invalidate", func(c *Cache[string, int]) {
			c.Compute("k", func(int, bool) (int, ComputeOp) { return 0, InvalidateOp })
		}, 0},
		{"Expire", func(c *Cache[string, int]) { c.Expire("k", time.Hour) }, 0},
		{"Expire 0", func(c *Cache[string, int]) { c.Expire("k", 0) }, 0},
		{"Persist", func(c *Cache[string, int]) { c.Persist("k") }, 0},
		{"Clear", func(c *Cache[string, int]) { c.Clear() }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestCache(t, 10, AllKeysLRU)
			g := startGatedLoad(t, c)
			tc.write(c)
			g.finish(t)
			got, ok := c.Get("k")
			switch {
			case tc.want == 0 && ok:
				t.Fatalf("after %s during the load, Get = %d: the loaded value was stored", tc.name, got)
			case tc.want != 0 && (!ok || got != tc.want):
				t.Fatalf("after %s during the load, Get = %d, %v; want the written %d", tc.name, got, ok, tc.want)
			case tc.want != 0:
				return
			}
			v, err := c.GetOrLoad(context.Background(), "k", constLoader(5, 0, &g.calls))
			if v != 5 || err != nil || g.calls.Load() != 2 {
				t.Fatalf("the next GetOrLoad = %d, %v after %d loads; want a new load's 5", v, err, g.calls.Load())
			}
		})
	}
}

// A write of another key, or a write before the load began, leaves the
// load alone.
func TestGetOrLoadStoresValueDespiteOtherWrites(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	mustSet(t, c, "k", 9)
	c.Delete("k")
	g := startGatedLoad(t, c)
	mustSet(t, c, "other", 1)
	c.Delete("other")
	g.finish(t)
	if v, ok := c.Get("k"); !ok || v != 1 {
		t.Fatalf("Get = %d, %v; want the loaded 1 stored", v, ok)
	}
	if ttl := c.TTL("k"); ttl != time.Minute {
		t.Fatalf("TTL %v, want the loader's 1m", ttl)
	}
}

// A writer changes the source and then deletes the key, as a
// write-through service does, while readers load it. Once a Delete has
// returned, the cache never holds a value read from the source before
// that Delete's change: the load that read it was in flight during the
// Delete.
func TestGetOrLoadNeverOutlivesAWrite(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	var source, deleted atomic.Int64 // the source's version; the last version whose Delete returned
	load := func(context.Context, string) (int, time.Duration, error) {
		return int(source.Load()), 0, nil
	}
	const rounds = 3000
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range rounds {
				if _, err := c.GetOrLoad(context.Background(), "k", load); err != nil {
					t.Error(err)
					return
				}
				d := deleted.Load()
				if v, ok := c.Get("k"); ok && int64(v) < d {
					t.Errorf("the cache holds version %d after version %d was written: a load outlived a write", v, d)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := int64(1); i <= rounds; i++ {
			source.Store(i)
			c.Delete("k")
			deleted.Store(i)
		}
	})
	wg.Wait()
}

func ExampleCache_GetOrLoad_writeDuringLoad() {
	c, _ := New(Options[string, string]{})
	defer c.Close()
	loading, release := make(chan struct{}), make(chan struct{})
	done := make(chan string)
	go func() {
		v, _ := c.GetOrLoad(context.Background(), "user:1", func(context.Context, string) (string, time.Duration, error) {
			close(loading)
			<-release
			return "old row", 0, nil // read from the database before the update below
		})
		done <- v
	}()
	<-loading
	c.Set("user:1", "new row") // written through while the load was in flight
	close(release)
	fmt.Println(<-done) // the caller that loaded gets what it loaded
	v, _ := c.Get("user:1")
	fmt.Println(v) // but the cache keeps the write
	// Output:
	// old row
	// new row
}
