package tinylfu

import (
	"math/rand/v2"
	"testing"
)

// shard is a fake shard for the policy: entries by slot, each with a key,
// its hash and a charge, in a budget of nominal bytes. Like the real one,
// it evicts for a new entry before inserting it, pays what the policy
// owes by evicting, and moves its last entry into the slot of one it
// removes. The policy's own bytes count against the budget only when
// inside is set; the entries are charged charge bytes each (1 unless
// set).
type shard struct {
	keys    []uint32 // by slot; slot 0 unused
	hashes  []uint32
	charges []int64
	slots   map[uint32]uint32 // key to slot
	nominal int64
	charge  int64
	inside  bool
	noJudge bool  // the judge gets no ring: it records nothing and follows the sketch
	used    int64 // the entries' charges, and the policy's bytes if inside
	rng     *rand.Rand
	p       *Policy
}

func newShard(nominal int64) *shard {
	s := &shard{
		keys: []uint32{0}, hashes: []uint32{0}, charges: []int64{0}, slots: map[uint32]uint32{},
		nominal: nominal, charge: 1, rng: rand.New(rand.NewPCG(1, 2)),
	}
	s.p = New(s)
	return s
}

func (s *shard) Charge(slot uint32) int64 { return s.charges[slot] }
func (s *shard) Hash(slot uint32) uint32  { return s.hashes[slot] }
func (s *shard) Len() uint32              { return uint32(len(s.keys) - 1) }
func (s *shard) Nominal() int64           { return s.nominal }
func (s *shard) Rand() uint64             { return s.rng.Uint64() }

// hash32 mixes a key into its hash bits (murmur3's finalizer: a
// bijection, so distinct keys never share a fingerprint).
func hash32(k uint32) uint32 {
	k ^= k >> 16
	k *= 0x85ebca6b
	k ^= k >> 13
	k *= 0xc2b2ae35
	return k ^ k>>16
}

// insert adds an entry of key k, evicting the policy's victims first
// while it does not fit, then for what the policy owes.
func (s *shard) insert(k uint32) uint32 {
	for s.used+s.charge > s.nominal && s.Len() > 0 {
		s.remove(s.p.Victim(), true)
	}
	s.keys, s.hashes, s.charges = append(s.keys, k), append(s.hashes, hash32(k)), append(s.charges, s.charge)
	slot := s.Len()
	s.slots[k] = slot
	s.used += s.charge
	s.p.Insert(slot, hash32(k), s.charge)
	if o := s.p.Owed(); o != 0 {
		if s.inside {
			for s.used+o > s.nominal && s.Len() > 1 {
				s.remove(s.p.Victim(), true)
			}
			s.used += o
		}
		s.p.Grow()
		if s.noJudge {
			s.p.judge = judge{}
		}
	}
	return s.slots[k]
}

// remove takes the entry at slot out, moving the last into its place.
func (s *shard) remove(slot uint32, evicted bool) {
	s.p.Remove(slot, s.charges[slot], evicted)
	s.used -= s.charges[slot]
	delete(s.slots, s.keys[slot])
	last := s.Len()
	if slot != last {
		s.p.Move(last, slot)
		s.keys[slot], s.hashes[slot], s.charges[slot] = s.keys[last], s.hashes[last], s.charges[last]
		s.slots[s.keys[slot]] = slot
	}
	s.keys, s.hashes, s.charges = s.keys[:last], s.hashes[:last], s.charges[:last]
	s.p.Trim(s.Len())
}

// slotOf returns the slot of key k, 0 if absent.
func (s *shard) slotOf(k uint32) uint32 { return s.slots[k] }

// request is a look-aside request: a hit is an access, a miss an insert.
func (s *shard) request(k uint32) bool {
	if slot := s.slotOf(k); slot != 0 {
		s.p.Access(slot, hash32(k))
		return true
	}
	s.p.Misses(1)
	s.insert(k)
	return false
}

// replay requests keys and returns the hit ratio in percent.
func (s *shard) replay(keys []uint32) float64 {
	hits := 0
	for _, k := range keys {
		if s.request(k) {
			hits++
		}
	}
	return 100 * float64(hits) / float64(len(keys))
}

