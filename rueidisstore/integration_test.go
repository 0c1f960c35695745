package rueidisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"
)

func TestSecondReadIsLocal(t *testing.T) {
	addr := startRedis(t)
	c := newCache(t, 1<<20)
	plain, cached := newClient(t, addr, nil, nil), newClient(t, addr, c, nil)
	do(t, plain, "SET", "k", "v")
	if v, local := get(t, cached, "k"); v != "v" || local {
		t.Fatalf("first read = %q (local %v), want v from Redis", v, local)
	}
	if v, local := get(t, cached, "k"); v != "v" || !local {
		t.Fatalf("second read = %q (local %v), want v from the cache", v, local)
	}
	if st := c.Stats(); st.Keys != 1 || st.Hits == 0 {
		t.Fatalf("cache INFO keys=%d hits=%d, want the entry and a hit", st.Keys, st.Hits)
	}
	if v, local := get(t, cached, "missing"); v != "" || local {
		t.Fatalf("first read of a missing key = %q (local %v)", v, local)
	}
	if _, local := get(t, cached, "missing"); !local {
		t.Fatal("a missing key's nil reply was not cached")
	}
}

// Another client's write invalidates: once the store has applied Redis's
// invalidation, the next read goes to Redis and sees the write.
func TestOtherClientsWritesInvalidate(t *testing.T) {
	addr := startRedis(t)
	plain := newClient(t, addr, nil, nil)
	for _, tc := range []struct {
		name  string
		write []string
		want  string // the value read after the write
		key   string // the key the invalidation names; "" for a flush
	}{
		{"SET", []string{"SET", "k", "new"}, "new", "k"},
		{"DEL", []string{"DEL", "k"}, "", "k"},
		{"EXPIRE", []string{"EXPIRE", "k", "0"}, "", "k"},
		{"FLUSHALL", []string{"FLUSHALL"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			onInval, ch := invalidations()
			cached := newClient(t, addr, newCache(t, 1<<20), onInval)
			do(t, plain, "SET", "k", "old")
			get(t, cached, "k")
			if v, local := get(t, cached, "k"); v != "old" || !local {
				t.Fatalf("read before the write = %q (local %v)", v, local)
			}
			do(t, plain, tc.write...)
			await(t, ch, tc.key)
			if v, local := get(t, cached, "k"); v != tc.want || local {
				t.Fatalf("read after %v = %q (local %v), want %q from Redis", tc.write, v, local, tc.want)
			}
		})
	}
}

// EXPIRE with a future time also invalidates, and the next read caches the
// value with the new deadline.
func TestExpireShortensTheLocalCopy(t *testing.T) {
	addr := startRedis(t)
	plain := newClient(t, addr, nil, nil)
	onInval, ch := invalidations()
	cached := newClient(t, addr, newCache(t, 1<<20), onInval)
	do(t, plain, "SET", "k", "v")
	get(t, cached, "k")
	do(t, plain, "PEXPIRE", "k", "60000")
	await(t, ch, "k")
	res := cached.DoCache(context.Background(), cached.B().Get().Key("k").Cache(), time.Hour)
	deadline, _ := do(t, plain, "PEXPIRETIME", "k").AsInt64()
	if pxat := res.CachePXAT(); pxat <= 0 || pxat > deadline {
		t.Fatalf("local copy expires at %d, want by the server's deadline %d", pxat, deadline)
	}
}

// A key with a server TTL is not served locally past the server's deadline:
// the local copy's expiry is no later than PEXPIRETIME, and the reads that
// follow stop being local hits before the key is gone.
func TestServerTTLBoundsTheLocalCopy(t *testing.T) {
	addr := startRedis(t)
	plain, cached := newClient(t, addr, nil, nil), newClient(t, addr, newCache(t, 1<<20), nil)
	do(t, plain, "SET", "k", "v", "PX", "300")
	deadline, err := do(t, plain, "PEXPIRETIME", "k").AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	res := cached.DoCache(context.Background(), cached.B().Get().Key("k").Cache(), time.Hour)
	if pxat := res.CachePXAT(); pxat > deadline || pxat <= 0 {
		t.Fatalf("local copy expires at %d, after the server's deadline %d", pxat, deadline)
	}
	for i := 0; ; i++ {
		before := time.Now().UnixMilli()
		v, local := get(t, cached, "k")
		if local && before >= deadline {
			t.Fatalf("served %q locally at %d, after the server's deadline %d", v, before, deadline)
		}
		if !local && v == "" {
			return
		}
		if i == 1000 {
			t.Fatal("the key was still read after 1000 polls")
		}
		time.Sleep(time.Millisecond) // waiting for the TTL to run out
	}
}

