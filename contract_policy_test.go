package maxmem_test

// The policies' side of the contract: which calls count as access, which
// entry each policy evicts, and the Shard view a custom Policy sees. Each
// runs over every layout, with one shard, where an exact policy is exact.

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxmem/maxmem"
)

// accessOp is one call made on key(0), the least recent key, before a
// write evicts; lru and lrm say whether it refreshes the key under
// *-lru and under *-lrm (which orders by modification).
type accessOp struct {
	name     string
	do       func(s subject)
	lru, lrm bool
}

var accessOps = []accessOp{
	{"Get", func(s subject) { s.Get(key(0)) }, true, false},
	{"SetWithTTL", func(s subject) { s.SetWithTTL(key(0), 9, time.Hour) }, true, true},
	{"Expire", func(s subject) { s.Expire(key(0), 2*time.Hour) }, true, true},
	{"Persist", func(s subject) { s.Persist(key(0)) }, true, true},
	{"TTL", func(s subject) { s.TTL(key(0)) }, false, false},
	{"MemoryUsage", func(s subject) { s.MemoryUsage(key(0)) }, false, false},
	{"All", func(s subject) { s.Entries() }, false, false},
	{"Stats", func(s subject) { s.Stats() }, false, false},
}

// Reads and writes count as access, and so do Expire and Persist (Redis
// looks the key up for writing); TTL, MemoryUsage, All and Stats do not.
// Under *-lrm only writes and TTL changes count. The victim of the next
// write that needs room proves it: key(0) if the call did not count,
// key(1) if it did.
func TestContractWhatCountsAsAccess(t *testing.T) {
	for _, name := range []string{"allkeys-lru", "volatile-lru", "allkeys-lrm", "volatile-lrm"} {
		p, _ := maxmem.ParsePolicy(name)
		t.Run(name, func(t *testing.T) {
			for _, op := range accessOps {
				if op.name == "Persist" && volatileOnly(p) {
					continue // the key would lose its TTL, and with it its eligibility
				}
				t.Run(op.name, func(t *testing.T) {
					forEachLayout(t, false, func(t *testing.T, l layout) { testAccess(t, l, p, op) })
				})
			}
		})
	}
}

func testAccess(t *testing.T, l layout, p maxmem.Policy, op accessOp) {
	e := newEnv(t, l, p, 3)
	for i := range 3 {
		e.setTTL(key(i), i, time.Hour)
	}
	op.do(e.s)
	e.s.Events() // a write reports Replaced
	e.set(key(3), 3)
	counts := op.lru
	if strings.HasSuffix(p.Name(), "-lrm") {
		counts = op.lrm
	}
	victim := key(0)
	if counts {
		victim = key(1)
	}
	got := e.s.Events()
	if len(got) != 1 || got[0].key != victim || got[0].reason != maxmem.Evicted {
		t.Fatalf("%s then a write: OnEvict %v, want %s evicted (counts as access: %v)", op.name, got, victim, counts)
	}
}

// victimCase is a policy and the key it must evict in victimScene: the
// keys are a (TTL 4h), b (TTL 1h), c (no TTL), d (TTL 3h), written in that
// order; then a, c and d are read 20 times each, so b is both the least
// recently used and the least frequently used key, and a the least
// recently modified. Random policies name the keys they may choose.
type victimCase struct {
	policy string
	want   string // the victims allowed, one letter each
}

var victimCases = []victimCase{
	{"allkeys-lru", "b"},
	{"volatile-lru", "b"},
	{"allkeys-lfu", "b"},
	{"volatile-lfu", "b"},
	{"volatile-ttl", "b"},
	{"allkeys-lrm", "a"},
	{"volatile-lrm", "a"},
	{"allkeys-random", "abcd"},
	{"volatile-random", "abd"},
}

// victimScene sets up the scene of victimCase under p, writes one more
// key, and returns the evicted key's letter ("" if none) and the error.
func victimScene(t *testing.T, l layout, p maxmem.Policy) (string, error) {
	t.Helper()
	e := newEnv(t, l, p, 4)
	for _, k := range []struct {
		name string
		ttl  time.Duration
	}{{"a", 4 * time.Hour}, {"b", time.Hour}, {"c", 0}, {"d", 3 * time.Hour}} {
		if k.ttl == 0 {
			e.set(k.name, 1)
		} else {
			e.setTTL(k.name, 1, k.ttl)
		}
	}
	for range 20 {
		for _, k := range []string{"a", "c", "d"} {
			e.s.Get(k)
		}
	}
	err := e.s.SetWithTTL("e", 1, 5*time.Hour)
	got := e.s.Events()
	switch {
	case len(got) == 0:
		return "", err
	case len(got) > 1 || got[0].reason != maxmem.Evicted:
		t.Fatalf("one write evicted %v", got)
	}
	return got[0].key, err
}

