package maxmem_test

// The contract: the rules of README.md, REDIS.md and DESIGN.md that hold
// whatever the layout, each run over every layout (contract_layouts_test.go) and, where
// the policy could change the outcome, over every policy.

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/maxmem/maxmem"
)

// env is one rule's subject with its clock and the charge of one entry.
type env struct {
	t     *testing.T
	s     subject
	clock *maxmem.FakeClock
	unit  int64 // what one entry of key(i) and a default value costs
	p     maxmem.Policy
}

// newEnv opens a subject of l under p with room for room entries of
// key(i) and a default value (0: no limit) and one shard, so that an
// exact policy's order is the cache's order.
func newEnv(t *testing.T, l layout, p maxmem.Policy, room int) *env {
	t.Helper()
	e := &env{t: t, clock: maxmem.NewFakeClock(), unit: chargeOf(t, l, key(0), 0), p: p}
	e.s = l.open(t, setup{max: int64(room) * e.unit, policy: p, clock: e.clock, samples: 64})
	return e
}

func (e *env) set(k string, v int) {
	e.t.Helper()
	if err := e.s.Set(k, v); err != nil {
		e.t.Fatalf("Set(%q): %v", k, err)
	}
}

func (e *env) setTTL(k string, v int, ttl time.Duration) {
	e.t.Helper()
	if err := e.s.SetWithTTL(k, v, ttl); err != nil {
		e.t.Fatalf("SetWithTTL(%q): %v", k, err)
	}
}

// get fails the test unless k holds v.
func (e *env) get(k string, v int) {
	e.t.Helper()
	if got, ok := e.s.Get(k); !ok || got != v {
		e.t.Fatalf("Get(%q) = %d, %v; want %d, true", k, got, ok, v)
	}
}

// entryBytes is used_memory less the policy's own bytes: what the entries
// are charged.
func (e *env) entryBytes() int64 {
	st := e.s.Stats()
	return st.UsedMemory - st.PolicyMemory
}

// fill writes keys prefix0, prefix1, ... (with ttl, if positive) until a
// write fails, and returns how many went in; it fails the test if the
// cache takes more than bound of them.
func (e *env) fill(prefix string, ttl time.Duration, bound int) (int, error) {
	e.t.Helper()
	for i := range bound {
		k := prefix + key(i)[len(prefix):]
		var err error
		if ttl > 0 {
			err = e.s.SetWithTTL(k, i, ttl)
		} else {
			err = e.s.Set(k, i)
		}
		if err != nil {
			return i, err
		}
	}
	e.t.Fatalf("the cache took %d writes of %q keys and refused none", bound, prefix)
	return bound, nil
}

// reasons counts the events by reason.
func reasons(events []event) map[maxmem.Reason]int {
	n := map[maxmem.Reason]int{}
	for _, ev := range events {
		n[ev.reason]++
	}
	return n
}

// forEachRule runs rule over every layout and every policy.
func forEachRule(t *testing.T, sizedOnly bool, rule func(t *testing.T, l layout, p maxmem.Policy)) {
	forEachLayout(t, sizedOnly, func(t *testing.T, l layout) {
		forEachPolicy(t, func(t *testing.T, p maxmem.Policy) { rule(t, l, p) })
	})
}

// Get never returns an expired key, from the nanosecond of its deadline
// on, whether it was read before or not; nor do TTL, MemoryUsage and All
// see it. The sweeper is stopped: the calls must check for themselves.
func TestContractGetNeverReturnsExpired(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		e.s.stopSweeper()
		e.setTTL(key(1), 1, time.Second)
		e.setTTL(key(2), 2, time.Second)
		e.set(key(3), 3)
		if !e.s.Expire(key(3), time.Second) {
			t.Fatal("Expire of a resident key reported false")
		}
		e.clock.Advance(time.Second - 1)
		for i := 1; i <= 3; i++ {
			e.get(key(i), i) // read once before the deadline
		}
		e.clock.Advance(1) // the deadline, exactly
		if v, ok := e.s.Get(key(1)); ok {
			t.Fatalf("Get returned the expired key %s = %d", key(1), v)
		}
		if ttl := e.s.TTL(key(2)); ttl != maxmem.Missing {
			t.Fatalf("TTL of an expired key = %v, want Missing", ttl)
		}
		if n, ok := e.s.MemoryUsage(key(3)); ok {
			t.Fatalf("MemoryUsage of an expired key = %d, true", n)
		}
		for i := 1; i <= 3; i++ {
			if v, ok := e.s.Get(key(i)); ok {
				t.Fatalf("Get returned the expired key %s = %d", key(i), v)
			}
		}
		if st := e.s.Stats(); st.Keys != 0 || st.ExpiredKeys != 3 || e.entryBytes() != 0 {
			t.Fatalf("after expiry: %d keys, %d expired, %d bytes charged; want 0, 3, 0", st.Keys, st.ExpiredKeys, e.entryBytes())
		}
	})
}

