package maxmem

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// findings returns the ids of what Doctor finds in c now.
func findings[K comparable, V any](c *Cache[K, V]) []string {
	var ids []string
	for _, f := range c.diagnose(c.Stats()) {
		ids = append(ids, f.id)
	}
	return ids
}

// wantFinding checks that Doctor reports exactly the finding id, with the
// given words in its text.
func wantFinding[K comparable, V any](t *testing.T, c *Cache[K, V], id string, words ...string) {
	t.Helper()
	if got := findings(c); !slices.Equal(got, []string{id}) {
		t.Fatalf("findings %v, want [%s]", got, id)
	}
	text := c.Doctor()
	for _, w := range append(words, "Fix: ") {
		if !strings.Contains(text, w) {
			t.Errorf("Doctor lacks %q:\n%s", w, text)
		}
	}
}

func TestDoctorHealthy(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	for i := range 5 {
		mustSet(t, c, fmt.Sprint("k", i), i)
		c.Get(fmt.Sprint("k", i))
	}
	if got := c.Doctor(); !strings.Contains(got, "no problems found") || findings(c) != nil {
		t.Fatalf("healthy cache: %s", got)
	}
}

func TestDoctorOOMUnderNoEviction(t *testing.T) {
	c, _ := newTestCache(t, 2, NoEviction)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	c.Set("c", 3)
	wantFinding(t, c, "oom-noeviction", "1 writes were refused under noeviction", "SetPolicy(AllKeysLRU)")
}

func TestDoctorVolatilePolicyWithoutTTLs(t *testing.T) {
	c, _ := newTestCache(t, 2, VolatileLRU)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	c.Set("c", 3) // the classic: volatile-lru, no key has a TTL, OOM
	wantFinding(t, c, "volatile-without-ttl", "only 0 of 2 keys have one", "1 writes already refused", "allkeys-lru")
}

func TestDoctorOOMUnderEvictingPolicy(t *testing.T) {
	c, _ := newBytesCache(t, 4096, AllKeysLRU, 1)
	c.Set("big", make([]byte, 5000))
	wantFinding(t, c, "oom-evicting", "1 writes were refused although allkeys-lru evicts")
}

func TestDoctorEvictionPressure(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	for i := range 200 {
		mustSet(t, c, fmt.Sprint("k", i), i)
		c.Get(fmt.Sprint("k", i/2)) // mostly misses
	}
	wantFinding(t, c, "eviction-pressure", "190 keys were evicted for 200 writes (95%)", "would take at most")
}

func TestDoctorBigKeys(t *testing.T) {
	c, _ := newBytesCache(t, 0, nil, 4)
	for i := range 20 {
		c.Set(fmt.Sprint("small", i), make([]byte, 10))
	}
	c.Set("blob", make([]byte, 100<<10))
	blob, _ := c.MemoryUsage("blob")
	wantFinding(t, c, "big-keys", "1 of 21 keys hold", fmt.Sprintf("blob (%s)", humanBytes(blob)))
}

func TestDoctorPeakFarAboveCurrent(t *testing.T) {
	c, _ := newBytesCache(t, 0, nil, 4)
	for i := range 20 {
		c.Set(fmt.Sprint("k", i), make([]byte, 100<<10))
	}
	for i := range 18 {
		c.Delete(fmt.Sprint("k", i))
	}
	wantFinding(t, c, "peak", "more than 150%")
}

func TestDoctorHeapFarAboveUsed(t *testing.T) {
	// A Sizer that undercounts: it says 16 KiB for values of 1 MiB.
	c, err := New(Options[int, []byte]{Sizer: func(int, []byte) int64 { return 16 << 10 }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 80 {
		c.Set(i, make([]byte, 1<<20))
	}
	wantFinding(t, c, "heap", "times the", "the Sizer undercounts")
}
