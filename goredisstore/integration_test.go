package goredisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestSecondReadIsLocal(t *testing.T) {
	addr := startRedis(t)
	c := newCache(t, 1<<20)
	plain, cached := newClient(t, addr, nil), newClient(t, addr, New(c))
	do(t, plain, "SET", "k", "v")
	do(t, plain, "CONFIG", "RESETSTAT")
	for i := range 3 {
		if v := get(t, cached, "k"); v != "v" {
			t.Fatalf("read %d = %q", i, v)
		}
	}
	if n := getCalls(t, plain); n != 1 {
		t.Fatalf("3 reads sent %d GETs to Redis, want 1", n)
	}
	if st := c.Stats(); st.Hits < 2 {
		t.Fatalf("cache keyspace_hits %d, want the two local reads", st.Hits)
	}
}

// Another client's SET, DEL, EXPIRE and FLUSHALL invalidate: once the store
// has applied Redis's invalidation, the next read goes to Redis.
func TestOtherClientsWritesInvalidate(t *testing.T) {
	addr := startRedis(t)
	plain := newClient(t, addr, nil)
	for _, tc := range []struct {
		name  string
		write []any
		want  string
	}{
		{"SET", []any{"SET", "k", "new"}, "new"},
		{"DEL", []any{"DEL", "k"}, ""},
		{"EXPIRE", []any{"EXPIRE", "k", "0"}, ""},
		{"PEXPIRE", []any{"PEXPIRE", "k", "60000"}, "old"},
		{"FLUSHALL", []any{"FLUSHALL"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
			cached := newClient(t, addr, s)
			do(t, plain, "SET", "k", "old")
			get(t, cached, "k")
			do(t, plain, "CONFIG", "RESETSTAT")
			if v := get(t, cached, "k"); v != "old" || getCalls(t, plain) != 0 {
				t.Fatalf("read before the write = %q, not local", v)
			}
			do(t, plain, tc.write...)
			until(t, "the store applies the invalidation", func() bool { return !holds(s, "k") })
			if v := get(t, cached, "k"); v != tc.want || getCalls(t, plain) != 1 {
				t.Fatalf("read after %v = %q (%d GETs), want %q from Redis", tc.write, v, getCalls(t, plain), tc.want)
			}
		})
	}
}

// A key with a server TTL: the local copy goes when Redis deletes the key
// and sends its invalidation (the interface carries no TTL; see the package
// documentation), and no read after that sees the old value.
func TestServerTTL(t *testing.T) {
	addr := startRedis(t)
	s, _ := newTestStore(t, newCache(t, 1<<20), Options{})
	plain, cached := newClient(t, addr, nil), newClient(t, addr, s)
	do(t, plain, "SET", "k", "v", "PX", "200")
	get(t, cached, "k")
	if !holds(s, "k") {
		t.Fatal("the value was not cached")
	}
	// Redis deletes an expired key when it is next touched (or by its active
	// expiry); PTTL touches it.
	until(t, "the key expires on the server", func() bool { return do(t, plain, "PTTL", "k").Val() == int64(-2) })
	until(t, "the store applies the invalidation", func() bool { return !holds(s, "k") })
	if v := get(t, cached, "k"); v != "" {
		t.Fatalf("read after the server deleted k = %q", v)
	}
}