// Each built-in policy evicts what Redis's would: the least recently used
// or modified, least frequently used, soonest expiring, or a random key
// among those it may take.
func TestContractVictims(t *testing.T) {
	for _, vc := range victimCases {
		p, _ := maxmem.ParsePolicy(vc.policy)
		t.Run(vc.policy, func(t *testing.T) {
			forEachLayout(t, false, func(t *testing.T, l layout) {
				got, err := victimScene(t, l, p)
				if err != nil || got == "" || !strings.Contains(vc.want, got) {
					t.Fatalf("evicted %q (err %v), want one of %q", got, err, vc.want)
				}
			})
		})
	}
}

// wrapped is a custom Policy that asks a built-in one: the cache then
// reaches the built-in's Victim through the public Shard view only.
type wrapped struct {
	inner maxmem.Policy
	calls *int64 // Victim calls, under mu
	mu    *sync.Mutex
}

func wrap(p maxmem.Policy) wrapped { return wrapped{inner: p, calls: new(int64), mu: new(sync.Mutex)} }

// Name is the inner policy's name with a prefix.
func (w wrapped) Name() string { return "wrapped-" + w.inner.Name() }

// Victim counts the call and asks the inner policy.
func (w wrapped) Victim(s maxmem.Shard) (maxmem.Candidate, bool) {
	w.mu.Lock()
	*w.calls++
	w.mu.Unlock()
	return w.inner.Victim(s)
}

// Tracks passes on what the inner policy tracks.
func (w wrapped) Tracks() maxmem.Tracking {
	if tr, ok := w.inner.(maxmem.Tracker); ok {
		return tr.Tracks()
	}
	return 0
}

// A built-in policy's Victim, called through a custom Policy, chooses what
// the built-in chooses. noeviction's and allkeys-tinylfu's Victim name no
// entry (allkeys-tinylfu decides through the cache's own layout), so a
// wrapper of either evicts nothing and the write is refused.
func TestContractBuiltInVictimThroughAWrapper(t *testing.T) {
	cases := append(victimCases, victimCase{"noeviction", ""}, victimCase{"allkeys-tinylfu", ""})
	for _, vc := range cases {
		p, _ := maxmem.ParsePolicy(vc.policy)
		t.Run(vc.policy, func(t *testing.T) {
			forEachLayout(t, false, func(t *testing.T, l layout) {
				w := wrap(p)
				got, err := victimScene(t, l, w)
				if *w.calls == 0 {
					t.Fatal("the cache never called the wrapper's Victim")
				}
				if vc.want == "" {
					if got != "" {
						t.Fatalf("evicted %q", got)
					}
					checkOOM(t, err, false)
					return
				}
				if err != nil || got == "" || !strings.Contains(vc.want, got) {
					t.Fatalf("evicted %q (err %v), want one of %q", got, err, vc.want)
				}
			})
		})
	}
}

// viewPolicy evicts what pick chooses from the Shard view, and records
// what the view showed at its last call.
type viewPolicy struct {
	pick func(s maxmem.Shard) (maxmem.Entry, bool)
	mu   *sync.Mutex
	seen *viewSeen
}

// viewSeen is what a viewPolicy saw.
type viewSeen struct {
	entry                  maxmem.Entry
	ok                     bool
	len, volatile, samples int
	// idle is Entry.Idle of LeastRecent(false), LeastRecent(true) and
	// SoonestExpiring, in that order.
	idle [3]uint64
}

func newViewPolicy(pick func(s maxmem.Shard) (maxmem.Entry, bool)) viewPolicy {
	return viewPolicy{pick: pick, mu: new(sync.Mutex), seen: new(viewSeen)}
}

// Name names the policy.
func (viewPolicy) Name() string { return "view" }

// Victim evicts what pick chooses, with a constant score.
func (v viewPolicy) Victim(s maxmem.Shard) (maxmem.Candidate, bool) {
	e, ok := v.pick(s)
	seen := viewSeen{entry: e, ok: ok, len: s.Len(), volatile: s.Volatile(), samples: s.Samples()}
	for i, f := range []func() (maxmem.Entry, bool){
		func() (maxmem.Entry, bool) { return s.LeastRecent(false) },
		func() (maxmem.Entry, bool) { return s.LeastRecent(true) },
		s.SoonestExpiring,
	} {
		e, _ := f()
		seen.idle[i] = e.Idle
	}
	v.mu.Lock()
	*v.seen = seen
	v.mu.Unlock()
	return maxmem.Candidate{Entry: e, Score: 1}, ok
}

