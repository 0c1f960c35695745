package maxmem

import (
	"errors"
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

func TestDoctorOOMTooLarge(t *testing.T) {
	c, _ := newBytesCache(t, 4096, AllKeysLRU, 1)
	c.Set("big", make([]byte, 5000))
	var oom *OOMError
	if err := c.Set("bigger", make([]byte, 6000)); !errors.As(err, &oom) {
		t.Fatalf("Set of an entry larger than maxmemory = %v", err)
	}
	wantFinding(t, c, "oom-too-large", "2 writes were refused because the entry alone was larger than maxmemory",
		"the largest needed "+humanBytes(oom.Need), "raise MaxMemory above")
	if err := c.SetMaxMemory(oom.Need); err != nil {
		t.Fatal(err)
	}
	wantFinding(t, c, "oom-too-large", "2 writes were refused", "MaxMemory now holds the largest", "ResetStats")
}

// The case: refusals under noeviction, then a switch to an
// evicting policy. They are judged as noeviction refusals, not as entries
// too large for allkeys-lru.
func TestDoctorJudgesRefusalsByThePolicyOfTheirTime(t *testing.T) {
	c, _ := newTestCache(t, 2, NoEviction)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	if err := c.Set("c", 3); !errors.Is(err, ErrOOM) {
		t.Fatalf("Set on a full noeviction cache = %v", err)
	}
	if err := c.SetPolicy(AllKeysLRU); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		mustSet(t, c, fmt.Sprint("k", i), i)
	}
	wantFinding(t, c, "oom-noeviction", "1 writes were refused under noeviction", "the policy is now allkeys-lru", "ResetStats")
	if text := c.Doctor(); strings.Contains(text, "larger than maxmemory") || strings.Contains(text, "switch to an evicting policy") {
		t.Fatalf("Doctor judges noeviction's refusal by allkeys-lru:\n%s", text)
	}
}

// The other way round: an entry too large for allkeys-lru, then a switch
// to noeviction, is still an entry too large, not a noeviction refusal.
func TestDoctorTooLargeStaysTooLargeAfterSwitch(t *testing.T) {
	c, _ := newBytesCache(t, 4096, AllKeysLRU, 1)
	c.Set("big", make([]byte, 5000))
	if err := c.SetPolicy(NoEviction); err != nil {
		t.Fatal(err)
	}
	wantFinding(t, c, "oom-too-large", "1 writes were refused because the entry alone was larger than maxmemory")
}

// A volatile-* policy that ran out of keys with a TTL, then a switch to
// allkeys-lru: the refusals are reported under volatile-lru.
func TestDoctorVolatileRefusalsAfterSwitch(t *testing.T) {
	c, _ := newTestCache(t, 2, VolatileLRU)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	c.Set("c", 3)
	c.Set("d", 4)
	if err := c.SetPolicy(AllKeysLRU); err != nil {
		t.Fatal(err)
	}
	wantFinding(t, c, "oom-no-victim", "nothing more it may evict: 2 under volatile-lru", "give more keys a TTL")
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
