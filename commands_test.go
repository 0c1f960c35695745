package maxmem

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// reasonLog records OnEvict's calls as "key:reason".
type reasonLog []string

func (l *reasonLog) add(k string, _ int, r Reason) { *l = append(*l, k+":"+r.String()) }

// newCmdCache is newTestCache with OnEvict recorded in log.
func newCmdCache(t *testing.T, n int, p Policy, log *reasonLog) (*Cache[string, int], *fakeClock) {
	t.Helper()
	return newShardedTestCache(t, n, p, 1, func(o *Options[string, int]) { o.OnEvict = log.add })
}

// SET's conditions, GET and TTL options, reply for reply as Redis 7.
func TestSetArgs(t *testing.T) {
	var log reasonLog
	c, clock := newCmdCache(t, 10, NoEviction, &log)
	type reply struct {
		Old     int
		Existed bool
		Err     bool
	}
	do := func(k string, v int, a SetArgs) reply {
		old, existed, err := c.SetArgs(k, v, a)
		return reply{old, existed, err != nil}
	}
	steps := []struct {
		name string
		got  func() reply
		want reply
		val  int           // the value of k afterwards; -1: absent
		ttl  time.Duration // its TTL afterwards
	}{
		{"NX absent stores", func() reply { return do("k", 1, SetArgs{Cond: NX}) }, reply{}, 1, NoExpiry},
		{"NX present returns old, stores nothing", func() reply { return do("k", 2, SetArgs{Cond: NX}) }, reply{1, true, false}, 1, NoExpiry},
		{"PX", func() reply { return do("k", 3, SetArgs{TTL: time.Minute}) }, reply{1, true, false}, 3, time.Minute},
		{"XX KEEPTTL keeps the TTL", func() reply { return do("k", 4, SetArgs{Cond: XX, KeepTTL: true}) }, reply{3, true, false}, 4, time.Minute},
		{"XX clears the TTL", func() reply { return do("k", 5, SetArgs{Cond: XX}) }, reply{4, true, false}, 5, NoExpiry},
		{"PXAT", func() reply { return do("k", 6, SetArgs{ExpireAt: clock.Now().Add(time.Hour)}) }, reply{5, true, false}, 6, time.Hour},
		{"plain SET clears the TTL", func() reply { return do("k", 7, SetArgs{}) }, reply{6, true, false}, 7, NoExpiry},
		{"negative PX", func() reply { return do("k", 8, SetArgs{TTL: -time.Millisecond}) }, reply{Err: true}, 7, NoExpiry},
		{"PX with KEEPTTL", func() reply { return do("k", 8, SetArgs{TTL: time.Second, KeepTTL: true}) }, reply{Err: true}, 7, NoExpiry},
		{"PX with PXAT", func() reply { return do("k", 8, SetArgs{TTL: time.Second, ExpireAt: clock.Now()}) }, reply{Err: true}, 7, NoExpiry},
		{"GT on SET", func() reply { return do("k", 8, SetArgs{Cond: GT}) }, reply{Err: true}, 7, NoExpiry},
		{"PXAT at the epoch", func() reply { return do("k", 8, SetArgs{ExpireAt: time.Unix(0, 0)}) }, reply{Err: true}, 7, NoExpiry},
		{"PXAT in the past: OK, no key", func() reply { return do("k", 8, SetArgs{ExpireAt: clock.Now().Add(-time.Second)}) }, reply{7, true, false}, -1, Missing},
		{"XX absent stores nothing", func() reply { return do("k", 9, SetArgs{Cond: XX}) }, reply{}, -1, Missing},
		{"KEEPTTL on a new key: none", func() reply { return do("k", 10, SetArgs{KeepTTL: true}) }, reply{}, 10, NoExpiry},
	}
	for _, st := range steps {
		if got := st.got(); got != st.want {
			t.Fatalf("%s: got %+v, want %+v", st.name, got, st.want)
		}
		v, ok := c.peek("k")
		if !ok {
			v = -1
		}
		if v != st.val || c.TTL("k") != st.ttl {
			t.Fatalf("%s: k = %d with TTL %v, want %d with %v", st.name, v, c.TTL("k"), st.val, st.ttl)
		}
	}
	want := reasonLog{"k:replaced", "k:replaced", "k:replaced", "k:replaced", "k:replaced", "k:replaced", "k:expired"}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Fatalf("OnEvict (-want +got):\n%s", diff)
	}
	// 15 SETs, 10 valid: each GET counted; plus one TTL per step (15 hits or misses).
	if st := c.Stats(); st.Hits+st.Misses != 10+15 || st.ExpiredKeys != 1 {
		t.Fatalf("hits %d + misses %d, want 25; expired_keys %d, want 1", st.Hits, st.Misses, st.ExpiredKeys)
	}
}

