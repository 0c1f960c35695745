package maxmem_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/maxmem/maxmem"
)

func ExampleNew() {
	c, err := maxmem.New(maxmem.Options[string, []byte]{
		MaxMemory: 1 << 20, // 1 MiB, keys, values and overhead included
		Policy:    maxmem.AllKeysLRU,
	})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	c.Set("greeting", []byte("hello"))
	v, ok := c.Get("greeting")
	fmt.Println(string(v), ok)
	// Output: hello true
}

func ExampleCache_SetWithTTL() {
	c, _ := maxmem.New(maxmem.Options[string, string]{})
	defer c.Close()
	if err := c.SetWithTTL("session", "alice", 30*time.Minute); err != nil {
		panic(err)
	}
	fmt.Println(c.TTL("session") > 29*time.Minute)
	fmt.Println(errors.Is(c.SetWithTTL("session", "bob", 0), maxmem.ErrInvalidTTL))
	// Output:
	// true
	// true
}

func ExampleCache_TTL() {
	c, _ := maxmem.New(maxmem.Options[string, string]{})
	defer c.Close()
	c.Set("plain", "v")
	fmt.Println(c.TTL("plain") == maxmem.NoExpiry, c.TTL("absent") == maxmem.Missing)
	// Output: true true
}

func ExampleCache_Expire() {
	c, _ := maxmem.New(maxmem.Options[string, string]{})
	defer c.Close()
	c.Set("k", "v")
	fmt.Println(c.Expire("k", time.Hour), c.TTL("k").Round(time.Second))
	fmt.Println(c.Persist("k"), c.TTL("k") == maxmem.NoExpiry)
	fmt.Println(c.Expire("k", 0), c.TTL("k") == maxmem.Missing) // as in Redis, a non-positive TTL deletes
	// Output:
	// true 1h0m0s
	// true true
	// true true
}

func ExampleCache_Set_errOOM() {
	c, _ := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 500, Policy: maxmem.NoEviction})
	defer c.Close()
	var err error
	for i := 0; err == nil && i < 100; i++ { // 500 bytes hold 3 such entries
		err = c.Set(fmt.Sprint("key", i), make([]byte, 100))
	}
	var oom *maxmem.OOMError
	if errors.As(err, &oom) {
		fmt.Println(err)
		fmt.Println(oom.Hint())
	}
	// Output:
	// OOM command not allowed when used memory > 'maxmemory'.
	// noeviction never evicts: switch to an evicting policy (allkeys-lru for a cache), raise MaxMemory, or delete keys; writers that can wait may use SetWait
}

// largest evicts the biggest of a few sampled entries: a policy written
// outside the package, for caches whose values vary widely in size.
type largest struct{}

func (largest) Name() string { return "allkeys-largest" }

func (largest) Victim(s maxmem.Shard) (maxmem.Candidate, bool) {
	var best maxmem.Candidate
	found := false
	for range s.Samples() {
		e, ok := s.Random(false)
		if ok && (!found || e.Size > best.Entry.Size) {
			best, found = maxmem.Candidate{Entry: e, Score: uint64(e.Size)}, true
		}
	}
	return best, found
}

func ExamplePolicy() {
	c, _ := maxmem.New(maxmem.Options[string, []byte]{
		MaxMemory: 3500,
		Policy:    largest{},
		Samples:   64, // look at every entry of this small cache
		Shards:    1,
	})
	defer c.Close()
	c.Set("big", make([]byte, 2000))
	c.Set("small", make([]byte, 100))
	c.Set("medium", make([]byte, 1500)) // does not fit: "big" goes
	_, big := c.Get("big")
	_, small := c.Get("small")
	fmt.Println(big, small, c.Stats().Policy)
	// Output: false true allkeys-largest
}

func ExampleStats_String() {
	c, _ := maxmem.New(maxmem.Options[string, string]{MaxMemory: 1 << 20, Policy: maxmem.AllKeysLFU})
	defer c.Close()
	c.Set("a", "1")
	c.Get("a")
	c.Get("b")
	st := c.Stats()
	fmt.Println(st.Keys, st.Hits, st.Misses, st.Policy)
	// Output: 1 1 1 allkeys-lfu
}

func ExampleParseMemory() {
	for _, s := range []string{"100mb", "1gb", "64k"} {
		n, _ := maxmem.ParseMemory(s)
		fmt.Println(s, n)
	}
	_, err := maxmem.ParseMemory("12 parsecs")
	fmt.Println(err != nil)
	// Output:
	// 100mb 104857600
	// 1gb 1073741824
	// 64k 64000
	// true
}

func ExampleParsePolicy() {
	p, _ := maxmem.ParsePolicy("VOLATILE-LRU")
	fmt.Println(p.Name())
	// Output: volatile-lru
}

func ExampleCache_Persist() {
	c, _ := maxmem.New(maxmem.Options[string, string]{})
	defer c.Close()
	c.SetWithTTL("k", "v", time.Minute)
	fmt.Println(c.Persist("k"), c.TTL("k") == maxmem.NoExpiry)
	fmt.Println(c.Persist("k")) // no TTL left to remove, as Redis answers 0
	// Output:
	// true true
	// false
}

// A scan of one-off keys, ten times the cache, passes through
// allkeys-tinylfu without pushing out the keys that are read again and again.
func Example_tinyLFUScanResistance() {
	for _, p := range []maxmem.Policy{maxmem.AllKeysLRU, maxmem.AllKeysTinyLFU} {
		c, _ := maxmem.New(maxmem.Options[int, int]{
			MaxMemory: 500 * 100,
			Policy:    p,
			Sizer:     func(int, int) int64 { return 100 - maxmem.EntryOverhead[int, int]() },
			Seed:      1,
		})
		read := func(k int) bool {
			if _, ok := c.Get(k); ok {
				return true
			}
			c.Set(k, k)
			return false
		}
		for range 20 { // a working set of 100 keys, read often
			for k := range 100 {
				read(k)
			}
		}
		for k := 1000; k < 6000; k++ { // a scan
			read(k)
		}
		kept := 0
		for k := range 100 {
			if read(k) {
				kept++
			}
		}
		fmt.Printf("%s kept most hot keys: %v\n", p.Name(), kept >= 90)
		c.Close()
	}
	// Output:
	// allkeys-lru kept most hot keys: false
	// allkeys-tinylfu kept most hot keys: true
}

// A Sizer of one's own can start from the built-in one: here each entry is
// also charged 100 bytes the application keeps beside it, so MaxMemory
// bounds both.
func ExampleBuiltinSizer() {
	base, err := maxmem.BuiltinSizer[string, []byte]()
	if err != nil {
		panic(err)
	}
	cache, err := maxmem.New(maxmem.Options[string, []byte]{
		MaxMemory: 1 << 20,
		Policy:    maxmem.AllKeysLRU,
		Sizer:     func(k string, v []byte) int64 { return base(k, v) + 100 },
	})
	if err != nil {
		panic(err)
	}
	defer cache.Close()
	cache.Set("key", []byte("value"))
	withExtra, _ := cache.MemoryUsage("key")
	fmt.Println(withExtra - base("key", []byte("value")) - maxmem.EntryOverhead[string, []byte]())
	// Output: 100
}
