package maxmem

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// newHeapLedger returns a ledger with n zero nodes, for driving a ttlHeap.
func newHeapLedger(n uint32) *ledger {
	l := &ledger{}
	l.slab.resize(n + 1)
	return l
}

// checkHeap verifies the heap order and that every recorded position is
// right.
func checkHeap(t *testing.T, h *ttlHeap, l *ledger) {
	t.Helper()
	for i := range h.Len() {
		if got := l.node(h.At(i)).heapPos; int(got) != i {
			t.Fatalf("slot %d at %d records position %d", h.At(i), i, got)
		}
		if i > 0 && l.head(h.At((i-1)/2)).expireAt > l.head(h.At(i)).expireAt {
			t.Fatalf("heap order broken at %d", i)
		}
	}
}

func TestTTLHeapRandomOperations(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	l := newHeapLedger(200)
	var h ttlHeap
	live := map[uint32]bool{}
	for step := range 5000 {
		slot := uint32(r.IntN(200) + 1)
		n := l.head(slot)
		switch {
		case !live[slot]:
			n.expireAt = r.Int64N(1000)
			h.Push(l, slot)
			live[slot] = true
		case step%3 == 0:
			h.Remove(l, int(l.node(slot).heapPos))
			delete(live, slot)
		default:
			n.expireAt = r.Int64N(1000)
			h.Fix(l, int(l.node(slot).heapPos))
		}
		checkHeap(t, &h, l)
		if h.Len() != len(live) {
			t.Fatalf("Len = %d, want %d", h.Len(), len(live))
		}
	}
}

func TestTTLHeapPopsInDeadlineOrder(t *testing.T) {
	l := newHeapLedger(50)
	var h ttlHeap
	want := []int64{}
	for i := uint32(1); i <= 50; i++ {
		d := int64((i * 37) % 101)
		l.head(i).expireAt = d
		want = append(want, d)
		h.Push(l, i)
	}
	slices.Sort(want)
	var got []int64
	for len(got) <= len(want) && h.Len() > 0 { // a heap that does not shrink yields too many
		got = append(got, l.head(h.Min()).expireAt)
		h.Remove(l, 0)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pop order %v, want %v", got, want)
	}
}

func TestTTLHeapRelocate(t *testing.T) {
	l := newHeapLedger(9)
	l.head(1).expireAt, l.head(2).expireAt = 5, 3
	var h ttlHeap
	h.Push(l, 1)
	h.Push(l, 2)
	*l.head(9), *l.node(9) = *l.head(1), *l.node(1)
	h.Relocate(l, int(l.node(1).heapPos), 9)
	checkHeap(t, &h, l)
	if h.At(int(l.node(9).heapPos)) != 9 {
		t.Fatalf("relocated slot not found at its position")
	}
}
