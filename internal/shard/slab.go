package shard

import (
	"sync/atomic"

	"github.com/maxmem/maxmem/internal/paged"
)

// Head is what a shard keeps of an entry, by slot: 32 bytes, so that a
// head never straddles two cache lines. Gets without the lock read word,
// expireAt and access, and write access and the lent bit of hash; those
// fields are only ever read and written atomically. The others are the
// lock holder's.
type Head struct {
	word     uint64 // the arena reference of the item (packed), or the Sizer's size (generic)
	expireAt int64  // unix nanoseconds; 0: no TTL
	access   uint32 // the clock at the last access, or, under LFU, the counter and its minute (lfu.go)
	written  uint32 // the clock at the last write or TTL change
	hash     uint32 // HashBits of the key's hash, for the index, and lentBit
	heapPos  uint32 // place in the TTL heap, when the entry has a deadline
}

// HeadBytes is the size of a Head.
const HeadBytes = 32

// Word returns the head's word.
func (h *Head) Word() uint64 { return atomic.LoadUint64(&h.word) }

// ExpireAt returns the head's deadline; 0: none.
func (h *Head) ExpireAt() int64 { return atomic.LoadInt64(&h.expireAt) }

// HashBits are the bits of a key's hash a head keeps: the index and the
// policies use no others.
const HashBits = 1<<31 - 1

// lentBit, in a head's hash word, marks an entry whose value was handed
// out (to a Get, a Range, an OnEvict) since it was written, so that a
// write must not overwrite that value in place: the caller may still be
// reading it. A Get sets it before it checks the shard's sequence, a write
// reads it after it begins a write of the sequence (ReplaceLocked): so
// either the write sees the bit, or the Get sees the sequence move and
// looks again.
const lentBit = 1 << 31

// Hash returns the stored hash bits.
func (h *Head) Hash() uint32 { return atomic.LoadUint32(&h.hash) & HashBits }

// lent reports whether the entry's value was handed out since it was
// written.
func (h *Head) lent() bool { return atomic.LoadUint32(&h.hash)&lentBit != 0 }

// markLent records that the entry's value is being handed out, writing
// only if it was not marked yet.
func (h *Head) markLent() {
	if !h.lent() {
		atomic.OrUint32(&h.hash, lentBit)
	}
}

// clearLent marks a new value of the entry, which nobody was handed yet.
func (h *Head) clearLent() { atomic.AndUint32(&h.hash, HashBits) }

// setHash gives a new entry its hash bits, not lent.
func (h *Head) setHash(hash uint32) { atomic.StoreUint32(&h.hash, hash&HashBits) }

// Written returns the clock of the entry's last write or TTL change: a
// version that every write renews.
func (h *Head) Written() uint32 { return h.written }

// The fields Gets without the lock read or write, read and written
// atomically.
func (h *Head) setWord(w uint64)     { atomic.StoreUint64(&h.word, w) }
func (h *Head) setExpireAt(d int64)  { atomic.StoreInt64(&h.expireAt, d) }
func (h *Head) loadAccess() uint32   { return atomic.LoadUint32(&h.access) }
func (h *Head) storeAccess(a uint32) { atomic.StoreUint32(&h.access, a) }

// copyTo makes dst a copy of h.
func (h *Head) copyTo(dst *Head) {
	dst.written, dst.heapPos = h.written, h.heapPos
	atomic.StoreUint32(&dst.hash, atomic.LoadUint32(&h.hash))
	dst.storeAccess(h.loadAccess())
	dst.setExpireAt(h.ExpireAt())
	dst.setWord(h.Word())
}

// slab holds a shard's heads and links by slot, in pages (internal/paged),
// so that it grows without copying what it holds. The head pages are
// published through an atomic pointer for readers without the lock, and
// replaced, never changed in place, when a page is added, grown, shrunk or
// dropped.
type slab struct {
	p     atomic.Pointer[[][]Head] // the head pages, for readers without the lock
	heads paged.Pages[Head]        // the same, for the lock holder
	links paged.Pages[link]        // the recency lists' links (recency.go)
}

// head returns the head at slot, which must be addressable, for the lock
// holder.
func (s *slab) head(slot uint32) *Head { return s.heads.At(slot) }

// headIn returns the head at slot in pages, a page list loaded from p, or
// nil if slot is beyond them: for readers without the lock.
func headIn(pages *[][]Head, slot uint32) *Head {
	if pages == nil || int(slot>>paged.Bits) >= len(*pages) {
		return nil
	}
	page := (*pages)[slot>>paged.Bits]
	if int(slot&(paged.Size-1)) >= len(page) {
		return nil
	}
	return &page[slot&(paged.Size-1)]
}

// fit makes slot n addressable, for a new entry, or lets pages go once
// fewer than half the addressable slots are in use.
func (s *slab) fit(n uint32) {
	if s.heads.Fit(n, copyHeads) {
		s.publish()
	}
	s.links.Fit(n, nil)
}

// publish stores the head pages for readers.
func (s *slab) publish() {
	pp := new([][]Head)
	*pp = s.heads.List()
	s.p.Store(pp)
}

// reset empties the slab, keeping slot 0.
func (s *slab) reset() {
	s.heads.Reset()
	s.links.Reset()
	s.heads.Resize(1, copyHeads)
	s.links.Resize(1, nil)
	s.publish()
}

// copyHeads copies src into dst, which no reader sees yet, field by field
// with atomic loads: Gets without the lock may be writing their access
// stamps.
func copyHeads(dst, src []Head) {
	for i := range src {
		src[i].copyTo(&dst[i])
	}
}