// The Shard view's LeastRecent and SoonestExpiring, offered to custom
// policies, name the least recent key (of all, or of those with a TTL)
// and the key that expires first, exactly; the Entry they return carries
// the key's size as MemoryUsage reports it, its TTL, and an Idle that is
// larger the longer ago the key was used; Len, Volatile and Samples count
// what they should.
func TestContractShardViewForCustomPolicies(t *testing.T) {
	cases := []struct {
		name string
		pick func(s maxmem.Shard) (maxmem.Entry, bool)
		want string
	}{
		{"LeastRecent", func(s maxmem.Shard) (maxmem.Entry, bool) { return s.LeastRecent(false) }, "c"},
		{"LeastRecent-volatile", func(s maxmem.Shard) (maxmem.Entry, bool) { return s.LeastRecent(true) }, "b"},
		{"SoonestExpiring", func(s maxmem.Shard) (maxmem.Entry, bool) { return s.SoonestExpiring() }, "d"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachLayout(t, true, func(t *testing.T, l layout) { testShardView(t, l, tc.pick, tc.want) })
		})
	}
}

// testShardView writes c (no TTL, the least recent), b (TTL 3h), a (no
// TTL), d (TTL 1h, the soonest), each of its own size, reads a and d, and
// checks that the write that needs room evicts want, with the Entry the
// view gave for it.
func testShardView(t *testing.T, l layout, pick func(maxmem.Shard) (maxmem.Entry, bool), want string) {
	v := newViewPolicy(pick)
	e := newEnv(t, l, v, 0)
	ttls := map[string]time.Duration{"c": maxmem.NoExpiry, "b": 3 * time.Hour, "a": maxmem.NoExpiry, "d": time.Hour}
	for i, k := range []string{"c", "b", "a", "d"} {
		if err := e.s.SetSized(k, i, 100*(i+1)); err != nil {
			t.Fatal(err)
		}
		if ttls[k] > 0 {
			e.s.Expire(k, ttls[k])
		}
	}
	e.s.Get("a")
	e.s.Get("d")
	e.clock.Advance(time.Minute)
	size := mustUsage(t, e.s, want)
	if err := e.s.SetMaxMemory(e.s.Stats().UsedMemory - 1); err != nil {
		t.Fatal(err)
	}
	got := e.s.Events()
	if len(got) != 1 || got[0].key != want {
		t.Fatalf("evicted %v, want %s", got, want)
	}
	v.mu.Lock()
	seen := *v.seen
	v.mu.Unlock()
	wantTTL := ttls[want]
	if wantTTL > 0 {
		wantTTL -= time.Minute
	}
	switch {
	case !seen.ok || seen.entry.Size != size || seen.entry.TTL != wantTTL:
		t.Fatalf("view entry %+v (ok %v), want Size %d (MemoryUsage) and TTL %v", seen.entry, seen.ok, size, wantTTL)
	case seen.len != 4 || seen.volatile != 2:
		t.Fatalf("view Len %d, Volatile %d; want 4 and 2", seen.len, seen.volatile)
	case seen.samples < 1 || seen.samples > 64:
		t.Fatalf("view Samples %d, want 1 to maxmemory-samples (64)", seen.samples)
	case !(seen.idle[0] > seen.idle[1] && seen.idle[1] > seen.idle[2]):
		t.Fatalf("Idle of c, b, d = %v, want decreasing: c was used first, d last", seen.idle)
	}
}

// A cache given a Seed replays the same way: two caches with the same seed
// and the same calls evict the same keys, in the same order, under the
// policies that choose at random. (Keys of a type without a fixed hash,
// such as a struct, are placed in shards by a per-process seed, so only
// string and integer keys are held to it.)
func TestContractSeedReplays(t *testing.T) {
	for _, name := range []string{"allkeys-random", "allkeys-lfu", "volatile-random"} {
		p, _ := maxmem.ParsePolicy(name)
		t.Run(name, func(t *testing.T) {
			forEachLayout(t, false, func(t *testing.T, l layout) {
				if l.name == "generic-struct-sizer" {
					return
				}
				a, b := seededRun(t, l, p), seededRun(t, l, p)
				if len(a) == 0 || !slices.Equal(a, b) {
					t.Fatalf("two runs with one seed evicted %v and %v", a, b)
				}
			})
		})
	}
}

