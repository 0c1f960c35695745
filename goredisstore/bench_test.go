package goredisstore

// Measurements for the README: a read served from the near cache against a
// read that goes to Redis on loopback, one goroutine and eight, and the
// heap each store really holds against its configured budget.
//
//	go test -run '^$' -bench . -benchtime 20000x -benchmem ./...
//	go test -run TestHeapAgainstBudget -v ./...

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/maxmem/maxmem"
	"github.com/redis/go-redis/v9"
)

// benchClients returns a client whose reads go to Redis, one whose reads are
// served from a maxmem near cache and one with go-redis's own cache, with
// key "k" already cached.
func benchClients(b *testing.B) []struct {
	name   string
	client *redis.Client
} {
	addr := startRedis(b)
	plain := newClient(b, addr, nil)
	cached := newClient(b, addr, New(newCache(b, 64<<20)))
	builtin := newClient(b, addr, redis.NewLocalCache(redis.CacheConfig{MaxMemoryBytes: 64 << 20}))
	do(b, plain, "SET", "k", "value")
	get(b, cached, "k")
	get(b, builtin, "k")
	return []struct {
		name   string
		client *redis.Client
	}{{"redis-round-trip", plain}, {"near-cache-hit", cached}, {"go-redis-localcache-hit", builtin}}
}

func BenchmarkRead(b *testing.B) {
	ctx := context.Background()
	for _, c := range benchClients(b) {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.client.Get(ctx, "k")
			}
		})
	}
}

// BenchmarkRead8 reads from 8 goroutines; ns/op is the inverse of the
// throughput.
func BenchmarkRead8(b *testing.B) {
	ctx := context.Background()
	for _, c := range benchClients(b) {
		b.Run(c.name, func(b *testing.B) {
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c.client.Get(ctx, "k")
				}
			})
		})
	}
}

// heapInUse returns the live heap after a full collection.
func heapInUse() int64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// The heap a store really holds after reading 16 MB of values through a
// 4 MiB budget: with NewCache's cache (which charges the indexes) it stays
// within a fifth of the budget; a cache from maxmem.New leaves the indexes outside it;
// go-redis's own cache at the same MaxMemoryBytes is logged beside them.
func TestHeapAgainstBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("fills three stores through a redis-server")
	}
	const budget, n, size = 4 << 20, 16384, 1000
	addr := startRedis(t)
	plain := newClient(t, addr, nil)
	for i := 0; i < n; i += 512 {
		args := []any{"MSET"}
		for j := i; j < i+512; j++ {
			args = append(args, fmt.Sprint("key:", j), value(j, size))
		}
		do(t, plain, args...)
	}
	charged := fillHeap(t, addr, n, func() redis.Cache { return New(newCache(t, budget)) })
	uncharged := fillHeap(t, addr, n, func() redis.Cache {
		c, err := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: budget, Policy: maxmem.AllKeysLRU, OnEvict: OnEvict})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return New(c)
	})
	builtin := fillHeap(t, addr, n, func() redis.Cache { return redis.NewLocalCache(redis.CacheConfig{MaxMemoryBytes: budget}) })
	t.Logf("budget %d B, %d values of %d B read: NewCache store heap %d B (%.2fx budget), maxmem.New store heap %d B (%.2fx), go-redis LocalCache heap %d B (%.2fx)",
		budget, n, size, charged, float64(charged)/budget, uncharged, float64(uncharged)/budget, builtin, float64(builtin)/budget)
	if charged > budget*12/10 { // the maps' spare room and the arena's tail are not charged
		t.Errorf("NewCache's store holds %d B of heap for a budget of %d", charged, budget)
	}
}

// fillHeap reads keys key:0..n-1 through a client (one connection) with the
// cache newCache makes and returns the heap that grew while it did.
func fillHeap(t *testing.T, addr string, n int, newCache func() redis.Cache) int64 {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: addr, Protocol: 3, ClientSideCache: newCache(), PoolSize: 1})
	defer client.Close()
	client.Get(ctx, "warm-up")
	before := heapInUse()
	for i := range n {
		if err := client.Get(ctx, fmt.Sprint("key:", i)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	grown := heapInUse() - before
	runtime.KeepAlive(client)
	return grown
}
