package shard

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/maxmem/maxmem/internal/budget"
)

// harness is a shard of the packed layout with a budget, a fake clock and
// a model of what it should hold, as a cache would drive it.
type harness struct {
	s     Shard
	cfg   Config
	b     *budget.Budget
	now   atomic.Int64
	seed  maphash.Seed
	model map[string]string
}

func newHarness(t testing.TB, p Policy, max int64) *harness {
	t.Helper()
	h := &harness{seed: maphash.MakeSeed(), model: map[string]string{}}
	h.now.Store(1_700_000_000_000_000_000)
	h.cfg = Config{
		Now:        h.now.Load,
		HashString: h.hash,
		Overhead:   HeadBytes + 4 + IndexBytes + 2,
		Samples:    5,
		LogFactor:  10,
		CustomSize: true,
		Nominal:    func() int64 { return max },
	}
	h.cfg.Policy.Store(&p)
	var leases []budget.Lease
	h.b, leases = budget.New(max, 1)
	h.s.Init(&h.cfg, &leases[0], true, 1, 1)
	return h
}

func (h *harness) hash(k string) uint32 { return uint32(maphash.String(h.seed, k)) }

// set writes key as a cache does, evicting the shard's victims until the
// entry fits; it reports false when nothing could be evicted.
func (h *harness) set(key, value string, expireAt int64) bool {
	ok := write(&h.s, key, h.hash(key), []byte(value), expireAt, func(slot uint32) {
		delete(h.model, string(h.s.KeyLocked(slot)))
	})
	if ok {
		h.model[key] = value
	}
	return ok
}

// write stores value under key, whose hash bits are hk, as the cache's
// write path does: it evicts the shard's victims, telling evicted of each
// before it goes, until the entry fits, and reports false when nothing
// could be evicted.
func write(s *Shard, key string, hk uint32, value []byte, expireAt int64, evicted func(slot uint32)) bool {
	s.Lock()
	defer s.Unlock()
	size := int64(len(key) + len(value))
	for {
		slot, found := s.FindPackedLocked(key, hk)
		need := s.EntryChargeLocked(size)
		if found {
			need -= s.ChargeLocked(slot)
		}
		if s.Lease.Take(need) {
			if found {
				s.UpdateLocked(slot, s.ReplaceLocked(slot, key, value, size), expireAt)
			} else {
				s.InsertLocked(hk, s.PutLocked(key, value, size), expireAt)
			}
			return true
		}
		v, ok := s.VictimLocked()
		if !ok {
			return false
		}
		evicted(v.Slot)
		charge, _ := s.RemoveLocked(v.Slot, true)
		s.Lease.Release(charge)
	}
}

// remove takes out the entry at slot of the locked shard.
func (h *harness) remove(slot uint32, evicted bool) {
	delete(h.model, string(h.s.KeyLocked(slot)))
	charge, _ := h.s.RemoveLocked(slot, evicted)
	h.s.Lease.Release(charge)
}

func (h *harness) del(key string) {
	h.s.Lock()
	defer h.s.Unlock()
	if slot, ok := h.s.FindPackedLocked(key, h.hash(key)); ok {
		h.remove(slot, false)
	}
}

// check verifies the shard's invariants and that it holds the model.
func (h *harness) check(t *testing.T) {
	t.Helper()
	h.s.Lock()
	defer h.s.Unlock()
	if err := h.s.CheckLocked(); err != nil {
		t.Fatal(err)
	}
	if int(h.s.LenLocked()) != len(h.model) {
		t.Fatalf("shard holds %d entries, model %d", h.s.LenLocked(), len(h.model))
	}
	for k, want := range h.model {
		v, ok, done := h.s.Get(k, h.hash(k))
		if !done || !ok || string(v) != want {
			t.Fatalf("Get(%q) = %q, %v, %v; want %q", k, v, ok, done, want)
		}
	}
}