// A write reclaims expired entries of the cache without the sweeper: while
// any is left, a write of a new key does not make Len grow.
func TestContractWritesReclaimExpired(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		e.s.stopSweeper()
		for i := range 10 {
			e.setTTL(key(i), i, time.Second)
		}
		e.set(key(100), 100)
		e.clock.Advance(2 * time.Second)
		for i := range 10 {
			e.set(key(200+i), i)
			if n := e.s.Len(); n > 11 {
				t.Fatalf("write %d of a new key: Len %d, want <= 11: writes do not reclaim expired entries", i, n)
			}
		}
		if st := e.s.Stats(); st.ExpiredKeys != 10 || st.Keys != 11 {
			t.Fatalf("after 10 writes: %d expired, %d keys; want 10 and 11", st.ExpiredKeys, st.Keys)
		}
		if n := reasons(e.s.Events()); n[maxmem.Expired] != 10 || len(n) != 1 {
			t.Fatalf("OnEvict reasons %v, want 10 expired and nothing else", n)
		}
	})
}

// When the cache is full, entries whose TTL has passed are reclaimed
// before any policy runs: under every policy, noeviction and volatile-*
// included, writes succeed and nothing is evicted.
func TestContractExpiredGoBeforeAnyEviction(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 6)
		e.s.stopSweeper()
		for i := range 4 {
			e.setTTL(key(i), i, time.Second)
		}
		e.clock.Advance(time.Second)
		e.s.Events()
		evicted := e.s.Stats().EvictedKeys
		for i := range 4 {
			e.set(key(10+i), i)
		}
		if n := reasons(e.s.Events()); n[maxmem.Evicted] != 0 || n[maxmem.Expired] != 4 {
			t.Fatalf("OnEvict reasons %v, want 4 expired and none evicted", n)
		}
		if got := e.s.Stats().EvictedKeys; got != evicted {
			t.Fatalf("evicted_keys %d, want %d", got, evicted)
		}
	})
}

// SET clears a TTL; a SET with a TTL replaces it.
func TestContractSetClearsTTL(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		e.setTTL(key(1), 1, time.Minute)
		e.set(key(1), 2)
		if ttl := e.s.TTL(key(1)); ttl != maxmem.NoExpiry {
			t.Fatalf("TTL after SET = %v, want NoExpiry", ttl)
		}
		if st := e.s.Stats(); st.Expires != 0 {
			t.Fatalf("expires = %d after SET, want 0", st.Expires)
		}
		e.clock.Advance(2 * time.Minute)
		e.get(key(1), 2)
		e.setTTL(key(2), 3, time.Minute)
		e.setTTL(key(2), 4, 2*time.Minute)
		if ttl := e.s.TTL(key(2)); ttl != 2*time.Minute {
			t.Fatalf("TTL = %v, want the second SET's 2m", ttl)
		}
	})
}

