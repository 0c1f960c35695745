package maxmem

import (
	"math/rand/v2"
	"testing"
)

// paged keeps every element it was resized over, zeroes those it grows
// into, and holds at most one partial page.
func TestPagedResize(t *testing.T) {
	var p paged[uint32]
	r := rand.New(rand.NewPCG(1, 2))
	n := uint32(0)
	for step := range 3000 {
		next := uint32(r.IntN(5 * pageSize))
		if step%2 == 0 {
			next = n + uint32(r.IntN(3)) // mostly one at a time, as a shard grows
		}
		p.resize(next)
		for i := uint32(0); i < next; i++ {
			want := uint32(0)
			if i < n {
				want = i + 1
			}
			if got := *p.at(i); got != want {
				t.Fatalf("step %d: element %d of %d is %d, want %d", step, i, next, got, want)
			}
			*p.at(i) = i + 1
		}
		for i, page := range p.pages {
			if i < len(p.pages)-1 && len(page) != pageSize {
				t.Fatalf("step %d: page %d of %d holds %d, want a full page", step, i, len(p.pages), len(page))
			}
		}
		if whole := int(next+pageMask) >> pageBits; len(p.pages) != whole {
			t.Fatalf("step %d: %d pages for %d elements, want %d", step, len(p.pages), next, whole)
		}
		n = next
	}
}