// CLIENT KILL of the cached connection: once rueidis has closed its store,
// nothing read on that connection is served, and the walk frees its entries.
func TestClientKillLeavesNothingServed(t *testing.T) {
	addr := startRedis(t)
	c := newCache(t, 1<<20)
	plain := newClient(t, addr, nil, nil)
	onInval, ch := invalidations()
	cached := newClient(t, addr, c, onInval)
	for i := range 10 {
		do(t, plain, "SET", "k"+strconv.Itoa(i), "before")
		get(t, cached, "k"+strconv.Itoa(i))
	}
	do(t, plain, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
	await(t, ch, "") // rueidis reports the lost connection after closing its store
	for i := range 10 {
		do(t, plain, "SET", "k"+strconv.Itoa(i), "after") // no invalidation reaches the dead connection
	}
	for i := range 10 {
		if v, local := get(t, cached, "k"+strconv.Itoa(i)); v != "after" || local {
			t.Fatalf("k%d after the kill = %q (local %v), want after from Redis", i, v, local)
		}
	}
	for range 500 { // the walk deletes the dead connection's 10 entries
		if c.Len() == 10 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	if c.Len() != 10 {
		t.Fatalf("cache holds %d entries, want the new connection's 10", c.Len())
	}
}

// 2 MB of values through a 256 KiB budget: used_memory never passes
// maxmemory, every read returns the right value, and the cache evicts.
func TestSmallBudget(t *testing.T) {
	addr := startRedis(t)
	const budget, n, size = 256 << 10, 512, 4 << 10 // 512 × 4 KiB = 2 MiB
	c := newCache(t, budget)
	plain, cached := newClient(t, addr, nil, nil), newClient(t, addr, c, nil)
	for i := range n {
		do(t, plain, "SET", fmt.Sprint("big", i), value(i, size))
	}
	for round := range 2 {
		for i := range n {
			if v, _ := get(t, cached, fmt.Sprint("big", i)); v != value(i, size) {
				t.Fatalf("round %d: big%d read %d bytes, not its value", round, i, len(v))
			}
			if st := c.Stats(); st.UsedMemory > st.MaxMemory {
				t.Fatalf("used_memory %d > maxmemory %d", st.UsedMemory, st.MaxMemory)
			}
		}
	}
	if st := c.Stats(); st.EvictedKeys == 0 {
		t.Fatal("2 MiB through 256 KiB evicted nothing")
	}
}

// value is the i-th test value of size bytes.
func value(i, size int) string {
	p := fmt.Sprintf("%08d", i)
	return strings.Repeat(p, size/len(p))
}

// Many goroutines read and write the same keys through two cached clients
// sharing one cache. Every read returns a value that was written; when the
// writes stop, reads converge on the last value.
func TestConcurrentClients(t *testing.T) {
	addr := startRedis(t)
	c := newCache(t, 64<<10)
	plain := newClient(t, addr, nil, nil)
	// Two connections each (rueidis's PipelineMultiplex), so four stores.
	opt := rueidis.ClientOption{InitAddress: []string{addr}, PipelineMultiplex: 1}
	a, b := newClientOpt(t, c, opt), newClientOpt(t, c, opt)
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
	for _, r := range []rueidis.Client{a, b} {
		for k := range keys {
			converge(t, r, fmt.Sprint("c", k), "final")
		}
	}
}

// work is one goroutine of TestConcurrentClients: worker 0 writes a key
// every tenth step; every read must return a value some write stored.
func work(r, plain rueidis.Client, w, ops, keys int) error {
	ctx := context.Background()
	for i := range ops {
		key := fmt.Sprint("c", (i*7+w)%keys)
		if w == 0 && i%10 == 0 {
			if err := plain.Do(ctx, plain.B().Set().Key(key).Value(strconv.Itoa(i)).Build()).Error(); err != nil {
				return err
			}
			continue
		}
		v, err := r.DoCache(ctx, r.B().Get().Key(key).Cache(), time.Minute).ToString()
		if n, aerr := strconv.Atoi(v); err != nil || aerr != nil || n < 0 || n >= ops {
			return fmt.Errorf("%s = %q (%v), never written", key, v, err)
		}
	}
	return nil
}

// converge polls key until it reads want, failing after 5 s.
func converge(t testing.TB, r rueidis.Client, key, want string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		if v, _ := get(t, r, key); v == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not read %q within 5 s", key, want)
		}
		time.Sleep(time.Millisecond) // waiting for the invalidation
	}
}

// Concurrent first reads of one key are one round trip: the others wait
// for its reply (single flight).
func TestConcurrentMissesAreOneRead(t *testing.T) {
	addr := startRedis(t)
	plain, cached := newClient(t, addr, nil, nil), newClient(t, addr, newCache(t, 1<<20), nil)
	do(t, plain, "SET", "hot", "v")
	do(t, plain, "CONFIG", "RESETSTAT")
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if v, _ := get(t, cached, "hot"); v != "v" {
				t.Errorf("hot = %q", v)
			}
		})
	}
	wg.Wait()
	stats, _ := do(t, plain, "INFO", "commandstats").ToString()
	if !strings.Contains(stats, "cmdstat_get:calls=1,") {
		t.Fatalf("16 concurrent first reads sent more than one GET:\n%s", stats)
	}
}

// MGET through the cache is cached per key, and DoMultiCache uses Flight
// for each command.
func TestMultiKeyReads(t *testing.T) {
	addr := startRedis(t)
	plain, cached := newClient(t, addr, nil, nil), newClient(t, addr, newCache(t, 1<<20), nil)
	do(t, plain, "MSET", "a", "1", "b", "2", "c", "3", "d", "4")
	ctx := context.Background()
	for round := range 2 {
		res := cached.DoCache(ctx, cached.B().Mget().Key("a", "b").Cache(), time.Minute)
		vs, err := res.AsStrSlice()
		if err != nil || strings.Join(vs, ",") != "1,2" || res.IsCacheHit() != (round == 1) {
			t.Fatalf("round %d: MGET = %v, %v (hit %v)", round, vs, err, res.IsCacheHit())
		}
		multi := cached.DoMultiCache(ctx,
			rueidis.CT(cached.B().Get().Key("c").Cache(), time.Minute),
			rueidis.CT(cached.B().Get().Key("d").Cache(), time.Minute))
		for i, want := range []string{"3", "4"} {
			if v, err := multi[i].ToString(); err != nil || v != want || multi[i].IsCacheHit() != (round == 1) {
				t.Fatalf("round %d: DoMultiCache[%d] = %q, %v (hit %v)", round, i, v, err, multi[i].IsCacheHit())
			}
		}
	}
}
