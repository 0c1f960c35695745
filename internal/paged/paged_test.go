package paged

import (
	"math/rand/v2"
	"testing"
)

// Pages keep every element they were resized over, zero those they grow
// into, and hold at most one partial page.
func TestResize(t *testing.T) {
	var p Pages[uint32]
	r := rand.New(rand.NewPCG(1, 2))
	n := uint32(0)
	for step := range 3000 {
		next := uint32(r.IntN(5 * Size))
		if step%2 == 0 {
			next = n + uint32(r.IntN(3)) // mostly one at a time, as a shard grows
		}
		p.Resize(next, nil)
		for i := uint32(0); i < next; i++ {
			want := uint32(0)
			if i < n {
				want = i + 1
			}
			if got := *p.At(i); got != want {
				t.Fatalf("step %d: element %d of %d is %d, want %d", step, i, next, got, want)
			}
			*p.At(i) = i + 1
		}
		for i, page := range p.pages {
			if i < len(p.pages)-1 && len(page) != Size {
				t.Fatalf("step %d: page %d of %d holds %d, want a full page", step, i, len(p.pages), len(page))
			}
		}
		if whole := int(next+mask) >> Bits; len(p.pages) != whole {
			t.Fatalf("step %d: %d pages for %d elements, want %d", step, len(p.pages), next, whole)
		}
		n = next
	}
}

// A resize that changes a page replaces it and the page list, so that a
// reader holding the old list still reads what it held.
func TestResizeReplacesWhatItChanges(t *testing.T) {
	var p Pages[int]
	p.Resize(10, nil)
	*p.At(3) = 7
	old := p.List()
	if !p.Resize(2000, nil) {
		t.Fatal("growing past a page did not report a change")
	}
	*p.At(3) = 8
	if old[0][3] != 7 || *p.At(3) != 8 {
		t.Fatalf("the old page list sees %d, the new %d", old[0][3], *p.At(3))
	}
}
