package maxmem

import (
	"fmt"
	"runtime"
	"testing"
)

// heapInUse returns the live heap after a full collection.
func heapInUse() int64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// The bytes a cache charges track the heap it really holds: at 100k and
// 200k entries of 16-byte keys and 64-byte values, with and without TTL,
// used_memory is within 10 % of the heap growth. (The keys and values are
// made where the cache is the only one to hold them, as its copies are.)
func TestChargedMatchesHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap at 200k entries")
	}
	for _, n := range []int{100_000, 200_000} {
		for _, ttl := range []bool{false, true} {
			before := heapInUse()
			c, err := New(Options[string, []byte]{})
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				key, val := fmt.Sprintf("key-%012d", i), make([]byte, 64)
				if ttl {
					err = c.SetWithTTL(key, val, 1<<40)
				} else {
					err = c.Set(key, val)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			real := heapInUse() - before
			charged := c.Stats().UsedMemory
			data := int64(n) * (16 + 64) // the key and value bytes
			t.Logf("n=%d ttl=%v: real %.1f B/entry, charged %.1f, overhead beyond key+value: real %.1f charged %.1f",
				n, ttl, float64(real)/float64(n), float64(charged)/float64(n),
				float64(real-data)/float64(n), float64(charged-data)/float64(n))
			if r := float64(charged) / float64(real); r < 0.9 || r > 1.1 {
				t.Errorf("n=%d ttl=%v: charged %d is %.2fx the real heap %d", n, ttl, charged, r, real)
			}
			c.Close()
		}
	}
}