// EXPIRE with a TTL <= 0 deletes the key (reason Deleted, bytes released);
// a positive one sets the TTL; on a missing key it reports false.
func TestContractExpire(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		for i, ttl := range []time.Duration{0, -time.Second} {
			e.set(key(i), i)
			if !e.s.Expire(key(i), ttl) {
				t.Fatalf("Expire(%v) of a resident key reported false", ttl)
			}
			if _, ok := e.s.Get(key(i)); ok || e.s.TTL(key(i)) != maxmem.Missing {
				t.Fatalf("Expire(%v) did not delete the key", ttl)
			}
			if got, want := e.s.Events(), []event{{key(i), i, maxmem.Deleted}}; !slices.Equal(got, want) {
				t.Fatalf("OnEvict %v, want %v", got, want)
			}
		}
		if e.entryBytes() != 0 {
			t.Fatalf("%d bytes charged after deleting by Expire", e.entryBytes())
		}
		if e.s.Expire(key(9), time.Second) || e.s.Expire(key(9), 0) {
			t.Fatal("Expire of a missing key reported true")
		}
		e.set(key(3), 3)
		if !e.s.Expire(key(3), 5*time.Second) || e.s.TTL(key(3)) != 5*time.Second {
			t.Fatalf("Expire(5s): TTL %v", e.s.TTL(key(3)))
		}
		e.clock.Advance(5 * time.Second)
		if _, ok := e.s.Get(key(3)); ok {
			t.Fatal("the key outlived the TTL Expire gave it")
		}
	})
}

// TTL answers -2 for a missing key, -1 for a key without TTL, and the time
// left otherwise; Persist removes a TTL and reports whether there was one.
func TestContractTTLReplies(t *testing.T) {
	if maxmem.Missing != -2 || maxmem.NoExpiry != -1 {
		t.Fatalf("Missing, NoExpiry = %d, %d; Redis answers -2 and -1", maxmem.Missing, maxmem.NoExpiry)
	}
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		e.set(key(1), 1)
		e.setTTL(key(2), 2, 10*time.Second)
		e.clock.Advance(4 * time.Second)
		got := []time.Duration{e.s.TTL(key(0)), e.s.TTL(key(1)), e.s.TTL(key(2))}
		if want := []time.Duration{-2, -1, 6 * time.Second}; !slices.Equal(got, want) {
			t.Fatalf("TTL of missing, plain, 10s-after-4s keys = %v, want %v", got, want)
		}
		if e.s.Persist(key(0)) || e.s.Persist(key(1)) {
			t.Fatal("Persist of a missing key or one without TTL reported true")
		}
		if !e.s.Persist(key(2)) || e.s.TTL(key(2)) != maxmem.NoExpiry {
			t.Fatalf("Persist: TTL %v, want NoExpiry", e.s.TTL(key(2)))
		}
		e.clock.Advance(time.Hour)
		e.get(key(2), 2)
		// The latest deadline int64 nanoseconds can hold is valid; one more is not.
		latest := time.Duration(math.MaxInt64 - e.clock.Now().UnixNano())
		e.setTTL(key(3), 3, latest)
		if ttl := e.s.TTL(key(3)); ttl != latest {
			t.Fatalf("TTL %v, want %v", ttl, latest)
		}
		if err := e.s.SetWithTTL(key(3), 4, latest+1); !errors.Is(err, maxmem.ErrInvalidTTL) {
			t.Fatalf("SetWithTTL past the last representable deadline = %v, want ErrInvalidTTL", err)
		}
		if e.s.Expire(key(3), latest+1) || e.s.TTL(key(3)) != latest {
			t.Fatal("Expire past the last representable deadline changed the key")
		}
		if !e.s.Persist(key(3)) || !e.s.Expire(key(3), latest) || e.s.TTL(key(3)) != latest {
			t.Fatalf("Expire to the last representable deadline: TTL %v, want %v", e.s.TTL(key(3)), latest)
		}
	})
}

// Get and TTL count keyspace hits and misses, as Redis's GET and TTL do;
// a key found expired is a miss.
func TestContractKeyspaceHitsAndMisses(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		e.set(key(1), 1)
		for range 3 {
			e.s.Get(key(1))
		}
		e.s.Get(key(2))
		e.s.TTL(key(1))
		e.s.TTL(key(2))
		e.s.TTL(key(3))
		e.setTTL(key(4), 4, time.Second)
		e.clock.Advance(time.Second)
		e.s.Get(key(4)) // expired: a miss
		if st := e.s.Stats(); st.Hits != 4 || st.Misses != 4 {
			t.Fatalf("keyspace_hits %d, keyspace_misses %d; want 4 and 4", st.Hits, st.Misses)
		}
	})
}

