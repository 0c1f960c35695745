package shard

import (
	"unsafe"

	"github.com/maxmem/maxmem/internal/index"
	"github.com/maxmem/maxmem/internal/tinylfu"
)

// What a shard does with one entry: find it, add it, rewrite it, take it
// out. The cache calls these with the lock held; it keeps the keys and
// values of the generic layout itself, by slot, and moves them when
// RemoveLocked says an entry moved.

// head returns the head at slot.
func (s *Shard) head(slot uint32) *Head { return s.slab.head(slot) }

// HeadLocked returns the head at slot, which must hold an entry.
func (s *Shard) HeadLocked(slot uint32) *Head { return s.slab.head(slot) }

// FindLocked returns the slot of the entry stored under hash h for which
// match holds.
func (s *Shard) FindLocked(h uint32, match func(slot uint32) bool) (uint32, bool) {
	return s.idx.Load().Find(h&HashBits, match)
}

// FindPackedLocked returns the slot of key, whose hash bits are h, in the
// packed layout.
func (s *Shard) FindPackedLocked(key string, h uint32) (uint32, bool) {
	return s.idx.Load().Find(h&HashBits, func(slot uint32) bool { return s.arena.Match(s.head(slot).word, key) })
}

// ChargeLocked returns the bytes charged for the entry at slot.
func (s *Shard) ChargeLocked(slot uint32) int64 { return s.chargeOf(s.head(slot).word) }

// chargeOf returns the charge of the entry whose word is w: its size,
// the cache's overhead, and under allkeys-tinylfu its node.
func (s *Shard) chargeOf(w uint64) int64 { return s.EntryChargeLocked(s.sizeOf(w)) }

// sizeOf returns the size of the entry whose word is w.
func (s *Shard) sizeOf(w uint64) int64 {
	if s.arena != nil {
		return s.arena.Size(w, s.cfg.CustomSize)
	}
	return int64(w)
}

// EntryCharge returns what an entry of size bytes is charged under the
// active policy, for a write that checks whether any budget could hold
// it before it locks a shard.
func (c *Config) EntryCharge(size int64) int64 {
	n := c.Overhead + size
	if c.Policy.Load().Kind == TinyLFU {
		n += tinylfu.NodeBytes
	}
	return n
}

// EntryChargeLocked returns what an entry of size bytes is charged in the
// shard's layout.
func (s *Shard) EntryChargeLocked(size int64) int64 {
	c := s.cfg.Overhead + size
	if s.adm != nil {
		c += tinylfu.NodeBytes
	}
	return c
}

// tick advances the clock for a write and returns its new time. Every
// 2^30 ticks the stamps older than that are brought forward to it, so that
// an age (the clock less a stamp, in uint32) never wraps.
func (s *Shard) tick() uint32 {
	c := s.clock + 1
	s.clock = c
	if c == 0 {
		s.wraps++
	}
	if c&(1<<30-1) == 0 {
		s.clampStampsLocked(c)
	}
	if c&(1<<s.rec.width-1) == 0 && !s.rec.advance(s.now64(), s.cfg.Now()) {
		s.rebuildRecencyLocked()
	}
	return c
}

// clampStampsLocked brings every stamp older than 2^30 ticks forward.
func (s *Shard) clampStampsLocked(now uint32) {
	for slot := uint32(1); slot <= s.n; slot++ {
		h := s.head(slot)
		if now-h.written > 1<<30 {
			h.written = now - 1<<30
		}
		if a := h.loadAccess(); !s.freq && now-a > 1<<30 {
			h.storeAccess(now - 1<<30)
		}
	}
}

// InsertLocked adds an entry whose key hashes to h, with word w and a
// deadline of expireAt (0: none), and returns its slot. It is a write.
func (s *Shard) InsertLocked(h uint32, w uint64, expireAt int64) uint32 {
	h &= HashBits
	s.n++
	slot := s.n
	if !s.slab.heads.Fits(slot) {
		s.beginWrite() // heads are copied to new pages: a Get marking one lent must look again
	}
	s.slab.fit(slot)
	c := s.tick()
	hd := s.head(slot)
	hd.written, hd.heapPos = c, 0
	hd.setHash(h)
	hd.storeAccess(s.freshAccess(c))
	hd.setExpireAt(expireAt)
	hd.setWord(w)
	s.bornLocked(slot)
	if s.idx.Rebuilds() {
		s.beginWrite() // the rebuild may reuse storage readers hold
	}
	s.idx.Insert(h, slot, s.hashAt)
	if expireAt != 0 {
		s.pushTTLLocked(slot)
	}
	s.rec.place(classOf(expireAt), s.rec.epoch, slot)
	s.fitEpochsLocked()
	s.Counters.Writes++
	if s.adm != nil {
		s.adm.Insert(slot, h, s.chargeOf(w))
	}
	return slot
}

// hashAt returns the hash bits of the entry at slot, for the index.
func (s *Shard) hashAt(slot uint32) uint32 { return s.head(slot).Hash() }

// UpdateLocked gives the entry at slot word w and a deadline of expireAt,
// releasing its old item in the packed layout. It is a write: an access
// and a modification.
func (s *Shard) UpdateLocked(slot uint32, w uint64, expireAt int64) {
	hd := s.head(slot)
	old := hd.word
	s.bornLocked(slot)
	if old != w {
		if s.adm != nil {
			s.adm.Reweigh(slot, s.chargeOf(w)-s.chargeOf(old))
		}
		hd.setWord(w)
		hd.clearLent()
		if s.arena != nil {
			if s.arena.Frees(old) {
				s.beginWrite() // the freed chunk may be reused under a Get that read the old word
			}
			s.arena.Release(old)
			s.tidyLocked()
		}
	}
	s.SetExpireLocked(slot, expireAt)
	s.WrittenLocked(slot)
}

