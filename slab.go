package maxmem

import "sync/atomic"

// The slab
//
// A shard keeps what it knows of each entry in two records, by slot. The
// head is what a Get reads: the entry's word (the place of its bytes in
// the packed layout, its size in the generic one; see store.go) and its
// deadline. The node is what the writer and the policy keep: the links of
// the entry's recency list, its list, its place in the TTL heap, the low
// half of its key's hash (so the index finds it again without rehashing
// the key), its recency stamp and its LFU counter. Heads are read by Gets
// that take no lock, so their fields are only ever written with atomic
// stores; nodes are only touched under the shard's lock. Neither holds a
// pointer, so the garbage collector never scans them.
//
// Slots number a shard's entries from 1; slot 0 is never used, so 0 means
// "none" in the lists and the index. The slots in use are dense, 1 to n
// (a removal moves the last entry into the gap), so a uniform sample is
// one random slot.
//
// Heads and nodes live in pages of pageSize: they grow without copying
// what they hold, and their slack is part of one page. The page list of
// heads is published through an atomic pointer and replaced, never
// changed in place, when a page is added, grown, shrunk or dropped.

// head is what Get reads of an entry: 16 bytes.
type head struct {
	word     uint64 // see store.go (atomic)
	expireAt int64  // unix nanoseconds; 0: no TTL (atomic)
}

// node is what the writer keeps of an entry: 28 bytes, every field four
// bytes wide or less, so that no padding rounds it up to 32.
type node struct {
	prev, next uint32    // neighbours in its list, towards the front and the back
	heapPos    uint32    // position in the TTL heap, when the entry has a TTL
	hash       uint32    // the low 32 bits of the key's hash, for the index
	stamp      [2]uint32 // recency (see recency.go), as two halves
	lfuTime    uint16    // minute of the last LFU update
	freq       uint8     // LFU counter
	list       uint8     // the list that holds it (see lists in shard.go)
}

// getStamp returns the node's recency stamp.
func (n *node) getStamp() uint64 { return uint64(n.stamp[1])<<32 | uint64(n.stamp[0]) }

// setStamp sets the node's recency stamp.
func (n *node) setStamp(s uint64) { n.stamp = [2]uint32{uint32(s), uint32(s >> 32)} }

// expired reports whether h has passed its deadline at now.
func (h *head) expired(now int64) bool {
	return h.expireAt != 0 && h.expireAt <= now
}

// setExpireAt and setWord write the fields readers without the lock read.
func (h *head) setExpireAt(d int64) { atomic.StoreInt64(&h.expireAt, d) }
func (h *head) setWord(w uint64)    { atomic.StoreUint64(&h.word, w) }

// loadExpireAt and loadWord read them without the lock.
func (h *head) loadExpireAt() int64 { return atomic.LoadInt64(&h.expireAt) }
func (h *head) loadWord() uint64    { return atomic.LoadUint64(&h.word) }

// set makes h a copy of src.
func (h *head) set(src head) {
	h.setWord(src.word)
	h.setExpireAt(src.expireAt)
}

// pageBits sets the page size of the per-slot arrays: 1024 slots.
const (
	pageBits = 10
	pageSize = 1 << pageBits
	pageMask = pageSize - 1
)

// slab holds a shard's heads and nodes by slot. Every page but the last
// is full; the last grows by doubling up to a full page, so a small shard
// holds a small slab.
type slab struct {
	p     atomic.Pointer[[][]head] // the heads, for readers without the lock
	heads [][]head                 // the same, for the lock holder
	nodes [][]node
}

// head returns the head at slot, which must be addressable, for the lock
// holder.
func (s *slab) head(slot uint32) *head { return &s.heads[slot>>pageBits][slot&pageMask] }

// node returns the node at slot, for the lock holder.
func (s *slab) node(slot uint32) *node { return &s.nodes[slot>>pageBits][slot&pageMask] }

// headIn returns the head at slot in pages, a page list loaded from p, or
// nil if slot is beyond the pages: for readers without the lock.
func headIn(pages *[][]head, slot uint32) *head {
	if pages == nil || int(slot>>pageBits) >= len(*pages) {
		return nil
	}
	page := (*pages)[slot>>pageBits]
	if int(slot&pageMask) >= len(page) {
		return nil
	}
	return &page[slot&pageMask]
}