// Reasons read as OnEvict's documentation names them.
func TestReasonNames(t *testing.T) {
	got := []string{}
	for r := range maxmem.Reason(7) {
		got = append(got, r.String())
	}
	want := []string{"Reason(0)", "evicted", "expired", "deleted", "replaced", "cleared", "Reason(6)"}
	if !slices.Equal(got, want) {
		t.Fatalf("reasons %q, want %q", got, want)
	}
}

// A write refused with ErrOOM because the entry alone exceeds MaxMemory
// leaves the key's value, TTL and charge, and every other entry, as they
// were, under every policy: nothing is evicted for it.
func TestContractTooLargeChangesNothing(t *testing.T) {
	forEachRule(t, true, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 8)
		e.setTTL(key(1), 1, time.Minute)
		e.set(key(2), 2)
		e.s.Events()
		before, usage := e.s.Stats(), mustUsage(t, e.s, key(1))
		checkOOM(t, e.s.SetSized(key(1), 7, int(before.MaxMemory)), true)
		checkOOM(t, e.s.SetSized(key(3), 7, int(before.MaxMemory)), true)
		e.get(key(1), 1)
		e.get(key(2), 2)
		after := e.s.Stats()
		switch {
		case e.s.TTL(key(1)) != time.Minute:
			t.Fatalf("TTL %v after the refused write, want 1m", e.s.TTL(key(1)))
		case mustUsage(t, e.s, key(1)) != usage:
			t.Fatalf("MemoryUsage %d after the refused write, want %d", mustUsage(t, e.s, key(1)), usage)
		case after.UsedMemory != before.UsedMemory || after.Keys != 2 || after.EvictedKeys != before.EvictedKeys:
			t.Fatalf("the refused write changed the cache: %+v, then %+v", before, after)
		case len(e.s.Events()) != 0:
			t.Fatal("the refused write evicted")
		case after.OOMRejections != before.OOMRejections+2:
			t.Fatalf("total_oom_errors %d, want %d", after.OOMRejections, before.OOMRejections+2)
		}
	})
}

// mustUsage returns MemoryUsage(k) and fails the test if k is absent.
func mustUsage(t *testing.T, s subject, k string) int64 {
	t.Helper()
	n, ok := s.MemoryUsage(k)
	if !ok {
		t.Fatalf("MemoryUsage(%q): key absent", k)
	}
	return n
}

// Under noeviction, and under volatile-* with no key that has a TTL, a
// full cache refuses a write that needs room with Redis's error, and the
// key keeps its value and TTL. Reads, deletes, Expire and Persist work.
func TestContractFullCacheRefusesAndKeepsOldValue(t *testing.T) {
	forEachRule(t, true, func(t *testing.T, l layout, p maxmem.Policy) {
		if allKeys(p) {
			return // evicts instead: see TestContractUsedNeverPassesMax
		}
		e := newEnv(t, l, p, 6)
		ttl := maxmem.NoExpiry // volatile-*: a key with a TTL could be evicted
		if p.Name() == "noeviction" {
			ttl = time.Minute
			e.setTTL(key(0), 0, ttl)
		} else {
			e.set(key(0), 0)
		}
		n, err := e.fill("f", 0, 100)
		checkOOM(t, err, false)
		before := e.s.Stats()
		checkOOM(t, e.s.SetSized(key(0), 9, 4*valueWidth), false)
		e.get(key(0), 0)
		if got := e.s.TTL(key(0)); got != ttl {
			t.Fatalf("TTL %v after the refused write, want %v", got, ttl)
		}
		if after := e.s.Stats(); after.UsedMemory != before.UsedMemory || after.Keys != int64(n+1) || after.EvictedKeys != 0 {
			t.Fatalf("the refused write changed the cache: %+v, then %+v", before, after)
		}
		if !e.s.Expire(key(0), time.Hour) || !e.s.Persist(key(0)) || !e.s.Delete(key(0)) {
			t.Fatal("Expire, Persist or Delete failed on a full cache")
		}
		e.set(key(0), 1) // the delete made room
	})
}

