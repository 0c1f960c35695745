// Package paged is an array addressed by slot, in pages of 1024 elements,
// so that it grows without copying what it holds and its slack is part of
// one page: the heads and links of a shard's entries, and the keys and
// values of the generic layout.
//
// Invariant: every page but the last is full; the last holds between a
// quarter and all of its length in use (it grows by doubling up to a full
// page and shrinks by halving), and elements past the length asked for
// are zero.
package paged

// Bits sets the page size: 1024 elements.
const (
	Bits = 10
	Size = 1 << Bits
	mask = Size - 1
)

// Pages is the array. The zero value holds nothing. It is not safe for
// concurrent use; Copy lets a caller publish what it holds to readers.
type Pages[T any] struct {
	pages [][]T
}

// At returns element i, which must be addressable (see Fit).
func (p *Pages[T]) At(i uint32) *T { return &p.pages[i>>Bits][i&mask] }

// List returns the pages, for a caller that publishes them to readers
// without a lock: Fit and Resize replace the pages they change rather
// than change them in place (copy is the copy function elements need).
func (p *Pages[T]) List() [][]T { return p.pages }

// Fit makes element n addressable, or lets pages go once fewer than half
// the addressable elements are in use (n of them): it does not shrink and
// grow back at every removal and insertion around a boundary. It reports
// whether the page list changed.
func (p *Pages[T]) Fit(n uint32, copy func(dst, src []T)) bool {
	if !p.Fits(n) {
		return p.Resize(n+1, copy)
	}
	return false
}

// Fits reports whether Fit(n) would leave the pages as they are.
func (p *Pages[T]) Fits(n uint32) bool {
	c := p.Len()
	return n < c && (n >= c/2 || c <= Size)
}

// Len returns how many elements are addressable.
func (p *Pages[T]) Len() uint32 {
	if len(p.pages) == 0 {
		return 0
	}
	return uint32((len(p.pages)-1)*Size + len(p.pages[len(p.pages)-1]))
}

// Reset lets go of every page.
func (p *Pages[T]) Reset() { p.pages = nil }

// Resize makes elements 0 to n-1 addressable, keeping those that were and
// zeroing those beyond n in the last page, and reports whether the page
// list changed. A page whose length must change is replaced by a new one,
// filled by copy (nil: the built-in copy); the page list is replaced, not
// changed in place, whenever a page is added, replaced or dropped.
func (p *Pages[T]) Resize(n uint32, copy func(dst, src []T)) bool {
	full, rest := int(n>>Bits), int(n&mask)
	want := full
	if rest > 0 {
		want++
	}
	next, changed := p.pages, false
	if len(next) > want {
		next, changed = append([][]T(nil), next[:want]...), true
	}
	for i := max(0, min(len(p.pages), want)-1); i < want; i++ {
		size := Size
		if i == full {
			size = rest
		}
		if i == len(next) {
			next, changed = append(append([][]T(nil), next...), nil), true
		}
		page := fit(next[i], size, copy)
		if len(page) != len(next[i]) || len(page) > 0 && &page[0] != &next[i][0] {
			if !changed {
				next, changed = append([][]T(nil), next...), true
			}
			next[i] = page
		}
	}
	p.pages = next
	return changed
}

// fit returns a page that holds at least n elements: page itself (its
// elements past n zeroed), or a copy at double its size (up to a full
// page) when it is too small, or at half its size once no more than a
// quarter of it is in use. The length of the returned page is its
// capacity.
func fit[T any](page []T, n int, copyFn func(dst, src []T)) []T {
	if copyFn == nil {
		copyFn = func(dst, src []T) { copy(dst, src) }
	}
	switch c := len(page); {
	case n > c:
		grown := make([]T, min(Size, max(2*c, n, 8)))
		copyFn(grown, page)
		return grown
	case c > 16 && n <= c/4:
		shrunk := make([]T, c/2)
		copyFn(shrunk, page[:n])
		return shrunk
	}
	clear(page[n:])
	return page
}
