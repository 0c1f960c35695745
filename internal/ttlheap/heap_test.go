package ttlheap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// store is a test Store: deadlines and positions by slot.
type store struct {
	deadline map[uint32]int64
	pos      map[uint32]int
}

func (s *store) Deadline(slot uint32) int64      { return s.deadline[slot] }
func (s *store) SetHeapPos(slot uint32, pos int) { s.pos[slot] = pos }

// check verifies the heap order and that every recorded position is right.
func check(t *testing.T, h *Heap, s *store) {
	t.Helper()
	for i := range h.Len() {
		if got := s.pos[h.At(i)]; got != i {
			t.Fatalf("slot %d at %d records position %d", h.At(i), i, got)
		}
		if i > 0 && s.Deadline(h.At((i-1)/2)) > s.Deadline(h.At(i)) {
			t.Fatalf("heap order broken at %d", i)
		}
	}
}

func TestRandomOperations(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	s := &store{deadline: map[uint32]int64{}, pos: map[uint32]int{}}
	var h Heap
	live := map[uint32]bool{}
	for step := range 5000 {
		slot := uint32(r.IntN(200) + 1)
		switch {
		case !live[slot]:
			s.deadline[slot] = r.Int64N(1000)
			h.Push(s, slot)
			live[slot] = true
		case step%3 == 0:
			h.Remove(s, s.pos[slot])
			delete(live, slot)
		default:
			s.deadline[slot] = r.Int64N(1000)
			h.Fix(s, s.pos[slot])
		}
		check(t, &h, s)
		if h.Len() != len(live) {
			t.Fatalf("Len = %d, want %d", h.Len(), len(live))
		}
	}
}

func TestPopsInDeadlineOrder(t *testing.T) {
	s := &store{deadline: map[uint32]int64{}, pos: map[uint32]int{}}
	var h Heap
	want := []int64{}
	for i := uint32(1); i <= 50; i++ {
		d := int64((i * 37) % 101)
		s.deadline[i] = d
		want = append(want, d)
		h.Push(s, i)
	}
	slices.Sort(want)
	var got []int64
	for h.Len() > 0 {
		got = append(got, s.Deadline(h.Min()))
		h.Remove(s, 0)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pop order %v, want %v", got, want)
	}
}

func TestRelocate(t *testing.T) {
	s := &store{deadline: map[uint32]int64{1: 5, 2: 3}, pos: map[uint32]int{}}
	var h Heap
	h.Push(s, 1)
	h.Push(s, 2)
	s.deadline[9] = s.deadline[1]
	h.Relocate(s, s.pos[1], 9)
	check(t, &h, s)
	if h.At(s.pos[9]) != 9 {
		t.Fatalf("relocated slot not found at its position")
	}
}