// seededRun writes 200 keys with a TTL, reading some, into room for 40
// entries over 8 shards and returns the keys evicted.
func seededRun(t *testing.T, l layout, p maxmem.Policy) []string {
	unit := chargeOf(t, l, key(0), 0)
	s := l.open(t, setup{max: 40 * unit, policy: p, shards: 8})
	for i := range 200 {
		if err := s.SetWithTTL(key(i), i, time.Hour); err != nil {
			t.Fatal(err)
		}
		s.Get(key(i / 2))
		runtime.Gosched() // invites the scheduler to move the goroutine
	}
	var evicted []string
	for _, ev := range s.Events() {
		evicted = append(evicted, ev.key)
	}
	return evicted
}

// volatile-ttl evicts keys close to expiring across shards: each write
// takes the earliest deadline the shards publish, which is at least as
// close as Redis's choice from a sample of five keys and its pool of
// sixteen. With 64 deadlines spread over 8
// shards and 8 writes that evict, the mean rank of the deadlines evicted,
// over 10 caches (each with its own hash seed, so its own spread of keys),
// is no worse than that of Redis's choice, modelled here over 1000 runs.
func TestContractVolatileTTLAcrossShards(t *testing.T) {
	forEachLayout(t, false, func(t *testing.T, l layout) {
		const runs = 10
		sum := 0
		for range runs {
			for _, m := range volatileTTLRun(t, l) {
				sum += m
			}
		}
		got, want := float64(sum)/(8*runs), redisTTLMeanRank(1000)
		if got > want {
			t.Fatalf("the 8 keys evicted expire in %.2f minutes on the mean (of 1 to 64), Redis's sample in %.2f", got, want)
		}
	})
}

// volatileTTLRun writes 64 keys with TTLs of 1 to 64 minutes over 8
// shards, then 8 more keys that each evict one, and returns the TTLs, in
// minutes, of the keys evicted.
func volatileTTLRun(t *testing.T, l layout) []int {
	unit := chargeOf(t, l, key(0), 0)
	s := l.open(t, setup{max: 64 * unit, policy: maxmem.VolatileTTL, shards: 8})
	for i := range 64 { // deadlines in an order unrelated to the keys' shards
		if err := s.SetWithTTL(key(i), i, time.Duration(1+(i*37)%64)*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 8 {
		if err := s.SetWithTTL(key(100+i), i, time.Hour*2); err != nil {
			t.Fatal(err)
		}
	}
	var got []int
	for _, ev := range s.Events() {
		got = append(got, (ev.value*37)%64+1) // the minutes of its TTL
	}
	if len(got) != 8 {
		t.Fatalf("8 writes evicted %d keys", len(got))
	}
	return got
}

// redisTTLMeanRank models Redis's volatile-ttl on the same scene, runs
// times: each eviction samples five of the remaining keys into a pool of
// the sixteen soonest seen, and evicts the pool's soonest. It returns the
// mean TTL, in minutes, of the keys evicted.
func redisTTLMeanRank(runs int) float64 {
	r := rand.New(rand.NewPCG(1, 2))
	sum := 0
	for range runs {
		left := make([]int, 64)
		for i := range left {
			left[i] = i + 1
		}
		var pool []int
		for range 8 {
			for range 5 {
				pool = append(pool, left[r.IntN(len(left))])
			}
			slices.Sort(pool)
			pool = slices.Compact(pool)[:min(16, len(slices.Compact(pool)))]
			victim := pool[0]
			pool = pool[1:]
			sum += victim
			left = slices.DeleteFunc(left, func(m int) bool { return m == victim })
		}
	}
	return float64(sum) / float64(8*runs)
}

// PERSIST of a key without a TTL changes nothing and answers false, but,
// as in Redis (OBJECT IDLETIME drops to 0), it looks the key up for
// writing: an access for LRU, and no modification for LRM.
func TestContractPersistWithoutTTLIsAnAccess(t *testing.T) {
	for _, tc := range []struct {
		policy string
		victim string
	}{{"allkeys-lru", key(1)}, {"allkeys-lrm", key(0)}} {
		p, _ := maxmem.ParsePolicy(tc.policy)
		t.Run(tc.policy, func(t *testing.T) {
			forEachLayout(t, false, func(t *testing.T, l layout) {
				e := newEnv(t, l, p, 3)
				for i := range 3 {
					e.set(key(i), i)
				}
				if e.s.Persist(key(0)) {
					t.Fatal("Persist of a key without a TTL answered true")
				}
				e.set(key(3), 3)
				got := e.s.Events()
				if len(got) != 1 || got[0].key != tc.victim || got[0].reason != maxmem.Evicted {
					t.Fatalf("Persist then a write: OnEvict %v, want %s evicted", got, tc.victim)
				}
			})
		})
	}
}
