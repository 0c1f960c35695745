package maxmem

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/maxmem/maxmem/internal/arena"
)

func TestGetSetDelete(t *testing.T) {
	c, _ := newTestCache(t, 10, NoEviction)
	if _, ok := c.Get("a"); ok {
		t.Fatal("Get on an empty cache found a value")
	}
	mustSet(t, c, "a", 1)
	mustSet(t, c, "a", 2)
	if v, ok := c.Get("a"); !ok || v != 2 {
		t.Fatalf("Get(a) = %d, %v; want 2, true", v, ok)
	}
	if c.Len() != 1 {
		t.Fatalf("Len = %d, want 1", c.Len())
	}
	if !c.Delete("a") || c.Delete("a") {
		t.Fatal("Delete should report true once, then false")
	}
	st := c.Stats()
	if st.Hits != 1 || st.Misses != 1 || st.Keys != 0 || st.UsedMemory != 0 {
		t.Fatalf("stats after get/set/delete: %+v", st)
	}
}

// Rule 1: every entry is charged Sizer + EntryOverhead; used_memory is the
// sum of MemoryUsage and never above maxmemory.
func TestBudgetAccounting(t *testing.T) {
	c, _ := newTestCache(t, 5, AllKeysLRU)
	for i := range 20 {
		mustSet(t, c, fmt.Sprint("k", i), i)
		checkAccounting(t, c)
	}
	if n, ok := c.MemoryUsage("k19"); !ok || n != unit {
		t.Fatalf("MemoryUsage = %d, %v; want %d", n, ok, unit)
	}
	st := c.Stats()
	if st.Keys != 5 || st.UsedMemory != 5*unit || st.EvictedKeys != 15 {
		t.Fatalf("stats: %+v", st)
	}
	if st.UsedMemoryPeak != 5*unit {
		t.Fatalf("peak %d, want %d", st.UsedMemoryPeak, 5*unit)
	}
}

// The built-in sizer charges what an entry holds. String keys with []byte
// values are copied into the arena: their lengths count, with a header and
// the arena's share, and the caller's spare capacity does not. Other types
// are held as they are: a slice's capacity and its header count.
func TestBuiltinSizerCharges(t *testing.T) {
	packed, err := New(Options[string, []byte]{})
	if err != nil {
		t.Fatal(err)
	}
	defer packed.Close()
	if err := packed.Set("key", make([]byte, 10, 32)); err != nil {
		t.Fatal(err)
	}
	item := int64(arena.ItemBase + 3 + 10) // two one-byte lengths, key, value
	want := item + (item+15)/16 + EntryOverhead[string, []byte]() - arena.ItemBase
	if n, _ := packed.MemoryUsage("key"); n != want {
		t.Fatalf("packed MemoryUsage = %d, want %d", n, want)
	}
	generic, err := New(Options[int, []byte]{})
	if err != nil {
		t.Fatal(err)
	}
	defer generic.Close()
	if err := generic.Set(7, make([]byte, 10, 32)); err != nil {
		t.Fatal(err)
	}
	want = 8 + int64(24+32) + EntryOverhead[int, []byte]()
	if n, _ := generic.MemoryUsage(7); n != want {
		t.Fatalf("generic MemoryUsage = %d, want %d", n, want)
	}
}

// Rule 2: expired entries are reclaimed before the policy evicts anything.
func TestReclaimExpiredFirst(t *testing.T) {
	c, clock := newTestCache(t, 3, AllKeysLRU)
	mustSet(t, c, "old", 1) // least recently used, no TTL
	mustSetTTL(t, c, "short", 2, time.Second)
	mustSet(t, c, "new", 3)
	clock.Advance(2 * time.Second)
	mustSet(t, c, "extra", 4)
	if diff := cmp.Diff([]string{"old", "new", "extra"}, resident(c, "old", "short", "new", "extra")); diff != "" {
		t.Fatalf("resident keys (-want +got):\n%s", diff)
	}
	if st := c.Stats(); st.ExpiredKeys != 1 || st.EvictedKeys != 0 {
		t.Fatalf("expired %d evicted %d, want 1 and 0", st.ExpiredKeys, st.EvictedKeys)
	}
}

