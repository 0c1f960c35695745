package rueidisstore

// Measurements for the README: a read served from the near cache against a
// read that goes to Redis on loopback, one goroutine and eight, and the
// heap each store really holds against its configured budget.
//
//	go test -run '^$' -bench . -benchtime 20000x ./...
//	go test -run TestHeapAgainstBudget -v ./...

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/redis/rueidis"
)

// benchClients returns a client whose reads go to Redis, one whose reads
// are served from a maxmem near cache and one with rueidis's own LRU, with
// key "k" already cached.
func benchClients(b *testing.B) (plain, cached, builtin rueidis.Client) {
	addr := startRedis(b)
	plain = newClient(b, addr, nil, nil)
	cached = newClient(b, addr, newCache(b, 64<<20), nil)
	builtin, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, PipelineMultiplex: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(builtin.Close)
	do(b, plain, "SET", "k", "value")
	get(b, cached, "k")
	get(b, builtin, "k")
	return plain, cached, builtin
}

func BenchmarkRead(b *testing.B) {
	plain, cached, builtin := benchClients(b)
	ctx := context.Background()
	b.Run("redis-round-trip", func(b *testing.B) {
		for b.Loop() {
			plain.Do(ctx, plain.B().Get().Key("k").Build())
		}
	})
	b.Run("near-cache-hit", func(b *testing.B) {
		for b.Loop() {
			cached.DoCache(ctx, cached.B().Get().Key("k").Cache(), time.Minute)
		}
	})
	b.Run("rueidis-lru-hit", func(b *testing.B) {
		for b.Loop() {
			builtin.DoCache(ctx, builtin.B().Get().Key("k").Cache(), time.Minute)
		}
	})
}

// BenchmarkRead8 reads from 8 goroutines; ns/op is the inverse of the
// throughput.
func BenchmarkRead8(b *testing.B) {
	plain, cached, builtin := benchClients(b)
	ctx := context.Background()
	goroutines := max(1, 8/runtime.GOMAXPROCS(0))
	b.Run("redis-round-trip", func(b *testing.B) {
		b.SetParallelism(goroutines)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				plain.Do(ctx, plain.B().Get().Key("k").Build())
			}
		})
	})
	for _, c := range []struct {
		name   string
		client rueidis.Client
	}{{"near-cache-hit", cached}, {"rueidis-lru-hit", builtin}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetParallelism(goroutines)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c.client.DoCache(ctx, c.client.B().Get().Key("k").Cache(), time.Minute)
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

// The heap a store really holds after reading 16 Mi of values through a
// 4 MiB budget: maxmem's stays within its budget; rueidis's own LRU, given
// the same budget per connection, is logged beside it.
func TestHeapAgainstBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("fills two stores through a redis-server")
	}
	const budget, n, size = 4 << 20, 16384, 1000
	addr := startRedis(t)
	plain := newClient(t, addr, nil, nil)
	for i := 0; i < n; i += 512 {
		args := []string{"MSET"}
		for j := i; j < i+512; j++ {
			args = append(args, fmt.Sprint("key:", j), value(j, size))
		}
		do(t, plain, args...)
	}
	maxmemHeap := fillHeap(t, addr, n, rueidis.ClientOption{NewCacheStoreFn: New(newCache(t, budget))})
	builtinHeap := fillHeap(t, addr, n, rueidis.ClientOption{CacheSizeEachConn: budget})
	t.Logf("budget %d B, %d values of %d B read: maxmem store heap %d B (%.2fx budget), rueidis LRU heap %d B (%.2fx)",
		budget, n, size, maxmemHeap, float64(maxmemHeap)/budget, builtinHeap, float64(builtinHeap)/budget)
	if maxmemHeap > budget*11/10 {
		t.Errorf("maxmem's store holds %d B of heap for a budget of %d", maxmemHeap, budget)
	}
}

// fillHeap reads keys key:0..n-1 through a client made with opt (one
// connection) and returns the heap that grew while it did, the client's
// cache included.
func fillHeap(t *testing.T, addr string, n int, opt rueidis.ClientOption) int64 {
	opt.InitAddress, opt.PipelineMultiplex = []string{addr}, -1
	client, err := rueidis.NewClient(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	client.DoCache(ctx, client.B().Get().Key("warm-up").Cache(), time.Hour)
	before := heapInUse()
	for i := range n {
		if err := client.DoCache(ctx, client.B().Get().Key(fmt.Sprint("key:", i)).Cache(), time.Hour).Error(); err != nil {
			t.Fatal(err)
		}
	}
	grown := heapInUse() - before
	runtime.KeepAlive(client)
	return grown
}