// The sketch counts nothing while the shard fills, until it first holds
// half its nominal bytes; from then on it counts every request.
func TestSketchWaitsForHalfFull(t *testing.T) {
	s := newShard(100)
	for k := range uint32(40) {
		slot := s.insert(k + 1)
		for range 3 {
			s.p.Access(slot, hash32(k+1))
		}
	}
	if est := s.p.sketch.Estimate(uint64(hash32(1))); est != 0 || s.p.warm {
		t.Fatalf("at 40 %% of the budget: estimate %d, warm %v", est, s.p.warm)
	}
	for k := uint32(41); k <= 60; k++ {
		s.insert(k)
	}
	s.p.Access(s.slotOf(1), hash32(1))
	s.p.Access(s.slotOf(1), hash32(1))
	if est := s.p.sketch.Estimate(uint64(hash32(1))); est != 2 || !s.p.warm {
		t.Fatalf("past half: estimate %d after two reads, warm %v", est, s.p.warm)
	}
}

// A candidate at least warmFloor times requested wins against a victim as
// frequent about one time in warmOdds; below warmFloor, never (the judge
// has no evidence: it follows the sketch).
func TestWarmAdmission(t *testing.T) {
	s := newShard(100)
	s.insert(1)
	s.insert(2)
	for _, tc := range []struct {
		count    int
		min, max int // wins in 100 × warmOdds duels
	}{{warmFloor - 1, 0, 0}, {warmFloor, 60, 140}, {15, 60, 140}} {
		s.p.sketch.Resize(1000)
		for range tc.count {
			s.p.sketch.Increment(uint64(hash32(1)))
			s.p.sketch.Increment(uint64(hash32(2)))
		}
		wins := 0
		for range 100 * warmOdds {
			if s.p.duel(1, 2) == 2 {
				wins++
			}
		}
		if wins < tc.min || wins > tc.max {
			t.Errorf("both at %d: the candidate won %d of %d duels, want %d to %d", tc.count, wins, 100*warmOdds, tc.min, tc.max)
		}
	}
}

// The lists hold every entry once, with their weights, through inserts,
// accesses, evictions, removals and moves.
func TestListsStayConsistent(t *testing.T) {
	s := newShard(200)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 20000 {
		k := uint32(1 + r.IntN(600))
		switch {
		case i%7 == 0 && s.slotOf(k) != 0:
			s.remove(s.slotOf(k), false)
		default:
			s.request(k)
		}
		if i%500 == 0 {
			if err := s.p.Check(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
	}
}

// The budget invariant: with the policy's own bytes inside the budget, the
// entries' charges and the sketch and judge never pass it; the sketch and
// the judge are sized together for the entries the budget holds, and the
// judge's duels in flight have their resident parties marked.
func TestPolicyMemoryStaysInTheBudget(t *testing.T) {
	for _, n := range []int64{16, 100, 3000} {
		s := newShard(64 * n)
		s.charge, s.inside = 64, true
		keys := append(reuse(int(n), 20*int(n)), loop(int(n+n/8), 20*int(n))...)
		for i, k := range keys {
			s.request(k)
			if s.used > s.nominal {
				t.Fatalf("n=%d, request %d: %d bytes used of %d", n, i, s.used, s.nominal)
			}
			if b := s.p.Bytes(); b != BytesFor(s.p.sketch.Capacity()) || s.used != int64(s.Len())*s.charge+b {
				t.Fatalf("n=%d, request %d: policy %d bytes, sized for %d entries (%d); used %d",
					n, i, b, s.p.sketch.Capacity(), BytesFor(s.p.sketch.Capacity()), s.used)
			}
			if i%997 == 0 {
				if err := s.p.Check(); err != nil {
					t.Fatalf("n=%d, request %d: %v", n, i, err)
				}
			}
		}
		capacity := s.p.sketch.Capacity()
		t.Logf("n=%d: %d entries, policy %d bytes (sketch %d, judge %d records), sized for %d",
			n, s.Len(), s.p.Bytes(), s.p.sketch.Bytes(), s.p.judge.duels.cap(), capacity)
		if capacity < int(s.Len()) || capacity > int(n) {
			t.Errorf("n=%d: sized for %d entries, holds %d", n, capacity, s.Len())
		}
	}
}
