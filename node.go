package maxmem

// Nodes
//
// A shard keeps the bookkeeping of each entry in a node: its recency stamp
// and list links, its deadline, its charge, its place in the TTL heap and
// its LFU counter. Nodes hold no pointers, so the garbage collector never
// scans them, and the recency lists and the TTL heap link nodes by slot
// number, not by pointer. The code that keeps them is not generic: it is
// compiled once, in this package, where the compiler can inline it.
//
// Slots number a shard's entries from 1; slot 0 is never used, so 0 means
// "none" in the lists and a zero node is unlinked. The slots in use are
// dense, 1 to n (a removal moves the last entry into the gap), so a uniform
// sample is one random slot.
//
// Nodes, like every per-slot array of a shard, live in pages of pageSize
// (see paged): the arrays grow without copying what they hold, and their
// slack is a part of one page.

// node is one entry's bookkeeping: 48 bytes.
type node struct {
	stamp uint64 // recency: the time of the last access, or of the last
	//                 modification while the policy tracks modification (LRM)
	expireAt int64 // unix nanoseconds; 0: no TTL
	charge   int64 // bytes charged: size plus EntryOverhead
	ref      uint64
	links    links  // place in its list (see listOf)
	heapPos  uint32 // position in the TTL heap, when expireAt != 0
	lfuTime  uint16 // minute stamp of the last LFU update
	freq     uint8  // LFU counter
	list     uint8  // in the admission layout: window, probation or protected
}

// links are a node's neighbours in its list: prev towards the front, next
// towards the back.
type links struct {
	prev, next uint32
}

// class returns the list of n in the classic layout: persistent or
// volatile.
func (n *node) class() uint8 {
	if n.expireAt != 0 {
		return volatile
	}
	return persistent
}

// expired reports whether n has passed its deadline at now.
func (n *node) expired(now int64) bool {
	return n.expireAt != 0 && n.expireAt <= now
}

// pageBits sets the page size of the per-slot arrays: 1024 slots.
const (
	pageBits = 10
	pageSize = 1 << pageBits
	pageMask = pageSize - 1
)

// paged is an array addressed by slot, kept in pages of pageSize elements.
// Every page but the last is full; the last grows by doubling up to a full
// page, so a small array stays small. Growing never moves an element, and
// the memory beyond the elements in use is at most half of one page.
type paged[T any] struct {
	pages [][]T
}

// at returns element i, which must be below the length set by resize.
func (p *paged[T]) at(i uint32) *T { return &p.pages[i>>pageBits][i&pageMask] }

// resize makes elements 0 to n-1 addressable, keeping those that were and
// zeroing the rest, and releases the pages beyond them. Only the last page
// or two change, so it costs O(1) pages.
func (p *paged[T]) resize(n uint32) {
	full, rest := int(n>>pageBits), int(n&pageMask)
	pages := full
	if rest > 0 {
		pages++
	}
	for len(p.pages) > pages {
		p.pages[len(p.pages)-1] = nil
		p.pages = p.pages[:len(p.pages)-1]
	}
	for i := max(0, len(p.pages)-1); i < pages; i++ {
		want := pageSize
		if i == full {
			want = rest
		}
		if i == len(p.pages) {
			p.pages = append(p.pages, nil)
		}
		if len(p.pages[i]) != want {
			p.pages[i] = p.fit(p.pages[i], want)
		}
	}
}

// fit returns page with length n: it grows the page by doubling (within a
// page) when n is beyond its capacity, and halves it once no more than a
// quarter is in use. Elements past n are zeroed.
func (p *paged[T]) fit(page []T, n int) []T {
	switch c := cap(page); {
	case n > c:
		grown := make([]T, n, min(pageSize, max(2*c, n, 8)))
		copy(grown, page)
		return grown
	case c > 16 && n <= c/4:
		shrunk := make([]T, n, c/2)
		copy(shrunk, page[:n])
		return shrunk
	case n < len(page):
		clear(page[n:])
	}
	return page[:n]
}

// bytes returns the memory the pages hold.
func (p *paged[T]) bytes(elem int64) int64 {
	var n int64
	for _, page := range p.pages {
		n += int64(cap(page)) * elem
	}
	return n
}
