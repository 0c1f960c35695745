package shard

import "sync/atomic"

// Head is what a shard keeps of an entry, by slot: 32 bytes, so that a
// head never straddles two cache lines. Gets without the lock read word,
// expireAt and access, and write access; those fields are only ever read
// and written atomically. The others are the lock holder's.
type Head struct {
	word     uint64 // the arena reference of the item (packed), or the Sizer's size (generic)
	expireAt int64  // unix nanoseconds; 0: no TTL
	access   uint32 // the clock at the last access, or, under LFU, the counter and its minute (lfu.go)
	written  uint32 // the clock at the last write or TTL change
	hash     uint32 // the low 32 bits of the key's hash, for the index
	heapPos  uint32 // place in the TTL heap, when the entry has a deadline
}

// HeadBytes is the size of a Head.
const HeadBytes = 32

// Word returns the head's word.
func (h *Head) Word() uint64 { return atomic.LoadUint64(&h.word) }

// ExpireAt returns the head's deadline; 0: none.
func (h *Head) ExpireAt() int64 { return atomic.LoadInt64(&h.expireAt) }

// Hash returns the stored hash bits.
func (h *Head) Hash() uint32 { return h.hash }

// Written returns the clock of the entry's last write or TTL change: a
// version that every write renews.
func (h *Head) Written() uint32 { return h.written }

// expired reports whether h has passed its deadline at now.
func (h *Head) expired(now int64) bool {
	d := h.ExpireAt()
	return d != 0 && d <= now
}

// The fields Gets without the lock read or write, read and written
// atomically.
func (h *Head) setWord(w uint64)     { atomic.StoreUint64(&h.word, w) }
func (h *Head) setExpireAt(d int64)  { atomic.StoreInt64(&h.expireAt, d) }
func (h *Head) loadAccess() uint32   { return atomic.LoadUint32(&h.access) }
func (h *Head) storeAccess(a uint32) { atomic.StoreUint32(&h.access, a) }

// copyTo makes dst a copy of h.
func (h *Head) copyTo(dst *Head) {
	dst.written, dst.hash, dst.heapPos = h.written, h.hash, h.heapPos
	dst.storeAccess(h.loadAccess())
	dst.setExpireAt(h.ExpireAt())
	dst.setWord(h.Word())
}

// pageBits sets the page size of the slab: 1024 heads, 32 KiB.
const (
	pageBits = 10
	pageSize = 1 << pageBits
	pageMask = pageSize - 1
)

// slab holds a shard's heads by slot in pages, so that it grows without
// copying what it holds. Every page but the last is full; the last grows
// by doubling up to a full page, so a small shard holds a small slab. The
// page list is published through an atomic pointer and replaced, never
// changed in place, when a page is added, grown, shrunk or dropped.
type slab struct {
	p     atomic.Pointer[[][]Head] // the pages, for readers without the lock
	pages [][]Head                 // the same, for the lock holder
}

// head returns the head at slot, which must be addressable, for the lock
// holder.
func (s *slab) head(slot uint32) *Head { return &s.pages[slot>>pageBits][slot&pageMask] }

// headIn returns the head at slot in pages, a page list loaded from p, or
// nil if slot is beyond them: for readers without the lock.
func headIn(pages *[][]Head, slot uint32) *Head {
	if pages == nil || int(slot>>pageBits) >= len(*pages) {
		return nil
	}
	page := (*pages)[slot>>pageBits]
	if int(slot&pageMask) >= len(page) {
		return nil
	}
	return &page[slot&pageMask]
}

// fit makes slot n addressable, for a new entry, or lets pages go once
// fewer than half of the addressable slots are in use (n of them): the
// slab does not shrink and grow back at every removal and insertion
// around a boundary. It reports whether the page list was replaced.
func (s *slab) fit(n uint32) bool {
	if c := addressable(s.pages); n >= c || n < c/2 && c > pageSize {
		return s.resize(n + 1)
	}
	return false
}

// resize makes slots 0 to n-1 addressable, keeping the heads of those
// that were, and lets go of the pages beyond them. It reports whether the
// page list was replaced.
func (s *slab) resize(n uint32) bool {
	next, changed := resizePages(s.pages, n)
	if changed {
		s.pages = next
		pp := new([][]Head)
		*pp = next
		s.p.Store(pp)
	}
	return changed
}

// reset empties the slab, keeping slot 0.
func (s *slab) reset() {
	s.pages = nil
	s.p.Store(nil)
	s.resize(1)
}

// bytes returns the memory the slab holds.
func (s *slab) bytes() int64 { return int64(addressable(s.pages)) * HeadBytes }

// addressable returns how many heads pages hold.
func addressable(pages [][]Head) uint32 {
	if len(pages) == 0 {
		return 0
	}
	return uint32((len(pages)-1)*pageSize + len(pages[len(pages)-1]))
}

// resizePages returns pages resized to hold n heads, and whether the page
// list or any page in it was replaced. Only the last page or two change,
// so it costs O(1) pages, unless a new page list is needed (a page added,
// replaced or dropped), which copies the list of pages.
func resizePages(pages [][]Head, n uint32) ([][]Head, bool) {
	full, rest := int(n>>pageBits), int(n&pageMask)
	want := full
	if rest > 0 {
		want++
	}
	next, changed := pages, false
	if len(next) > want {
		next, changed = append([][]Head(nil), next[:want]...), true
	}
	for i := max(0, min(len(pages), want)-1); i < want; i++ {
		size := pageSize
		if i == full {
			size = rest
		}
		if i == len(next) {
			next, changed = append(append([][]Head(nil), next...), nil), true
		}
		page := fitPage(next[i], size)
		if len(page) != len(next[i]) || len(page) > 0 && &page[0] != &next[i][0] {
			if !changed {
				next, changed = append([][]Head(nil), next...), true
			}
			next[i] = page
		}
	}
	return next, changed
}

// fitPage returns a page that holds at least n heads: page itself, or a
// copy at double its size (up to a full page) when it is too small, or at
// half its size once no more than a quarter of it is in use. The length of
// the returned page is its capacity. Heads are copied field by field, with
// atomic loads: Gets without the lock may be writing their access stamps.
func fitPage(page []Head, n int) []Head {
	switch c := len(page); {
	case n > c:
		grown := make([]Head, min(pageSize, max(2*c, n, 8)))
		copyHeads(grown, page)
		return grown
	case c > 16 && n <= c/4:
		shrunk := make([]Head, c/2)
		copyHeads(shrunk, page[:n])
		return shrunk
	}
	return page
}

// copyHeads copies src into dst, which no reader sees yet.
func copyHeads(dst, src []Head) {
	for i := range src {
		src[i].copyTo(&dst[i])
	}
}
