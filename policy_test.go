package maxmem

import (
	"container/list"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNoEvictionNeverEvicts(t *testing.T) {
	c, _ := newTestCache(t, 3, NoEviction)
	for i := range 10 {
		err := c.Set(fmt.Sprint(i), i)
		if (i < 3) != (err == nil) {
			t.Fatalf("Set #%d: %v", i, err)
		}
	}
	if st := c.Stats(); st.EvictedKeys != 0 || st.OOMRejections != 7 {
		t.Fatalf("stats: %+v", st)
	}
}

// refLRU is an exact LRU of fixed capacity: the reference for allkeys-lru.
type refLRU struct {
	cap   int
	order *list.List
	elems map[string]*list.Element
}

func (r *refLRU) access(k string) {
	if e, ok := r.elems[k]; ok {
		r.order.MoveToFront(e)
		return
	}
	if r.order.Len() == r.cap {
		delete(r.elems, r.order.Remove(r.order.Back()).(string))
	}
	r.elems[k] = r.order.PushFront(k)
}

// allkeys-lru is exact, across shards: the resident set matches an exact
// LRU after every operation of a random workload.
func TestAllKeysLRUIsExact(t *testing.T) {
	c, _ := newTestCache(t, 50, AllKeysLRU)
	ref := &refLRU{cap: 50, order: list.New(), elems: map[string]*list.Element{}}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 5000 {
		k := fmt.Sprint(r.IntN(120))
		if _, ok := c.Get(k); !ok {
			mustSet(t, c, k, i)
		}
		ref.access(k)
		if c.Len() != ref.order.Len() {
			t.Fatalf("op %d: %d keys, reference %d", i, c.Len(), ref.order.Len())
		}
	}
	var got, want []string
	for k := range c.All() {
		got = append(got, k)
	}
	for k := range ref.elems {
		want = append(want, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("resident keys differ from exact LRU (-want +got):\n%s", diff)
	}
}

// Reads count as access; TTL, MemoryUsage and All do not.
func TestWhatCountsAsAccess(t *testing.T) {
	c, _ := newTestCache(t, 3, AllKeysLRU)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	mustSet(t, c, "c", 3)
	c.TTL("a")
	c.MemoryUsage("a")
	for range c.All() {
	}
	c.Get("b")
	mustSet(t, c, "d", 4) // evicts a: only b was accessed
	mustSet(t, c, "e", 5) // evicts c
	if diff := cmp.Diff([]string{"b", "d", "e"}, resident(c, "a", "b", "c", "d", "e")); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// volatile-* evict only keys with a TTL and fail with ErrOOM when none is left.
func TestVolatilePoliciesSpareKeysWithoutTTL(t *testing.T) {
	for _, p := range []Policy{VolatileLRU, VolatileLFU, VolatileRandom, VolatileTTL, VolatileLRM} {
		t.Run(p.Name(), func(t *testing.T) {
			c, _ := newTestCache(t, 4, p)
			mustSet(t, c, "p1", 1)
			mustSet(t, c, "p2", 2)
			mustSetTTL(t, c, "v1", 3, time.Hour)
			mustSetTTL(t, c, "v2", 4, time.Hour)
			mustSet(t, c, "n1", 5)
			mustSet(t, c, "n2", 6)
			if err := c.Set("n3", 7); !errors.Is(err, ErrOOM) {
				t.Fatalf("Set with no volatile key left: %v, want ErrOOM", err)
			}
			if diff := cmp.Diff([]string{"p1", "p2", "n1", "n2"}, resident(c, "p1", "p2", "v1", "v2", "n1", "n2")); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		})
	}
}

// allkeys-* policies may evict keys with and without TTL.
func TestAllKeysPoliciesEvictAnyKey(t *testing.T) {
	for _, p := range []Policy{AllKeysLRU, AllKeysLFU, AllKeysRandom, AllKeysLRM} {
		t.Run(p.Name(), func(t *testing.T) {
			c, _ := newTestCache(t, 4, p)
			for i := range 100 {
				mustSet(t, c, fmt.Sprint(i), i)
			}
			if st := c.Stats(); st.Keys != 4 || st.EvictedKeys != 96 {
				t.Fatalf("stats: %+v", st)
			}
		})
	}
}

func TestVolatileTTLEvictsSoonestDeadline(t *testing.T) {
	c, _ := newTestCache(t, 3, VolatileTTL)
	mustSetTTL(t, c, "late", 1, 3*time.Hour)
	mustSetTTL(t, c, "soon", 2, time.Hour)
	mustSetTTL(t, c, "mid", 3, 2*time.Hour)
	mustSetTTL(t, c, "new", 4, 4*time.Hour)
	if diff := cmp.Diff([]string{"late", "mid", "new"}, resident(c, "late", "soon", "mid", "new")); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// LRM: writes and TTL changes refresh a key, reads do not.
func TestLRMIgnoresReads(t *testing.T) {
	c, _ := newTestCache(t, 3, AllKeysLRM)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	mustSet(t, c, "c", 3)
	c.Get("a")               // a read: a stays least recently modified
	c.Expire("b", time.Hour) // a TTL change refreshes b
	mustSet(t, c, "d", 4)    // evicts a
	mustSet(t, c, "e", 5)    // evicts c
	if diff := cmp.Diff([]string{"b", "d", "e"}, resident(c, "a", "b", "c", "d", "e")); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// allkeys-lfu keeps the frequently used keys under a stream of new ones.
func TestLFUKeepsHotKeys(t *testing.T) {
	c, _ := newTestCache(t, 100, AllKeysLFU)
	for i := range 20 {
		k := fmt.Sprint("hot", i)
		mustSet(t, c, k, i)
		for range 50 {
			c.Get(k)
		}
	}
	for i := range 1000 {
		mustSet(t, c, fmt.Sprint("cold", i), i)
	}
	kept := 0
	for i := range 20 {
		if _, ok := c.MemoryUsage(fmt.Sprint("hot", i)); ok {
			kept++
		}
	}
	if kept < 19 {
		t.Fatalf("LFU kept %d of 20 hot keys", kept)
	}
}

// LFU counters decay by one per lfu-decay-time without access.
func TestLFUDecay(t *testing.T) {
	c, clock := newTestCache(t, 10, AllKeysLFU)
	mustSet(t, c, "k", 1)
	for range 10 {
		c.Get("k") // below LFU_INIT_VAL+... the counter grows quickly at first
	}
	s, _ := c.shardOf("k")
	freq := func() uint8 {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.now = c.now()
		e, _ := s.LeastRecent(false)
		return e.Frequency
	}
	before := freq()
	clock.Advance(3 * time.Minute)
	if after := freq(); after != before-3 {
		t.Fatalf("counter %d after 3 idle minutes, want %d", after, before-3)
	}
}

// allkeys-random evicts uniformly: over many evictions every key of the
// cache is about equally likely to go, across shards.
func TestRandomIsUniform(t *testing.T) {
	const n, trials = 40, 4000
	counts := make([]int, n)
	c, _ := newTestCache(t, n, AllKeysRandom)
	for i := range n {
		mustSet(t, c, fmt.Sprint(i), i)
	}
	for range trials {
		mustSet(t, c, "x", 0) // evicts one of the n keys, or none if x itself goes
		c.Delete("x")
		for i := range n {
			if _, ok := c.MemoryUsage(fmt.Sprint(i)); !ok {
				counts[i]++
				mustSet(t, c, fmt.Sprint(i), i) // put it back into the room x left
			}
		}
	}
	// Expected trials/n = 100 per key; allow wide bounds for a fixed seed.
	for i, got := range counts {
		if got < 50 || got > 170 {
			t.Fatalf("key %d evicted %d times of %d, want about %d: counts %v", i, got, trials, trials/n, counts)
		}
	}
}

// panicky is a custom policy that panics when asked.
type panicky struct{}

func (panicky) Name() string                   { return "allkeys-panicky" }
func (panicky) Victim(Shard) (Candidate, bool) { panic("policy bug") }

// A policy or an OnEvict callback that panics reaches the writer, but
// leaves no lock held and no bytes charged for nothing.
func TestPanicsLeaveTheCacheConsistent(t *testing.T) {
	mustPanic := func(f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		f()
	}
	c, _ := newTestCache(t, 2, panicky{})
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	mustPanic(func() { c.Set("c", 3) })
	c.SetPolicy(AllKeysLRU)
	mustSet(t, c, "c", 3) // no shard lock was left held
	checkAccounting(t, c)

	boom := true
	d, err := New(Options[string, int]{
		MaxMemory: 2 * unit, Policy: AllKeysLRU,
		Sizer: func(string, int) int64 { return unitSize },
		OnEvict: func(string, int, Reason) {
			if boom {
				panic("callback bug")
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Set("a", 1)
	d.Set("b", 2)
	mustPanic(func() { d.Set("c", 3) }) // a was evicted, then the callback panicked
	if st := d.Stats(); st.UsedMemory != st.Keys*unit {
		t.Fatalf("used_memory %d for %d keys: the evicted bytes leaked", st.UsedMemory, st.Keys)
	}
	boom = false
	if err := d.Set("c", 3); err != nil {
		t.Fatal(err)
	}
}