// WrittenLocked records a write or TTL change of the entry at slot, which
// Redis counts as an access and, for LRM, as a modification.
func (s *Shard) WrittenLocked(slot uint32) {
	c := s.tick()
	h := s.head(slot)
	h.written = c
	s.accessLocked(slot, c)
	s.Counters.Writes++
	if s.adm != nil {
		s.adm.Written(slot, h.Hash())
	}
}

// AccessLocked records a read of the entry at slot under the lock. Such a
// read ticks the clock, as a write does, so that in the generic layout
// and in reproducible caches recency orders every access; a Get without
// the lock cannot, and shares the time of the write before it.
func (s *Shard) AccessLocked(slot uint32) {
	s.accessLocked(slot, s.tick())
	if s.adm != nil {
		s.adm.Access(slot, s.head(slot).Hash())
	}
}

// MissLocked records a read under the lock that found nothing, for
// allkeys-tinylfu's climber.
func (s *Shard) MissLocked() {
	if s.adm != nil {
		s.adm.Misses(1)
	}
}

// accessLocked records an access at clock c: the stamp, or, under LFU, the
// counter.
func (s *Shard) accessLocked(slot uint32, c uint32) {
	h := s.head(slot)
	switch {
	case s.freq:
		h.storeAccess(s.lfuAccess(h.loadAccess(), s.Float64()))
	case !s.lrm:
		h.storeAccess(c)
	}
}

// SetExpireLocked sets the deadline of the entry at slot (0: none). An
// entry that gains or loses a deadline changes class: it moves to the
// front of its new class's current bucket (every caller counts the change
// as a write).
func (s *Shard) SetExpireLocked(slot uint32, expireAt int64) {
	h := s.head(slot)
	from := h.expireAt
	if classOf(from) != classOf(expireAt) {
		s.rec.unlink(slot)
		s.rec.place(classOf(expireAt), s.rec.epoch, slot)
	}
	switch {
	case expireAt == from:
	case from != 0 && expireAt != 0:
		h.setExpireAt(expireAt)
		s.fixTTLLocked(int(h.heapPos))
	case from != 0:
		s.removeTTLLocked(int(h.heapPos))
		h.setExpireAt(0)
	default:
		h.setExpireAt(expireAt)
		s.pushTTLLocked(slot)
	}
}

// RemoveLocked takes out the entry at slot and returns its charge;
// evicted says the policy chose it. The last entry moves into the gap:
// moved is its slot before (0 if slot was the last), for the cache to
// move what it keeps by slot.
func (s *Shard) RemoveLocked(slot uint32, evicted bool) (charge int64, moved uint32) {
	s.beginWrite()
	h := s.head(slot)
	charge = s.chargeOf(h.word)
	if h.expireAt != 0 {
		s.removeTTLLocked(int(h.heapPos))
	}
	s.rec.unlink(slot)
	s.idx.Remove(h.Hash(), slot)
	if s.adm != nil {
		s.adm.Remove(slot, charge, evicted)
	}
	if s.arena != nil {
		s.arena.Release(h.word)
	}
	if last := s.n; slot != last {
		s.moveLocked(last, slot)
		moved = last
	}
	s.n--
	s.slab.fit(s.n)
	if s.cfg.WriteTimes {
		s.born.Fit(s.n, nil)
	}
	s.idx.Shrink(s.hashAt)
	if s.adm != nil {
		s.adm.Trim(s.n)
	}
	s.tidyLocked()
	return charge, moved
}

// moveLocked moves the entry at slot from into the free slot to.
func (s *Shard) moveLocked(from, to uint32) {
	src, dst := s.head(from), s.head(to)
	src.copyTo(dst)
	*s.slab.links.At(to) = *s.slab.links.At(from)
	s.rec.moved(to)
	s.idx.Move(dst.Hash(), from, to)
	if dst.expireAt != 0 {
		s.heapPlace(int(dst.heapPos), to)
	}
	if s.adm != nil {
		s.adm.Move(from, to)
	}
	if s.cfg.WriteTimes {
		*s.born.At(to) = *s.born.At(from)
	}
}

// tidyLocked compacts the arena when its garbage calls for it.
func (s *Shard) tidyLocked() {
	if s.arena != nil && s.arena.NeedsCompaction() {
		s.beginWrite()
		s.arena.Compact(s)
	}
}

// Word returns the word of the entry whose item is r and whose key is key,
// or nil: the arena's Holder, for compaction.
func (s *Shard) Word(r uint64, key []byte) *uint64 {
	k := unsafe.String(unsafe.SliceData(key), len(key))
	slot, ok := s.idx.Load().Find(s.cfg.HashString(k)&HashBits, func(slot uint32) bool { return s.head(slot).word == r })
	if !ok {
		return nil
	}
	return &s.head(slot).word
}

// ResetLocked empties the shard and returns what its entries were charged.
// The cache empties what it keeps by slot.
func (s *Shard) ResetLocked() (charged int64) {
	s.beginWrite()
	for slot := uint32(1); slot <= s.n; slot++ {
		charged += s.chargeOf(s.head(slot).word)
	}
	s.idx.Reset()
	s.slab.reset()
	s.born.Reset()
	s.ttl = nil
	s.n = 0
	s.rebuildRecencyLocked()
	s.pool.reset()
	if s.arena != nil {
		s.arena.Reset()
	}
	if s.adm != nil {
		s.adm.Clear()
	}
	s.drainLocked()
	return charged
}

// IndexBytes is the index's share of an entry's charge: five bytes per
// table position, and a table between 7/16 and 7/8 full, about 2/3 on
// average.
const IndexBytes = index.BytesPerPosition * 3 / 2
