package peers

import (
	"fmt"
	"testing"
	"time"
)

// TestAdapters checks that every adapter, with and without TTL, finds each
// of 100 keys it was just given, with its value, misses an absent key,
// reports the entries it holds, and forgets a key it is told to delete.
func TestAdapters(t *testing.T) {
	for _, f := range All() {
		for _, ttl := range []time.Duration{0, time.Hour} {
			if ttl > 0 && !f.TTL {
				continue
			}
			t.Run(f.Name+"/ttl="+ttl.String(), func(t *testing.T) { checkSetThenGet(t, f, ttl) })
		}
	}
}

func checkSetThenGet(t *testing.T, f Factory, ttl time.Duration) {
	c := f.New(Config{Capacity: 1000, Bytes: 1 << 20, EntryBytes: 20, TTL: ttl})
	defer c.Close()
	for i := range 100 {
		k, v := fmt.Sprint("key", i), []byte(fmt.Sprint("value", i))
		if ttl > 0 {
			c.SetTTL(k, v, ttl)
		} else {
			c.Set(k, v)
		}
	}
	if n := c.Len(); n != 100 { // Len applies buffered writes first
		t.Errorf("Len = %d after 100 writes into room for 1000, want 100", n)
	}
	for i := range 100 {
		k, want := fmt.Sprint("key", i), fmt.Sprint("value", i)
		if v, ok := c.Get(k); !ok || string(v) != want {
			t.Fatalf("Get(%s) = %q, %v after Set, want %q, true", k, v, ok, want)
		}
	}
	if _, ok := c.Get("absent"); ok {
		t.Error("Get(absent) hit")
	}
	checkDelete(t, c, "key0")
}

// checkDelete deletes a stored key of c, which holds 100 entries, and
// checks that Get misses it and Len counts one entry fewer.
func checkDelete(t *testing.T, c Cache, k string) {
	t.Helper()
	c.Delete(k)
	if v, ok := c.Get(k); ok {
		t.Errorf("Get(%s) = %q after Delete, want a miss", k, v)
	}
	if n := c.Len(); n != 99 {
		t.Errorf("Len = %d after deleting one of 100 entries, want 99", n)
	}
}

// TestAdaptersRespectCapacity writes twice as many distinct entries as an
// adapter was built for: it must hold, and find, between half and twice
// its capacity. (The caches sized in bytes round up: bigcache to whole
// MiB, and both by the adapters' headroom, so exactly is not the rule.)
func TestAdaptersRespectCapacity(t *testing.T) {
	const capacity = 50_000
	keys := make([]string, 2*capacity)
	values := make([][]byte, len(keys))
	for i := range keys {
		keys[i], values[i] = fmt.Sprintf("key%07d", i), fmt.Appendf(nil, "value%07d", i)
	}
	budget := MaxmemBudget(keys[:capacity], values[:capacity])
	for _, f := range All() {
		t.Run(f.Name, func(t *testing.T) {
			c := f.New(Config{Capacity: capacity, Bytes: budget, EntryBytes: len(keys[0]) + len(values[0])})
			defer c.Close()
			for i, k := range keys {
				c.Set(k, values[i])
			}
			n, found := c.Len(), 0
			for _, k := range keys {
				if _, ok := c.Get(k); ok {
					found++
				}
			}
			if n < capacity/2 || n > 2*capacity || found < capacity/2 || found > 2*capacity {
				t.Errorf("built for %d entries, given %d: holds %d, finds %d", capacity, len(keys), n, found)
			}
		})
	}
}
