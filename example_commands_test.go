package maxmem_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/maxmem/maxmem"
)

// SET's options: NX stores only a new key, GET returns the old value, XX
// with KEEPTTL rewrites a key and keeps its TTL, a plain SET clears it.
func ExampleCache_SetArgs() {
	c, _ := maxmem.New(maxmem.Options[string, string]{})
	defer c.Close()

	_, existed, _ := c.SetArgs("lock", "worker-1", maxmem.SetArgs{Cond: maxmem.NX, TTL: 30 * time.Second})
	fmt.Println("acquired:", !existed) // SET lock worker-1 NX GET PX 30000
	holder, existed, _ := c.SetArgs("lock", "worker-2", maxmem.SetArgs{Cond: maxmem.NX, TTL: 30 * time.Second})
	fmt.Println("held by", holder, existed)

	old, _, _ := c.SetArgs("lock", "worker-1b", maxmem.SetArgs{Cond: maxmem.XX, KeepTTL: true})
	fmt.Println("replaced", old, "keeping its TTL:", c.TTL("lock") > 29*time.Second)
	c.SetArgs("lock", "free", maxmem.SetArgs{})
	fmt.Println("plain SET clears it:", c.TTL("lock") == maxmem.NoExpiry)

	_, _, err := c.SetArgs("lock", "x", maxmem.SetArgs{TTL: -time.Second})
	fmt.Println(errors.Is(err, maxmem.ErrInvalidTTL))
	// Output:
	// acquired: true
	// held by worker-1 true
	// replaced worker-1 keeping its TTL: true
	// plain SET clears it: true
	// true
}

// manualClock is a Clock that moves only when told, for the refresh
// example; a service leaves Options.Clock nil.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (m *manualClock) Now() time.Time { m.mu.Lock(); defer m.mu.Unlock(); return m.now }

func (m *manualClock) advance(d time.Duration) { m.mu.Lock(); m.now = m.now.Add(d); m.mu.Unlock() }

// Refresh-ahead: after RefreshAfter, a GetOrLoad that finds the entry
// still serves it at once, and reloads it in the background.
func ExampleOptions_refreshAfter() {
	clock := &manualClock{now: time.Unix(1_700_000_000, 0)}
	c, _ := maxmem.New(maxmem.Options[string, string]{RefreshAfter: time.Minute, Clock: clock})
	defer c.Close()
	version := 0
	reloaded := make(chan struct{}, 1)
	load := func(ctx context.Context, key string) (string, time.Duration, error) {
		version++
		if version > 1 {
			defer func() { reloaded <- struct{}{} }()
		}
		return fmt.Sprintf("%s v%d", key, version), time.Hour, nil
	}
	ctx := context.Background()
	v, _ := c.GetOrLoad(ctx, "price", load)
	fmt.Println(v)
	clock.advance(2 * time.Minute)
	v, _ = c.GetOrLoad(ctx, "price", load) // due: served as it is, reloaded meanwhile
	fmt.Println(v)
	<-reloaded
	for v == "price v1" { // the reload has returned; until it has stored its value
		v, _ = c.GetOrLoad(ctx, "price", load)
	}
	fmt.Println(v, c.Stats().Refreshes)
	// Output:
	// price v1
	// price v1
	// price v2 1
}

// Bulk loading: one call of the loader for every key missed; a key it
// leaves out does not exist.
func ExampleCache_GetOrLoadAll() {
	c, _ := maxmem.New(maxmem.Options[string, int]{})
	defer c.Close()
	c.Set("a", 1)
	db := map[string]int{"a": 10, "b": 20, "c": 30}
	load := func(ctx context.Context, keys []string) (map[string]int, time.Duration, error) {
		fmt.Println("loading", keys)
		found := map[string]int{}
		for _, k := range keys {
			if v, ok := db[k]; ok {
				found[k] = v
			}
		}
		return found, time.Minute, nil
	}
	got, err := c.GetOrLoadAll(context.Background(), []string{"a", "b", "c", "d"}, load)
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Print(k, "=", got[k], " ")
	}
	fmt.Println(err)
	// Output:
	// loading [b c d]
	// a=1 b=20 c=30 <nil>
}

// Negative caching: a loader that reports ErrNotFound with a TTL is not
// asked again for that key until the TTL has passed.
func ExampleErrNotFound() {
	c, _ := maxmem.New(maxmem.Options[string, string]{})
	defer c.Close()
	calls := 0
	load := func(ctx context.Context, key string) (string, time.Duration, error) {
		calls++
		return "", time.Minute, maxmem.ErrNotFound // remember the absence for a minute
	}
	for range 3 {
		_, err := c.GetOrLoad(context.Background(), "user:404", load)
		fmt.Println(errors.Is(err, maxmem.ErrNotFound))
	}
	fmt.Println("loads:", calls)
	// Output:
	// true
	// true
	// true
	// loads: 1
}