// volatile-* evict only keys with a TTL, and refuse with ErrOOM once none
// is left; allkeys-* evict any key and refuse only an entry larger than
// the budget.
func TestContractWhoMayBeEvicted(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		if p.Name() == "noeviction" {
			return // TestContractFullCacheRefusesAndKeepsOldValue
		}
		e := newEnv(t, l, p, 8)
		for i := range 3 {
			e.set("p"+key(i)[1:], i)
			e.setTTL("v"+key(i)[1:], i, time.Hour)
		}
		var err error
		for i := range 20 {
			if err = e.s.Set("n"+key(i)[1:], i); err != nil {
				break
			}
		}
		evicted := e.s.Events()
		for _, ev := range evicted {
			if ev.reason != maxmem.Evicted || volatileOnly(p) && ev.key[0] != 'v' {
				t.Fatalf("%s evicted %+v", p.Name(), ev)
			}
		}
		if volatileOnly(p) {
			checkOOM(t, err, false)
			if len(evicted) != 3 {
				t.Fatalf("%s evicted %d keys before refusing, want the 3 with a TTL", p.Name(), len(evicted))
			}
			return
		}
		if err != nil || len(evicted) == 0 {
			t.Fatalf("%s: 26 writes into room for 8: %d evictions, err %v", p.Name(), len(evicted), err)
		}
	})
}

// used_memory never passes maxmemory, whatever the calls, and at rest it
// is exactly what MemoryUsage reports for the entries plus the policy's
// own bytes. Under allkeys-* no write of an entry that fits the budget is
// refused; where a write is refused, it is with Redis's error.
func TestContractUsedNeverPassesMax(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 24)
		for i := range 1500 {
			k := key(i * 7919 % 61)
			var err error
			switch i % 9 {
			case 0, 1:
				err = e.s.SetSized(k, i, i%3*valueWidth)
			case 2:
				err = e.s.SetWithTTL(k, i, time.Duration(1+i%5)*time.Second)
			case 3, 4:
				e.s.Get(k)
			case 5:
				e.s.Delete(k)
			case 6:
				e.s.Expire(k, time.Duration(i%4)*time.Second)
			case 7:
				e.s.Persist(k)
			case 8:
				e.clock.Advance(700 * time.Millisecond)
			}
			if err != nil && (allKeys(p) || !errors.Is(err, maxmem.ErrOOM)) {
				t.Fatalf("op %d: %s refused a write that fits the budget: %v", i, p.Name(), err)
			}
			if err != nil {
				checkOOM(t, err, false)
			}
			if st := e.s.Stats(); st.UsedMemory > st.MaxMemory {
				t.Fatalf("op %d: used_memory %d > maxmemory %d", i, st.UsedMemory, st.MaxMemory)
			}
		}
		checkCharges(t, e)
	})
}

// checkCharges verifies that used_memory is the sum of MemoryUsage over
// the entries All yields plus the policy's bytes, once every expired key
// is gone (a TTL call on each key reclaims it).
func checkCharges(t *testing.T, e *env) {
	t.Helper()
	for i := range 1000 {
		e.s.TTL(key(i))
	}
	var sum int64
	for k := range e.s.Entries() {
		sum += mustUsage(t, e.s, k)
	}
	if st := e.s.Stats(); st.UsedMemory != sum+st.PolicyMemory {
		t.Fatalf("used_memory %d, want Σ MemoryUsage %d + used_memory_policy %d", st.UsedMemory, sum, st.PolicyMemory)
	}
}

// MemoryUsage of an entry is what used_memory grew by when it went in, for
// values of every size class, and an update changes used_memory by the
// difference of the two charges.
func TestContractMemoryUsageIsTheGrowth(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		sizes := []int{0, 1, 100, 127, 128, 5_000, 40_000, 70_000}
		for i, size := range sizes {
			before := e.entryBytes()
			if err := e.s.SetSized(key(i), i, size); err != nil {
				t.Fatal(err)
			}
			if grew, usage := e.entryBytes()-before, mustUsage(t, e.s, key(i)); grew != usage {
				t.Fatalf("value of %d bytes: used_memory grew by %d, MemoryUsage %d", size, grew, usage)
			}
		}
		for i := range sizes {
			before, old := e.entryBytes(), mustUsage(t, e.s, key(i))
			if err := e.s.SetSized(key(i), i, sizes[len(sizes)-1-i]); err != nil {
				t.Fatal(err)
			}
			if grew, usage := e.entryBytes()-before, mustUsage(t, e.s, key(i)); grew != usage-old {
				t.Fatalf("update %d: used_memory grew by %d, MemoryUsage went %d -> %d", i, grew, old, usage)
			}
		}
	})
}