// Rule 2: a failed write leaves the key's value and TTL alone and counts.
func TestOOMKeepsPreviousValue(t *testing.T) {
	clock := newFakeClock()
	c, err := New(Options[string, int]{
		MaxMemory: 2 * unit,
		Policy:    NoEviction,
		Sizer: func(k string, v int) int64 {
			if v >= 100 {
				return 2 * unitSize // a bigger value
			}
			return unitSize
		},
		Clock: clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mustSetTTL(t, c, "a", 1, time.Hour)
	mustSet(t, c, "b", 2)
	err = c.Set("a", 100)
	var oom *OOMError
	if !errors.As(err, &oom) || !errors.Is(err, ErrOOM) {
		t.Fatalf("Set over budget: %v, want *OOMError matching ErrOOM", err)
	}
	if err.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
		t.Fatalf("message %q is not Redis's", err.Error())
	}
	if v, _ := c.Get("a"); v != 1 {
		t.Fatalf("value after failed write = %d, want 1", v)
	}
	if ttl := c.TTL("a"); ttl != time.Hour {
		t.Fatalf("TTL after failed write = %v, want 1h", ttl)
	}
	st := c.Stats()
	if st.OOMRejections != 1 || oom.Policy != "noeviction" || oom.Max != 2*unit {
		t.Fatalf("rejections %d, error %+v", st.OOMRejections, oom)
	}
}

// Rule 2: an entry larger than maxmemory fails without evicting anything.
func TestTooLargeEvictsNothing(t *testing.T) {
	c, err := New(Options[string, []byte]{MaxMemory: 1000, Policy: AllKeysLRU})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Set("small", []byte("x")); err != nil {
		t.Fatal(err)
	}
	err = c.Set("big", make([]byte, 2000))
	var oom *OOMError
	if !errors.As(err, &oom) || !oom.TooLarge {
		t.Fatalf("Set of a too large entry: %v", err)
	}
	if _, ok := c.Get("small"); !ok || c.Stats().EvictedKeys != 0 {
		t.Fatal("a too large write evicted other keys")
	}
}

// Rule 5: reads, deletes and TTL changes work on a full cache under
// noeviction, and a delete makes room for the next write.
func TestFullUnderNoEviction(t *testing.T) {
	c, _ := newTestCache(t, 2, NoEviction)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	if err := c.Set("c", 3); !errors.Is(err, ErrOOM) {
		t.Fatalf("Set on a full cache: %v, want ErrOOM", err)
	}
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatal("Get failed on a full cache")
	}
	if !c.Expire("a", time.Hour) || c.TTL("a") != time.Hour {
		t.Fatal("Expire failed on a full cache")
	}
	if !c.Persist("a") || c.TTL("a") != NoExpiry {
		t.Fatal("Persist failed on a full cache")
	}
	if err := c.Set("a", 10); err != nil {
		t.Fatalf("overwrite of the same size on a full cache: %v", err)
	}
	if !c.Delete("b") {
		t.Fatal("Delete failed on a full cache")
	}
	mustSet(t, c, "c", 3)
	checkAccounting(t, c)
}

// Rule 6: bad input returns a clear error and changes nothing.
func TestBadInput(t *testing.T) {
	bad := []Options[string, int]{
		{MaxMemory: -1},
		{Samples: -1},
		{Samples: 65},
		{Shards: 3},
		{Shards: 2048},
		{LFULogFactor: -1},
	}
	for _, o := range bad {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted bad options", o)
		}
	}
	c, _ := newTestCache(t, 4, AllKeysLRU)
	neg, err := New(Options[string, int]{Sizer: func(string, int) int64 { return -1 }})
	if err != nil {
		t.Fatal(err)
	}
	defer neg.Close()
	if err := neg.Set("a", 1); !errors.Is(err, ErrNegativeSize) || neg.Len() != 0 {
		t.Fatalf("negative size: %v, Len %d", err, neg.Len())
	}
	mustSet(t, c, "a", 1)
	if err := c.SetMaxMemory(-5); err == nil || c.Stats().MaxMemory != 4*unit {
		t.Fatalf("SetMaxMemory(-5): %v, max now %d", err, c.Stats().MaxMemory)
	}
	if _, err := ParsePolicy("allkeys-nope"); err == nil {
		t.Error("ParsePolicy accepted an unknown name")
	}
	if _, err := New(Options[string, map[string]int]{}); err == nil {
		t.Error("New accepted a value type the built-in sizer cannot measure")
	}
}