// CLIENT KILL of the cached connections: once go-redis notices, everything
// fetched on them is gone, and reads see the writes made meanwhile.
func TestClientKillLeavesNothingServed(t *testing.T) {
	addr := startRedis(t)
	c := newCache(t, 1<<20)
	s, _ := newTestStore(t, c, Options{})
	plain, cached := newClient(t, addr, nil), newClient(t, addr, s)
	for i := range 10 {
		do(t, plain, "SET", fmt.Sprint("k", i), "before")
		get(t, cached, fmt.Sprint("k", i))
	}
	do(t, plain, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
	until(t, "the store drops the dead connections' entries", func() bool {
		e, _, conns := indexed(s)
		return e == 0 && conns == 0
	})
	if c.Len() != 0 {
		t.Fatalf("the cache still holds %d values of the dead connections", c.Len())
	}
	for i := range 10 {
		do(t, plain, "SET", fmt.Sprint("k", i), "after")
	}
	for i := range 10 {
		if v := get(t, cached, fmt.Sprint("k", i)); v != "after" {
			t.Fatalf("k%d after the kill = %q", i, v)
		}
	}
}

// 2 MB of values through a 256 KiB budget: used_memory never passes
// maxmemory, every read returns the right value, the cache evicts, and the
// store indexes only what the cache holds.
func TestSmallBudget(t *testing.T) {
	addr := startRedis(t)
	const budget, n, size = 256 << 10, 512, 4 << 10
	c := newCache(t, budget)
	s, _ := newTestStore(t, c, Options{})
	plain, cached := newClient(t, addr, nil), newClient(t, addr, s)
	for i := range n {
		do(t, plain, "SET", fmt.Sprint("big", i), value(i, size))
	}
	for round := range 2 {
		for i := range n {
			if v := get(t, cached, fmt.Sprint("big", i)); v != value(i, size) {
				t.Fatalf("round %d: big%d read %d bytes, not its value", round, i, len(v))
			}
			if st := c.Stats(); st.UsedMemory > st.MaxMemory {
				t.Fatalf("used_memory %d > maxmemory %d", st.UsedMemory, st.MaxMemory)
			}
		}
	}
	st := c.Stats()
	entries, _, _ := indexed(s)
	if st.EvictedKeys == 0 || int64(entries) != st.Keys {
		t.Fatalf("evicted %d; the store indexes %d entries for %d in the cache", st.EvictedKeys, entries, st.Keys)
	}
}

// value is the i-th test value of size bytes.
func value(i, size int) string {
	p := fmt.Sprintf("%08d", i)
	return strings.Repeat(p, size/len(p))
}

// Many goroutines read and write the same keys through two clients sharing
// one store. Every read returns a value that was written; when the writes
// stop, reads converge on the last value.
func TestConcurrentClients(t *testing.T) {
	addr := startRedis(t)
	s := New(newCache(t, 64<<10))
	plain := newClient(t, addr, nil)
	a, b := newClient(t, addr, s), newClient(t, addr, s)
	const keys, workers, ops = 20, 8, 300
	for k := range keys {
		do(t, plain, "SET", fmt.Sprint("c", k), "0")
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := a
			if w%2 == 1 {
				r = b
			}
			if err := work(r, plain, w, ops, keys); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for k := range keys {
		do(t, plain, "SET", fmt.Sprint("c", k), "final")
	}
	for _, r := range []*redis.Client{a, b} {
		for k := range keys {
			key := fmt.Sprint("c", k)
			until(t, key+" reads final", func() bool { return get(t, r, key) == "final" })
		}
	}
}

// work is one goroutine of TestConcurrentClients: worker 0 writes a key
// every tenth step; every read must return a value some write stored.
func work(r, plain *redis.Client, w, ops, keys int) error {
	ctx := context.Background()
	for i := range ops {
		key := fmt.Sprint("c", (i*7+w)%keys)
		if w == 0 && i%10 == 0 {
			if err := plain.Set(ctx, key, strconv.Itoa(i), 0).Err(); err != nil {
				return err
			}
			continue
		}
		v, err := r.Get(ctx, key).Result()
		if n, aerr := strconv.Atoi(v); err != nil || aerr != nil || n < 0 || n >= ops {
			return fmt.Errorf("%s = %q (%v), never written", key, v, err)
		}
	}
	return nil
}

// Concurrent first reads of one key wait for one fetch.
func TestConcurrentMissesAreOneRead(t *testing.T) {
	addr := startRedis(t)
	plain, cached := newClient(t, addr, nil), newClient(t, addr, New(newCache(t, 1<<20)))
	do(t, plain, "SET", "hot", "v")
	do(t, plain, "CONFIG", "RESETSTAT")
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if v, err := cached.Get(context.Background(), "hot").Result(); v != "v" || err != nil {
				t.Errorf("hot = %q, %v", v, err)
			}
		})
	}
	wg.Wait()
	if n := getCalls(t, plain); n != 1 {
		t.Fatalf("16 concurrent first reads sent %d GETs, want 1", n)
	}
}
