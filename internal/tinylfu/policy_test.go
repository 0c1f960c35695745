package tinylfu

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// shard is a fake shard for the policy: entries by slot, each with a hash
// and a charge, in a budget of nominal bytes. Like the real one, it moves
// its last entry into the slot of one it removes.
type shard struct {
	hashes  []uint32 // by slot; slot 0 unused
	charges []int64
	nominal int64
	rng     *rand.Rand
	p       *Policy
}

func newShard(nominal int64) *shard {
	s := &shard{hashes: []uint32{0}, charges: []int64{0}, nominal: nominal, rng: rand.New(rand.NewPCG(1, 2))}
	s.p = New(s)
	return s
}

func (s *shard) Charge(slot uint32) int64 { return s.charges[slot] }
func (s *shard) Hash(slot uint32) uint32  { return s.hashes[slot] }
func (s *shard) Len() uint32              { return uint32(len(s.hashes) - 1) }
func (s *shard) Nominal() int64           { return s.nominal }
func (s *shard) Rand() uint64             { return s.rng.Uint64() }

// insert adds an entry of key k (its hash) charged 1, evicting the
// policy's victims while the shard holds more than its nominal bytes.
func (s *shard) insert(k uint32) uint32 {
	s.hashes = append(s.hashes, k)
	s.charges = append(s.charges, 1)
	slot := s.Len()
	s.p.Insert(slot, k, 1)
	s.p.Grow()
	for int64(s.Len()) > s.nominal {
		s.remove(s.p.Victim(), true)
	}
	return s.slotOf(k)
}

// remove takes the entry at slot out, moving the last into its place.
func (s *shard) remove(slot uint32, evicted bool) {
	s.p.Remove(slot, s.charges[slot], evicted)
	last := s.Len()
	if slot != last {
		s.p.Move(last, slot)
		s.hashes[slot], s.charges[slot] = s.hashes[last], s.charges[last]
	}
	s.hashes, s.charges = s.hashes[:last], s.charges[:last]
	s.p.Trim(s.Len())
}

// slotOf returns the slot of key k, 0 if absent.
func (s *shard) slotOf(k uint32) uint32 {
	for slot, h := range s.hashes {
		if slot > 0 && h == k {
			return uint32(slot)
		}
	}
	return 0
}

// request is a look-aside request: a hit is an access, a miss an insert.
func (s *shard) request(k uint32) bool {
	if slot := s.slotOf(k); slot != 0 {
		s.p.Access(slot, k)
		return true
	}
	s.p.Misses(1)
	s.insert(k)
	return false
}

// The sketch counts nothing while the shard fills, until it first holds
// half its nominal bytes; from then on it counts every request.
func TestSketchWaitsForHalfFull(t *testing.T) {
	s := newShard(100)
	for k := range uint32(40) {
		slot := s.insert(k + 1)
		for range 3 {
			s.p.Access(slot, k+1)
		}
	}
	if est := s.p.sketch.Estimate(1); est != 0 || s.p.warm {
		t.Fatalf("at 40 %% of the budget: estimate %d, warm %v", est, s.p.warm)
	}
	for k := uint32(41); k <= 60; k++ {
		s.insert(k)
	}
	s.p.Access(s.slotOf(1), 1)
	s.p.Access(s.slotOf(1), 1)
	if est := s.p.sketch.Estimate(1); est != 2 || !s.p.warm {
		t.Fatalf("past half: estimate %d after two reads, warm %v", est, s.p.warm)
	}
}

// A candidate at least warmFloor times requested wins against a victim as
// frequent about one time in warmOdds; below warmFloor, never.
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
			s.p.sketch.Increment(1)
			s.p.sketch.Increment(2)
		}
		wins := 0
		for range 100 * warmOdds {
			if s.p.admit(1, 2) {
				wins++
			}
		}
		if wins < tc.min || wins > tc.max {
			t.Errorf("both at %d: the candidate won %d of %d duels, want %d to %d", tc.count, wins, 100*warmOdds, tc.min, tc.max)
		}
	}
}

// A key that loses its duel leaves a ghost; written again while the ghost
// is kept, it skips the window for probation, the ghost goes, and the
// climber hears of a ghost hit.
func TestGhostSkipsTheWindow(t *testing.T) {
	s := newShard(100)
	s.p.sketch.Resize(1000)
	s.p.ghosts.Resize(10)
	for range 4 {
		for k := uint32(1); k <= 120; k++ {
			s.request(k)
		}
	}
	var ghost uint32
	for k := uint32(1000); k < 1020; k++ {
		s.insert(k) // once-seen keys: most lose their duels against the hot ones
	}
	for k := uint32(1000); k < 1020; k++ {
		if s.p.ghosts.Contains(k) && s.slotOf(k) == 0 {
			ghost = k
		}
	}
	if ghost == 0 {
		t.Fatal("20 once-seen keys written and no ghost of one that left")
	}
	slot := s.insert(ghost)
	if s.p.node(slot).list != probation || s.p.ghosts.Contains(ghost) || s.p.climb.ghostHits != 1 {
		t.Fatalf("key %d written again: list %d, ghost %v, ghost hits %d",
			ghost, s.p.node(slot).list, s.p.ghosts.Contains(ghost), s.p.climb.ghostHits)
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

// recencyFlat returns recency-biased requests for a cache of n entries:
// each the key at an LRU stack depth drawn evenly from 1 to 1.5n, or, one
// time in ten (or when the stack is not that deep yet), a fresh key. LRU
// hits about 60 %; how often a key was requested says nothing of its
// future (bench's recency-flat generator).
func recencyFlat(n, requests int) []uint32 {
	r := rand.New(rand.NewPCG(13, 2))
	var stack []uint32 // most recent last
	keys := make([]uint32, requests)
	fresh := uint32(1 << 30)
	for i := range keys {
		d := 1 + r.IntN(n+n/2)
		if r.Float64() < 0.1 || d > len(stack) {
			fresh++
			keys[i] = fresh
		} else {
			at := len(stack) - d
			keys[i] = stack[at]
			stack = slices.Delete(stack, at, at+1)
		}
		stack = append(stack, keys[i])
		if len(stack) > 2*n {
			stack = stack[len(stack)-2*n:]
		}
	}
	return keys
}

// On recency-biased traffic the ghost hint takes the window far beyond
// where the climber alone leaves it, and the hit ratio with it.
func TestGhostHintOnRecencyTraffic(t *testing.T) {
	const n = 400
	keys := recencyFlat(n, 50*n)
	run := func(hint bool) (float64, float64) {
		s := newShard(n)
		if !hint {
			s.p.climb.hintShare = 0
		}
		hits := 0
		for _, k := range keys {
			if s.request(k) {
				hits++
			}
		}
		return 100 * float64(hits) / float64(len(keys)), s.p.climb.window
	}
	hw, ww := run(true)
	h, w := run(false)
	t.Logf("recency-flat@%d: with the hint %.2f %% (window %.3f), without %.2f %% (window %.3f)", n, hw, ww, h, w)
	if ww < 2*w || hw <= h {
		t.Errorf("with the hint %.2f %% (window %.3f), without %.2f %% (window %.3f)", hw, ww, h, w)
	}
}