// Delete releases exactly the entry's charge and reports it Deleted; Clear
// releases everything and reports each entry Cleared.
func TestContractDeleteAndClearRelease(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		for i := range 5 {
			if err := e.s.SetSized(key(i), i, i*300); err != nil {
				t.Fatal(err)
			}
		}
		before, usage := e.entryBytes(), mustUsage(t, e.s, key(2))
		if !e.s.Delete(key(2)) || e.s.Delete(key(2)) {
			t.Fatal("Delete did not report true, then false")
		}
		if released := before - e.entryBytes(); released != usage {
			t.Fatalf("Delete released %d bytes, MemoryUsage was %d", released, usage)
		}
		e.s.Clear()
		if st := e.s.Stats(); st.Keys != 0 || e.entryBytes() != 0 || e.s.Len() != 0 {
			t.Fatalf("after Clear: %d keys, %d bytes charged to entries", st.Keys, e.entryBytes())
		}
		want := []event{{key(2), 2, maxmem.Deleted}, {key(0), 0, maxmem.Cleared},
			{key(1), 1, maxmem.Cleared}, {key(3), 3, maxmem.Cleared}, {key(4), 4, maxmem.Cleared}}
		got := e.s.Events()
		slices.SortFunc(got[min(1, len(got)):], func(a, b event) int { return a.value - b.value })
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(event{})); diff != "" {
			t.Fatalf("OnEvict (-want +got):\n%s", diff)
		}
	})
}

// OnEvict hears of every departure with its reason and the value that
// left: replaced, deleted, expired, evicted, cleared; Close reports none.
func TestContractOnEvictReasons(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		e.set(key(1), 1)
		e.set(key(1), 2)
		e.s.Delete(key(1))
		e.setTTL(key(2), 3, time.Second)
		e.clock.Advance(time.Second)
		e.s.Get(key(2))
		e.set(key(3), 4)
		e.s.Clear()
		want := []event{{key(1), 1, maxmem.Replaced}, {key(1), 2, maxmem.Deleted},
			{key(2), 3, maxmem.Expired}, {key(3), 4, maxmem.Cleared}}
		if diff := cmp.Diff(want, e.s.Events(), cmp.AllowUnexported(event{})); diff != "" {
			t.Fatalf("OnEvict (-want +got):\n%s", diff)
		}
		e.setTTL(key(4), 5, time.Hour)
		if err := e.s.SetMaxMemory(1); err != nil {
			t.Fatal(err)
		}
		got := e.s.Events()
		if p.Name() == "noeviction" {
			if len(got) != 0 {
				t.Fatalf("noeviction reported %v", got)
			}
			return
		}
		if want := []event{{key(4), 5, maxmem.Evicted}}; !slices.Equal(got, want) {
			t.Fatalf("lowering maxmemory reported %v, want %v", got, want)
		}
	})
}