// The shard keeps its invariants and its entries through random writes,
// rewrites, deletions, TTL changes and evictions, under every kind of
// policy.
func TestAgainstModel(t *testing.T) {
	for _, p := range []Policy{{Kind: LRU}, {Kind: LFU, Frequency: true}, {Kind: TTL, Volatile: true},
		{Kind: Random}, {Kind: LRM, Modification: true}, {Kind: TinyLFU}} {
		t.Run(fmt.Sprint(p.Kind), func(t *testing.T) {
			h := newHarness(t, p, 20_000)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range 20_000 {
				k := fmt.Sprint("key", r.IntN(400))
				switch r.IntN(6) {
				case 0:
					h.del(k)
				case 1:
					h.set(k, fmt.Sprint(i), h.now.Load()+int64(1+r.IntN(1000)))
				default:
					h.set(k, fmt.Sprint(i, "-", r.IntN(1000)), 0)
				}
				if i%1000 == 0 {
					h.check(t)
				}
			}
			h.check(t)
			if used := h.b.Used(); used > 20_000 {
				t.Fatalf("used %d over the budget", used)
			}
		})
	}
}

// A shard that holds no more entries than it samples chooses exactly: the
// least recently used entry under LRU, the soonest deadline under TTL.
func TestSmallShardChoosesExactly(t *testing.T) {
	h := newHarness(t, Policy{Kind: LRU}, 1<<20)
	for i := range 5 {
		h.set(fmt.Sprint("k", i), "v", 0)
	}
	for _, k := range []string{"k0", "k1", "k3", "k4"} { // k2 is now the least recent
		h.s.Lock()
		slot, _ := h.s.FindPackedLocked(k, h.hash(k))
		h.s.AccessLocked(slot)
		h.s.Unlock()
	}
	h.s.Lock()
	v, ok := h.s.VictimLocked()
	got := string(h.s.KeyLocked(v.Slot))
	h.s.Unlock()
	if !ok || got != "k2" {
		t.Fatalf("victim %q, want k2", got)
	}
}

// A pooled candidate that was read since it was sampled is not evicted on
// the strength of its old rank: under LFU (LRU does not pool) the pool
// drops a candidate whose counter moved, and keeps one that did not.
func TestPoolDropsTouchedCandidates(t *testing.T) {
	p := Policy{Kind: LFU, Frequency: true}
	h := newHarness(t, p, 1<<20)
	for i := range 5 {
		h.set(fmt.Sprint("k", i), "v", 0)
	}
	h.s.Lock()
	defer h.s.Unlock()
	slot := func(k string) uint32 { s, _ := h.s.FindPackedLocked(k, h.hash(k)); return s }
	h.s.offerLocked(slot("k1"), &p)
	h.s.offerLocked(slot("k2"), &p)
	touched, kept := h.s.pool.c[0], h.s.pool.c[1]
	h.s.AccessLocked(slot("k1")) // a new counter's first access always counts
	if h.s.validLocked(touched, &p) {
		t.Error("the candidate read since it was pooled is still valid")
	}
	if !h.s.validLocked(kept, &p) {
		t.Error("the untouched candidate is no longer valid")
	}
	h.s.pool.reset()
	h.s.offerLocked(slot("k3"), &p)
	h.s.AccessLocked(slot("k3")) // k3's counter too is new: it moves
	h.s.cfg.Samples = 0          // the pool alone decides
	if v, ok := h.s.pooledLocked(&p); ok {
		t.Fatalf("the pool evicted %q on a stale rank", h.s.KeyLocked(v.Slot))
	}
}

// An expired entry is the victim before any other, under any policy.
func TestExpiredFirst(t *testing.T) {
	h := newHarness(t, Policy{Kind: LFU, Frequency: true}, 1<<20)
	h.set("a", "v", 0)
	h.set("b", "v", h.now.Load()+10)
	h.set("c", "v", 0)
	h.now.Add(10)
	h.s.Lock()
	defer h.s.Unlock()
	v, ok := h.s.VictimLocked()
	if got := string(h.s.KeyLocked(v.Slot)); !ok || !v.Expired || got != "b" {
		t.Fatalf("victim %q (expired %v), want b", got, v.Expired)
	}
}