// A SetArgs that does not fit returns the *OOMError and changes nothing:
// not the value, not the TTL, not the keyspace counters.
func TestSetArgsOOMChangesNothing(t *testing.T) {
	c := mustNew(t, Options[string, int]{MaxMemory: 2 * unit, Policy: NoEviction, Clock: newFakeClock(),
		Sizer: func(_ string, v int) int64 { return unitSize + int64(v) }})
	mustSetTTL(t, c, "a", 0, time.Hour)
	mustSet(t, c, "b", 0)
	c.ResetStats()
	for _, tc := range []struct {
		key string
		a   SetArgs
	}{{"a", SetArgs{}}, {"a", SetArgs{Cond: XX, KeepTTL: true}}, {"a", SetArgs{TTL: time.Second}}, {"c", SetArgs{Cond: NX}}} {
		old, existed, err := c.SetArgs(tc.key, 1, tc.a)
		var oom *OOMError
		if !errors.As(err, &oom) || existed || old != 0 {
			t.Fatalf("%s %+v: %v, %v, %v; want an *OOMError", tc.key, tc.a, old, existed, err)
		}
	}
	if v, _ := c.peek("a"); v != 0 || c.TTL("a") != time.Hour || len(resident(c, "c")) != 0 {
		t.Fatal("a refused SetArgs changed the cache")
	}
	if st := c.Stats(); st.Hits != 1 || st.Misses != 0 || st.Writes != 0 || st.OOMRejections != 4 { // the TTL above
		t.Fatalf("refused writes counted: %+v", st)
	}
}

func TestGetEx(t *testing.T) {
	var log reasonLog
	c, clock := newCmdCache(t, 10, NoEviction, &log)
	mustSet(t, c, "k", 1)
	type step struct {
		a   GetExArgs
		ok  bool
		err error
		ttl time.Duration
	}
	for i, st := range []step{
		{GetExArgs{}, true, nil, NoExpiry},
		{GetExArgs{TTL: time.Minute}, true, nil, time.Minute},
		{GetExArgs{}, true, nil, time.Minute},
		{GetExArgs{ExpireAt: clock.Now().Add(time.Hour)}, true, nil, time.Hour},
		{GetExArgs{TTL: -1}, false, ErrInvalidTTL, time.Hour},
		{GetExArgs{Persist: true, TTL: time.Second}, false, ErrInvalidArgument, time.Hour},
		{GetExArgs{TTL: time.Second, ExpireAt: clock.Now()}, false, ErrInvalidArgument, time.Hour},
		{GetExArgs{Persist: true}, true, nil, NoExpiry},
		{GetExArgs{Persist: true}, true, nil, NoExpiry},
		{GetExArgs{ExpireAt: clock.Now().Add(-time.Millisecond)}, true, nil, Missing},
		{GetExArgs{TTL: time.Second}, false, nil, Missing},
	} {
		v, ok, err := c.GetEx("k", st.a)
		if ok != st.ok || !errors.Is(err, st.err) || (err == nil) != (st.err == nil) || ok && v != 1 || c.TTL("k") != st.ttl {
			t.Fatalf("step %d %+v: %v, %v, %v, TTL %v; want found %v, %v, TTL %v", i, st.a, v, ok, err, c.TTL("k"), st.ok, st.err, st.ttl)
		}
	}
	if diff := cmp.Diff(reasonLog{"k:deleted"}, log); diff != "" {
		t.Fatalf("OnEvict (-want +got):\n%s", diff)
	}
	// 8 valid GETEXs (7 hits, 1 miss) and 11 TTLs (10 hits, 1 miss); 3 TTL changes and the SET.
	if st := c.Stats(); st.Hits != 7+9 || st.Misses != 1+2 || st.Writes != 4 || st.ExpiredKeys != 0 {
		t.Fatalf("hits %d, misses %d, writes %d, expired %d", st.Hits, st.Misses, st.Writes, st.ExpiredKeys)
	}
}

func TestGetDel(t *testing.T) {
	var log reasonLog
	c, _ := newCmdCache(t, 10, NoEviction, &log)
	mustSet(t, c, "k", 7)
	if v, ok := c.GetDel("k"); v != 7 || !ok {
		t.Fatalf("GetDel = %v, %v", v, ok)
	}
	if v, ok := c.GetDel("k"); v != 0 || ok || c.Len() != 0 {
		t.Fatalf("second GetDel = %v, %v", v, ok)
	}
	if st := c.Stats(); st.Hits != 1 || st.Misses != 1 || st.UsedMemory != 0 || len(log) != 1 || log[0] != "k:deleted" {
		t.Fatalf("stats %+v, OnEvict %v", st, log)
	}
}