// resize makes slots 0 to n-1 addressable, keeping the heads and nodes of
// those that were, and lets go of the pages beyond them.
func (s *slab) resize(n uint32) {
	if next, changed := resizePages(s.heads, n, false); changed {
		s.heads = next
		pp := new([][]head)
		*pp = next
		s.p.Store(pp)
	}
	s.nodes, _ = resizePages(s.nodes, n, true)
}

// fit makes slot n addressable, for a new entry, or lets pages go once
// fewer than half of the addressable slots are in use (n of them): the
// slab does not shrink and grow back at every removal and insertion
// around a boundary.
func (s *slab) fit(n uint32) {
	if c := addressable(s.heads); n >= c || n < c/2 && c > pageSize {
		s.resize(n + 1)
	}
}

// reset empties the slab.
func (s *slab) reset() {
	s.heads, s.nodes = nil, nil
	s.p.Store(nil)
}

// headBytes and nodeBytes are the sizes of a head and a node.
const (
	headBytes = 16
	nodeBytes = 28
)

// paged is an array addressed by slot, in pages as a slab: the keys and
// values of the generic layout, which only the lock holder reads.
type paged[T any] struct {
	pages [][]T
}

// at returns element i, which must be addressable (see resize).
func (p *paged[T]) at(i uint32) *T { return &p.pages[i>>pageBits][i&pageMask] }

// resize makes elements 0 to n-1 addressable, keeping those that were and
// zeroing the rest, so the collector does not keep what they pointed to.
func (p *paged[T]) resize(n uint32) {
	p.pages, _ = resizePages(p.pages, n, true)
}

// fit makes element n addressable, or lets pages go once fewer than half
// the addressable elements are in use (see slab.fit). Elements past n
// must be zeroed by the caller when they are given up.
func (p *paged[T]) fit(n uint32) {
	if c := addressable(p.pages); n >= c || n < c/2 && c > pageSize {
		p.resize(n + 1)
	}
}

// addressable returns how many elements pages hold.
func addressable[T any](pages [][]T) uint32 {
	if len(pages) == 0 {
		return 0
	}
	return uint32((len(pages)-1)*pageSize + len(pages[len(pages)-1]))
}

// resizePages returns pages resized to hold n elements, and whether the
// page list or any page in it was replaced. Only the last page or two
// change, so it costs O(1) pages, unless a new page list is needed (a page
// added, replaced or dropped), which copies the list of pages. Elements
// past n are zeroed if zero is set; otherwise they keep what they held.
func resizePages[T any](pages [][]T, n uint32, zero bool) ([][]T, bool) {
	full, rest := int(n>>pageBits), int(n&pageMask)
	want := full
	if rest > 0 {
		want++
	}
	next, changed := pages, false
	if len(next) > want {
		next, changed = append([][]T(nil), next[:want]...), true
	}
	for i := max(0, min(len(pages), want)-1); i < want; i++ {
		size := pageSize
		if i == full {
			size = rest
		}
		if i == len(next) {
			next, changed = append(append([][]T(nil), next...), nil), true
		}
		page := fitPage(next[i], size, zero)
		if len(page) != len(next[i]) || len(page) > 0 && &page[0] != &next[i][0] {
			if !changed {
				next, changed = append([][]T(nil), next...), true
			}
			next[i] = page
		}
	}
	return next, changed
}

// fitPage returns a page that holds at least n elements: page itself, or a
// copy at double its size (up to a full page) when it is too small, or at
// half its size once no more than a quarter of it is in use. The length of
// the returned page is its capacity. Elements past n are zeroed if zero is
// set.
func fitPage[T any](page []T, n int, zero bool) []T {
	switch c := len(page); {
	case n > c:
		grown := make([]T, min(pageSize, max(2*c, n, 8)))
		copy(grown, page)
		return grown
	case c > 16 && n <= c/4:
		shrunk := make([]T, c/2)
		copy(shrunk, page[:n])
		return shrunk
	case zero:
		clear(page[n:])
	}
	return page
}