func TestHugeSizeCannotOverflow(t *testing.T) {
	c, err := New(Options[string, int]{Sizer: func(string, int) int64 { return math.MaxInt64 }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var oom *OOMError
	if err := c.Set("a", 1); !errors.As(err, &oom) || !oom.TooLarge || c.Stats().UsedMemory != 0 {
		t.Fatalf("Set of a MaxInt64-byte entry: %v, used %d", err, c.Stats().UsedMemory)
	}
}

func TestUseAfterClose(t *testing.T) {
	c, _ := newTestCache(t, 4, AllKeysLRU)
	mustSet(t, c, "a", 1)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
	if err := c.Set("b", 2); !errors.Is(err, ErrClosed) {
		t.Fatalf("Set after Close: %v", err)
	}
	if err := c.SetWithTTL("b", 2, time.Second); !errors.Is(err, ErrClosed) {
		t.Fatalf("SetWithTTL after Close: %v", err)
	}
	if _, ok := c.Get("a"); ok || c.Delete("a") || c.TTL("a") != Missing || c.Len() != 0 {
		t.Fatal("reads after Close still see data")
	}
	if c.SetMaxMemory(10) == nil || c.SetPolicy(AllKeysLFU) == nil {
		t.Fatal("configuration after Close did not fail")
	}
	if c.Stats().UsedMemory != 0 {
		t.Fatal("Close kept memory charged")
	}
}

func TestParseMemory(t *testing.T) {
	good := map[string]int64{
		"100": 100, "0": 0, "1b": 1, "1k": 1000, "1kb": 1024, "1K": 1000, "2KB": 2048,
		"1m": 1000000, "1mb": 1 << 20, "3g": 3000000000, "1gb": 1 << 30, "1Gb": 1 << 30,
	}
	for s, want := range good {
		if got, err := ParseMemory(s); err != nil || got != want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "k", "-1", "+1", "1.5mb", "1tb", "1 mb", " 1", "99999999999999999999", "9223372036854775807gb"} {
		if _, err := ParseMemory(s); !errors.Is(err, ErrMemoryFormat) {
			t.Errorf("ParseMemory(%q) = %v, want ErrMemoryFormat", s, err)
		}
	}
}

func TestParsePolicyNames(t *testing.T) {
	names := []string{"noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu",
		"allkeys-random", "volatile-random", "volatile-ttl", "allkeys-lrm", "volatile-lrm"}
	for _, n := range names {
		for _, spelled := range []string{n, upper(n)} {
			p, err := ParsePolicy(spelled)
			if err != nil || p.Name() != n {
				t.Errorf("ParsePolicy(%q) = %v, %v", spelled, p, err)
			}
		}
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if 'a' <= ch && ch <= 'z' {
			b[i] = ch - 'a' + 'A'
		}
	}
	return string(b)
}

// Rule 7: lowering maxmemory evicts at once under an evicting policy, and
// leaves the data under noeviction with writes failing until there is room.
func TestSetMaxMemory(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	for i := range 10 {
		mustSet(t, c, fmt.Sprint(i), i)
	}
	if err := c.SetMaxMemory(4 * unit); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Keys != 4 || st.UsedMemory > 4*unit {
		t.Fatalf("after shrinking: %+v", st)
	}
	if diff := cmp.Diff([]string{"6", "7", "8", "9"}, resident(c, "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")); diff != "" {
		t.Fatalf("shrink did not evict the least recently used (-want +got):\n%s", diff)
	}

	n, _ := newTestCache(t, 10, NoEviction)
	for i := range 10 {
		mustSet(t, n, fmt.Sprint(i), i)
	}
	if err := n.SetMaxMemory(4 * unit); err != nil {
		t.Fatal(err)
	}
	if n.Len() != 10 {
		t.Fatalf("noeviction dropped data on shrink: %d keys", n.Len())
	}
	if err := n.Set("new", 1); !errors.Is(err, ErrOOM) {
		t.Fatalf("write above the new limit: %v", err)
	}
	for i := range 7 {
		n.Delete(fmt.Sprint(i))
	}
	mustSet(t, n, "new", 1)
	if err := n.SetPolicy(AllKeysLRU); err != nil {
		t.Fatal(err)
	}
	if n.Stats().Policy != "allkeys-lru" {
		t.Fatal("SetPolicy did not take")
	}
}

func TestUnlimited(t *testing.T) {
	c, err := New(Options[int, int]{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 1000 {
		if err := c.Set(i, i); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.Stats(); st.Keys != 1000 || st.UsedMemory != 1000*(16+EntryOverhead[int, int]()) {
		t.Fatalf("unlimited cache: %+v", st)
	}
}

func TestClearAndOnEvict(t *testing.T) {
	got := map[Reason]int{}
	clock := newFakeClock()
	c, err := New(Options[string, int]{
		MaxMemory: 2 * unit, Policy: AllKeysLRU, Clock: clock,
		Sizer:   func(string, int) int64 { return unitSize },
		OnEvict: func(k string, v int, r Reason) { got[r]++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mustSet(t, c, "a", 1)
	mustSet(t, c, "a", 2) // replaced
	mustSet(t, c, "b", 1)
	mustSet(t, c, "c", 1) // evicts a
	c.Delete("b")         // deleted
	mustSetTTL(t, c, "d", 1, time.Second)
	clock.Advance(time.Second)
	c.Get("d") // expired
	mustSet(t, c, "e", 1)
	c.Clear() // c and e cleared
	want := map[Reason]int{Replaced: 1, Evicted: 1, Deleted: 1, Expired: 1, Cleared: 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("OnEvict reasons (-want +got):\n%s", diff)
	}
	if st := c.Stats(); st.Keys != 0 || st.UsedMemory != 0 {
		t.Fatalf("after Clear: %+v", st)
	}
	if Evicted.String() != "evicted" || Reason(0).String() != "Reason(0)" {
		t.Fatal("Reason names")
	}
}

func TestAllSkipsExpiredAndDoesNotTouch(t *testing.T) {
	c, clock := newTestCache(t, 3, AllKeysLRU)
	mustSet(t, c, "a", 1)
	mustSetTTL(t, c, "gone", 2, time.Second)
	mustSet(t, c, "b", 3)
	clock.Advance(time.Second)
	got := map[string]int{}
	for k, v := range c.All() {
		got[k] = v
	}
	if diff := cmp.Diff(map[string]int{"a": 1, "b": 3}, got); diff != "" {
		t.Fatalf("All (-want +got):\n%s", diff)
	}
	mustSet(t, c, "c", 4)
	mustSet(t, c, "d", 5) // must evict a: All did not refresh it
	if _, ok := c.MemoryUsage("a"); ok {
		t.Fatal("All counted as an access")
	}
}