// PEXPIRE's conditions, as Redis 7 answers them.
func TestExpireIf(t *testing.T) {
	var log reasonLog
	c, clock := newCmdCache(t, 10, NoEviction, &log)
	now := clock.Now()
	mustSet(t, c, "k", 1)
	steps := []struct {
		name string
		do   func() bool
		want bool
		ttl  time.Duration
	}{
		{"0 GT, no TTL", func() bool { return c.ExpireIf("k", 0, GT) }, false, NoExpiry},
		{"XX, no TTL", func() bool { return c.ExpireIf("k", time.Second, XX) }, false, NoExpiry},
		{"NX, no TTL", func() bool { return c.ExpireIf("k", time.Minute, NX) }, true, time.Minute},
		{"NX, TTL", func() bool { return c.ExpireIf("k", time.Hour, NX) }, false, time.Minute},
		{"GT, earlier", func() bool { return c.ExpireIf("k", time.Second, GT) }, false, time.Minute},
		{"GT, same", func() bool { return c.ExpireAt("k", now.Add(time.Minute), GT) }, false, time.Minute},
		{"GT, later", func() bool { return c.ExpireIf("k", time.Hour, GT) }, true, time.Hour},
		{"LT, later", func() bool { return c.ExpireAt("k", now.Add(2*time.Hour), LT) }, false, time.Hour},
		{"LT, earlier", func() bool { return c.ExpireIf("k", time.Second, LT) }, true, time.Second},
		{"XX, TTL", func() bool { return c.ExpireIf("k", 2*time.Second, XX) }, true, 2 * time.Second},
		{"unknown cond", func() bool { return c.ExpireIf("k", time.Hour, LT+1) }, false, 2 * time.Second},
		{"past the end of time", func() bool { return c.ExpireAt("k", endOfTime.Add(time.Nanosecond), Always) }, false, 2 * time.Second},
		{"persist then -5 GT", func() bool { c.Persist("k"); return c.ExpireIf("k", -5*time.Millisecond, GT) }, false, NoExpiry},
		{"-5 LT, no TTL: deletes", func() bool { return c.ExpireIf("k", -5*time.Millisecond, LT) }, true, Missing},
		{"missing", func() bool { return c.ExpireIf("k", time.Second, Always) }, false, Missing},
		{"before 1678 deletes", func() bool { mustSet(t, c, "k", 2); return c.ExpireAt("k", time.Time{}, Always) }, true, Missing},
	}
	for _, st := range steps {
		if got := st.do(); got != st.want || c.TTL("k") != st.ttl {
			t.Fatalf("%s: %v with TTL %v, want %v with %v", st.name, got, c.TTL("k"), st.want, st.ttl)
		}
	}
	if diff := cmp.Diff(reasonLog{"k:deleted", "k:deleted"}, log); diff != "" {
		t.Fatalf("OnEvict (-want +got):\n%s", diff)
	}
}

// Which calls count as an access of the key, as Redis's lookups do: a
// failed SET or EXPIRE condition, TOUCH and GETEX do; OBJECT, PEXPIRETIME
// and RANDOMKEY do not. Under allkeys-lru the key accessed last is
// evicted last.
func TestCommandsCountAccesses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		access func(c *Cache[string, int])
		counts bool
	}{
		{"SET NX on a present key", func(c *Cache[string, int]) { c.SetArgs("a", 9, SetArgs{Cond: NX}) }, true},
		{"PEXPIRE XX without TTL", func(c *Cache[string, int]) { c.ExpireIf("a", time.Hour, XX) }, true},
		{"TOUCH", func(c *Cache[string, int]) { c.Touch("a") }, true},
		{"GETEX", func(c *Cache[string, int]) { c.GetEx("a", GetExArgs{}) }, true},
		{"OBJECT IDLETIME", func(c *Cache[string, int]) { c.ObjectIdleTime("a") }, false},
		{"PEXPIRETIME", func(c *Cache[string, int]) { c.ExpireTime("a") }, false},
		{"RANDOMKEY", func(c *Cache[string, int]) { c.RandomKey() }, false},
	} {
		c, _ := newTestCache(t, 2, AllKeysLRU)
		mustSet(t, c, "a", 1)
		mustSet(t, c, "b", 2)
		tc.access(c)
		mustSet(t, c, "c", 3) // evicts the least recently used of a and b
		if got, want := resident(c, "a", "b"), map[bool]string{true: "a", false: "b"}[tc.counts]; len(got) != 1 || got[0] != want {
			t.Errorf("%s: %v left, want %s", tc.name, got, want)
		}
	}
}

// Under allkeys-lrm only writes count: GETEX with a TTL does, a plain
// GETEX and TOUCH do not.
func TestCommandsUnderLRM(t *testing.T) {
	for _, tc := range []struct {
		name   string
		access func(c *Cache[string, int])
		counts bool
	}{
		{"GETEX PX", func(c *Cache[string, int]) { c.GetEx("a", GetExArgs{TTL: time.Hour}) }, true},
		{"GETEX", func(c *Cache[string, int]) { c.GetEx("a", GetExArgs{}) }, false},
		{"TOUCH", func(c *Cache[string, int]) { c.Touch("a") }, false},
		{"PEXPIRE LT", func(c *Cache[string, int]) { c.ExpireIf("a", time.Hour, LT) }, true},
	} {
		c, _ := newTestCache(t, 2, AllKeysLRM)
		mustSet(t, c, "a", 1)
		mustSet(t, c, "b", 2)
		tc.access(c)
		mustSet(t, c, "c", 3)
		if got, want := resident(c, "a", "b"), map[bool]string{true: "a", false: "b"}[tc.counts]; len(got) != 1 || got[0] != want {
			t.Errorf("%s: %v left, want %s", tc.name, got, want)
		}
	}
}
