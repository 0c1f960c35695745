package maxmem_test

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/maxmem/maxmem"
)

func ExampleCache_SetWait() {
	c, _ := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 600, Policy: maxmem.NoEviction})
	defer c.Close()
	c.Set("old", make([]byte, 300))
	go func() {
		c.Delete("old")
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.SetWait(ctx, "new", make([]byte, 300)) // waits, then writes
	_, ok := c.Get("new")
	fmt.Println(err, ok)
	// Output: <nil> true
}

func ExampleCache_GetOrLoad() {
	c, _ := maxmem.New(maxmem.Options[string, string]{MaxMemory: 1 << 20, Policy: maxmem.AllKeysLRU})
	defer c.Close()
	loads := 0
	fromDatabase := func(ctx context.Context, key string) (string, time.Duration, error) {
		loads++
		return "profile of " + key, 5 * time.Minute, nil
	}
	for range 3 {
		v, err := c.GetOrLoad(context.Background(), "user:42", fromDatabase)
		fmt.Println(v, err)
	}
	fmt.Println("loads:", loads)
	// Output:
	// profile of user:42 <nil>
	// profile of user:42 <nil>
	// profile of user:42 <nil>
	// loads: 1
}

func ExampleCache_Compute() {
	c, _ := maxmem.New(maxmem.Options[string, int]{})
	defer c.Close()
	hit := func(n int, found bool) (int, maxmem.ComputeOp) { return n + 1, maxmem.WriteOp }
	c.Compute("page:/", hit)
	n, ok, err := c.Compute("page:/", hit)
	fmt.Println(n, ok, err)
	// Output: 2 true <nil>
}

func ExampleCache_BigKeys() {
	c, _ := maxmem.New(maxmem.Options[string, []byte]{})
	defer c.Close()
	c.Set("small", make([]byte, 10))
	c.Set("large", make([]byte, 10_000))
	c.Set("medium", make([]byte, 1_000))
	top, _ := c.BigKeys(2)
	for _, u := range top {
		fmt.Println(u.Key, u.Bytes > 1_000)
	}
	// Output:
	// large true
	// medium true
}

func ExampleCache_Doctor() {
	c, _ := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 1000, Policy: maxmem.VolatileLRU})
	defer c.Close()
	for i := range 10 {
		c.Set(fmt.Sprint("key", i), make([]byte, 100)) // no TTL: volatile-lru cannot evict them
	}
	fmt.Print(c.Doctor())
	// Output:
	// maxmem memory doctor: 1 problem(s) found (counters since the cache was created or stats were reset).
	//
	//  * volatile-lru evicts only keys with a TTL, and only 0 of 6 keys have one: the cache cannot make room (4 writes already refused with OOM).
	//    Fix: write cache-like keys with SetWithTTL (or Expire them), or switch to allkeys-lru.
}

func ExampleOOMError_Hint() {
	// volatile-lru may evict only keys with a TTL: with none, it cannot
	// make room, the classic cause of OOM under a volatile policy.
	c, _ := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 1000, Policy: maxmem.VolatileLRU})
	defer c.Close()
	var err error
	for i := 0; err == nil && i < 100; i++ { // 1000 bytes hold 6 such entries
		err = c.Set(fmt.Sprint("key", i), make([]byte, 100))
	}
	var oom *maxmem.OOMError
	if errors.As(err, &oom) {
		fmt.Println(oom.Hint())
	}
	// Output:
	// volatile-lru evicts only keys with a TTL and none of the 6 keys has one: write cache-like keys with SetWithTTL or Expire, or switch to allkeys-lru
}

func ExampleCache_MemoryStats() {
	c, _ := maxmem.New(maxmem.Options[string, string]{})
	defer c.Close()
	c.Set("plain", "v")
	c.SetWithTTL("session", "v", time.Hour)
	m := c.MemoryStats()
	fmt.Println(m.Keys, m.KeysWithTTL, m.KeysWithoutTTL, m.Overhead == 2*maxmem.EntryOverhead[string, string]())
	// Output: 2 1 1 true
}

func ExampleMaxMemoryFromLimit() {
	// As if the program ran with GOMEMLIMIT=64MiB (a container's memory
	// limit below it would win).
	old := debug.SetMemoryLimit(64 << 20)
	defer debug.SetMemoryLimit(old)

	budget, err := maxmem.MaxMemoryFromLimit(0.5) // half of the memory limit
	if errors.Is(err, maxmem.ErrNoMemoryLimit) {
		budget = 256 << 20 // no limit anywhere: pick a size
	}
	c, _ := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: budget, Policy: maxmem.AllKeysLRU})
	defer c.Close()
	fmt.Println(c.Stats().MaxMemory)
	// Output: 33554432
}