// Gets without the lock never return another key's value and never miss a
// key that stays, while writers insert, rewrite, delete and evict around
// it (run with -race).
func TestGetUnderWrites(t *testing.T) {
	h := newHarness(t, Policy{Kind: LRU}, 40_000)
	for i := range 20 {
		h.set(fmt.Sprint("stay", i), fmt.Sprint("stay", i, "|"), 0)
	}
	var mu sync.Mutex // guards the model for the writers
	var wg sync.WaitGroup
	stop := atomic.Bool{}
	wg.Go(func() {
		r := rand.New(rand.NewPCG(3, 4))
		for i := 0; !stop.Load(); i++ {
			k := fmt.Sprint("churn", r.IntN(300))
			mu.Lock()
			if i%3 == 0 {
				h.del(k)
			} else {
				h.set(k, fmt.Sprint(k, "|", i), 0)
			}
			mu.Unlock()
		}
	})
	for g := range 2 {
		wg.Go(func() {
			defer stop.Store(true)
			for i := range 20_000 {
				k := fmt.Sprint("stay", (i+g)%20)
				v, ok, done := h.s.Get(k, h.hash(k))
				if done && (!ok || string(v) != k+"|") {
					t.Errorf("Get(%q) = %q, %v", k, v, ok)
					return
				}
				ck := fmt.Sprint("churn", i%300)
				if v, ok, _ := h.s.Get(ck, h.hash(ck)); ok && string(v[:len(ck)+1]) != ck+"|" {
					t.Errorf("Get(%q) = %q", ck, v)
					return
				}
			}
		})
	}
	wg.Wait()
}

// The clock counts writes and reads under the lock; every 2^30 ticks the
// stamps older than that come forward, so that an age never wraps.
func TestClockClampsOldStamps(t *testing.T) {
	h := newHarness(t, Policy{Kind: LRU}, 1<<20)
	h.set("old", "v", 0)
	h.s.Lock()
	defer h.s.Unlock()
	h.s.clock = 3<<30 - 1
	h.s.tick() // 3 << 30: a multiple of 2^30
	slot, _ := h.s.FindPackedLocked("old", h.hash("old"))
	if idle := h.s.IdleLocked(slot); idle != 1<<30 {
		t.Fatalf("idle %d after the clamp, want %d", idle, 1<<30)
	}
}

// OBJECT IDLETIME: the time since the start of the epoch of an entry's
// last access, by the cache clock.
func TestIdleTime(t *testing.T) {
	h := newHarness(t, Policy{Kind: LRU}, 1<<20)
	h.set("a", "v", 0)
	h.now.Add(5e9)
	for i := range 10 {
		h.set(fmt.Sprint("b", i), "v", 0) // ticks the clock into new epochs
	}
	h.now.Add(3e9)
	h.s.Lock()
	defer h.s.Unlock()
	a, _ := h.s.FindPackedLocked("a", h.hash("a"))
	b, _ := h.s.FindPackedLocked("b9", h.hash("b9"))
	if got := h.s.IdleTimeLocked(a); got != 8e9 {
		t.Errorf("idle time of a: %v, want 8s", got)
	}
	if got := h.s.IdleTimeLocked(b); got != 3e9 {
		t.Errorf("idle time of b9: %v, want 3s", got)
	}
}

// Recency ranks compare across shards by the time of the access, not by
// the shards' clocks, which count each shard's own writes and drift
// apart: an entry used earlier ranks higher in a shard that took many
// more writes.
func TestRecencyRanksCompareAcrossShards(t *testing.T) {
	busy, quiet := newHarness(t, Policy{Kind: LRU}, 1<<20), newHarness(t, Policy{Kind: LRU}, 1<<20)
	quiet.now.Store(busy.now.Load())
	for i := range 5000 {
		busy.set(fmt.Sprint("k", i%40), "v", 0)
	}
	busy.now.Add(5e6)
	busy.set("earlier", "v", 0)
	quiet.now.Add(10e6)
	quiet.set("later", "v", 0)
	rank := func(h *harness, key string) uint64 {
		h.s.Lock()
		defer h.s.Unlock()
		slot, _ := h.s.FindPackedLocked(key, h.hash(key))
		return h.s.RecencyRankLocked(slot)
	}
	if e, l := rank(busy, "earlier"), rank(quiet, "later"); e <= l {
		t.Fatalf("an entry used 5 ms earlier in a busier shard ranks %d, not above %d", e, l)
	}
}