// Lowering maxmemory evicts down to it at once under an evicting policy;
// volatile-* evict only keys with a TTL and then leave the cache over the
// limit, refusing writes; noeviction evicts nothing and refuses writes
// until the limit rises. A negative limit is an error and changes nothing.
func TestContractSetMaxMemory(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		for i := range 5 {
			e.set("p"+key(i)[1:], i)
			e.setTTL("v"+key(i)[1:], i, time.Hour)
		}
		if err := e.s.SetMaxMemory(-1); err == nil || e.s.Stats().MaxMemory != 0 {
			t.Fatalf("SetMaxMemory(-1) = %v, maxmemory %d", err, e.s.Stats().MaxMemory)
		}
		limit := 4*e.unit + e.s.Stats().PolicyMemory
		if err := e.s.SetMaxMemory(limit); err != nil {
			t.Fatal(err)
		}
		st, events := e.s.Stats(), e.s.Events()
		if n := reasons(events); n[maxmem.Evicted] != len(events) || uint64(len(events)) != st.EvictedKeys {
			t.Fatalf("events %v, evicted_keys %d", events, st.EvictedKeys)
		}
		switch {
		case allKeys(p):
			if st.UsedMemory > limit || limit-st.UsedMemory >= e.unit || st.Keys+int64(len(events)) != 10 {
				t.Fatalf("after lowering to %d: used_memory %d (evicting no more than needed leaves less than an entry's %d free), %d keys, %d evicted",
					limit, st.UsedMemory, e.unit, st.Keys, len(events))
			}
			return
		case volatileOnly(p):
			if len(events) != 5 || st.Expires != 0 || st.Keys != 5 {
				t.Fatalf("%s evicted %v, want the 5 keys with a TTL", p.Name(), events)
			}
		default:
			if len(events) != 0 || st.Keys != 10 {
				t.Fatalf("noeviction evicted %v", events)
			}
		}
		checkOOM(t, e.s.Set(key(99), 99), false)
		if err := e.s.SetMaxMemory(0); err != nil {
			t.Fatal(err)
		}
		e.set(key(99), 99)
	})
}

// CONFIG SET maxmemory-policy at run time: a full noeviction cache refuses
// a write; switched to an evicting policy, the same write evicts and
// succeeds, the accounting holds, and switched back, writes evict nothing.
func TestContractSetPolicy(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		if p.Name() == "noeviction" {
			return
		}
		e := newEnv(t, l, maxmem.NoEviction, 6)
		_, err := e.fill("v", time.Hour, 100)
		checkOOM(t, err, false)
		if err := e.s.SetPolicy(p); err != nil || e.s.Stats().Policy != p.Name() {
			t.Fatalf("SetPolicy(%s) = %v, policy %q", p.Name(), err, e.s.Stats().Policy)
		}
		e.set(key(90), 90)
		if n := reasons(e.s.Events()); n[maxmem.Evicted] == 0 {
			t.Fatalf("%s made room without evicting: %v", p.Name(), n)
		}
		e.get(key(90), 90)
		checkCharges(t, e)
		if err := e.s.SetPolicy(nil); err != nil || e.s.Stats().Policy != "noeviction" {
			t.Fatalf("SetPolicy(nil) = %v, policy %q", err, e.s.Stats().Policy)
		}
		_, err = e.fill("n", 0, 100)
		checkOOM(t, err, false)
		if n := reasons(e.s.Events()); n[maxmem.Evicted] != 0 {
			t.Fatalf("noeviction evicted after the switch: %v", n)
		}
		checkCharges(t, e)
	})
}

// All yields every live entry with its value and skips expired ones, even
// when nothing has reclaimed them yet.
func TestContractAllSkipsExpired(t *testing.T) {
	forEachRule(t, false, func(t *testing.T, l layout, p maxmem.Policy) {
		e := newEnv(t, l, p, 0)
		e.s.stopSweeper()
		e.set(key(1), 1)
		e.setTTL(key(2), 2, time.Second)
		e.setTTL(key(3), 3, time.Hour)
		e.clock.Advance(time.Second)
		if diff := cmp.Diff(map[string]int{key(1): 1, key(3): 3}, e.s.Entries()); diff != "" {
			t.Fatalf("All (-want +got):\n%s", diff)
		}
	})
}

// A budget of exactly k entries holds k entries: the write that fills it
// to the last byte is accepted, in one shard and spread over eight, and
// only the next one is refused.
func TestContractExactFit(t *testing.T) {
	forEachLayout(t, false, func(t *testing.T, l layout) {
		unit := chargeOf(t, l, key(0), 0)
		for _, shards := range []int{1, 8} {
			const k = 40
			s := l.open(t, setup{max: k * unit, policy: maxmem.NoEviction, shards: shards})
			for i := range k {
				if err := s.Set(key(i), i); err != nil {
					t.Fatalf("%d shards: write %d of %d: %v", shards, i+1, k, err)
				}
			}
			if used := s.Stats().UsedMemory; used != k*unit {
				t.Fatalf("%d shards: used_memory %d, want %d", shards, used, k*unit)
			}
			checkOOM(t, s.Set(key(k), k), false)
		}
	})
}
