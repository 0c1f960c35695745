package maxmem

// pageBits sets the page size of paged: 1024 elements.
const (
	pageBits = 10
	pageSize = 1 << pageBits
	pageMask = pageSize - 1
)

// paged is an array addressed by slot, in pages, so that it grows without
// copying what it holds: the keys and values of the generic layout. Every
// page but the last is full; the last grows by doubling up to a full
// page. Only the shard's lock holder reads it.
type paged[T any] struct {
	pages [][]T
}

// at returns element i, which must be addressable (see fit).
func (p *paged[T]) at(i uint32) *T { return &p.pages[i>>pageBits][i&pageMask] }

// fit makes element n addressable, or lets pages go once fewer than half
// the addressable elements are in use: it does not shrink and grow back
// at every removal and insertion around a boundary. Elements past n must
// be zeroed by the caller when they are given up.
func (p *paged[T]) fit(n uint32) {
	if c := p.addressable(); n >= c || n < c/2 && c > pageSize {
		p.resize(n + 1)
	}
}

// addressable returns how many elements the pages hold.
func (p *paged[T]) addressable() uint32 {
	if len(p.pages) == 0 {
		return 0
	}
	return uint32((len(p.pages)-1)*pageSize + len(p.pages[len(p.pages)-1]))
}

// resize makes elements 0 to n-1 addressable, keeping those that were.
// Only the pages whose length must change are replaced.
func (p *paged[T]) resize(n uint32) {
	full, rest := int(n>>pageBits), int(n&pageMask)
	want := full
	if rest > 0 {
		want++
	}
	if len(p.pages) > want {
		clear(p.pages[want:])
		p.pages = p.pages[:want]
	}
	for len(p.pages) < want {
		p.pages = append(p.pages, nil)
	}
	for i := range p.pages {
		size := pageSize
		if i == full {
			size = rest
		}
		if len(p.pages[i]) < size || i == full {
			p.pages[i] = fitPage(p.pages[i], size)
			clear(p.pages[i][size:]) // what the collector must not keep, and what a regrowth must find zero
		}
	}
}

// fitPage returns a page that holds at least n elements: page itself, or
// a copy at double its size (up to a full page) when it is too small, or
// at half its size once no more than a quarter of it is in use. The
// length of the returned page is its capacity.
func fitPage[T any](page []T, n int) []T {
	switch c := len(page); {
	case n > c:
		grown := make([]T, min(pageSize, max(2*c, n, 8)))
		copy(grown, page)
		return grown
	case c > 16 && n <= c/4:
		shrunk := make([]T, c/2)
		copy(shrunk, page[:n])
		return shrunk
	}
	return page
}
