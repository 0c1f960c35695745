// Package index is a compact swiss table from 32-bit key-hash fragments to
// uint32 slots. It stores no keys: its user keeps entries by slot, and a
// lookup hands it a match function that compares the key at a candidate
// slot. That costs five bytes per table position (one control byte and
// the slot), where a map[string]uint32 costs twenty-five. The user keeps
// each entry's 32 hash bits beside the entry, so that removing or moving
// an entry never hashes its key again.
//
// Invariant: every stored slot sits on the probe sequence of the hash it
// was stored under, before the first group with an empty position; live
// plus dead positions stay at or under 7/8 of the table.
//
// Layout: positions come in groups of eight with one 64-bit control word
// per group. A control byte is empty (0x80), dead (0xFE), or, for a full
// position, the low seven bits of the hash. A lookup starts at the group
// chosen by the remaining bits, compares the eight control bytes at once
// with bit tricks, and moves on (by triangular steps, which visit every
// group) only while the group has no empty position.
//
// Readers need no lock: the groups are published through an atomic pointer
// and rebuilt, never resized, in place; control words and slots are read
// and written with atomic operations. A reader may see the table between
// two writes, so the user validates what it found (the shard's seqlock);
// the index guarantees only that every slot a reader finds was stored in
// that table at some time, and that a lookup ends. Every other method
// needs the user's lock.
package index

import (
	"math/bits"
	"sync/atomic"
)

const (
	groupSize = 8
	empty     = 0x80
	dead      = 0xFE
	lsb       = 0x0101010101010101
	msb       = 0x8080808080808080
	allEmpty  = empty * lsb
)

// BytesPerPosition is what one table position costs: a control byte and a
// slot.
const BytesPerPosition = 5

// Table maps hashes to slots. The zero value is an empty table.
type Table struct {
	g     atomic.Pointer[Groups] // nil until the first insert
	_     [56]byte               // so that readers of g do not share a cache line with the writes' counts
	live  int                    // full positions
	dead  int                    // dead markers
	spare *Groups                // the storage a same-size rebuild last replaced, reused by the next
}

// Groups is one generation of the table's storage.
type Groups struct {
	a    []group
	mask uint64 // len(a) - 1
}

// group is eight positions with their control bytes: 40 bytes.
type group struct {
	ctrl  uint64
	slots [groupSize]uint32
}

// Load returns the current storage for a lookup; nil if the table never
// held an entry.
func (t *Table) Load() *Groups { return t.g.Load() }

// Len returns the number of entries.
func (t *Table) Len() int { return t.live }

// Find returns the first slot stored under hash for which match is true.
// It may be called without the lock on storage from Load, with any hash: it
// visits each group at most once, so it ends even on a table that writers
// change under it. Kept small so that it and match inline into the caller.
func (gs *Groups) Find(hash uint32, match func(slot uint32) bool) (uint32, bool) {
	if gs == nil {
		return 0, false
	}
	tag := lsb * uint64(hash&0x7F)
	g := uint64(hash>>7) & gs.mask
	for step := uint64(0); step <= gs.mask; step++ {
		grp := &gs.a[g]
		w := atomic.LoadUint64(&grp.ctrl)
		x := w ^ tag
		for m := (x - lsb) &^ x & msb; m != 0; m &= m - 1 {
			if slot := atomic.LoadUint32(&grp.slots[bits.TrailingZeros64(m)>>3]); match(slot) {
				return slot, true
			}
		}
		if w&^(w<<1)&msb != 0 { // an empty position ends the probe
			return 0, false
		}
		g = (g + step + 1) & gs.mask
	}
	return 0, false
}

// Reset empties the table. Readers may still hold the old storage: it is
// replaced, not changed.
func (t *Table) Reset() {
	t.g.Store(nil)
	t.live, t.dead, t.spare = 0, 0, nil
}

// Rebuilds reports whether the next Insert rebuilds the table: then the
// caller must make readers of the current storage retry, since it may be
// reused.
func (t *Table) Rebuilds() bool { return t.live+t.dead >= t.capacity()*7/8 }

// Insert adds slot under hash; the caller knows the key is absent. hashOf
// must return the hash of any stored slot: the table calls it when it
// rebuilds (see Rebuilds). A rebuild to a new size publishes new storage;
// one that only clears dead markers reuses the storage the previous one
// replaced (it reports true when it did so).
func (t *Table) Insert(hash, slot uint32, hashOf func(uint32) uint32) (reused bool) {
	if t.Rebuilds() {
		reused = t.grow(hashOf)
	}
	gs := t.g.Load()
	pos := gs.free(hash)
	if gs.ctrlAt(pos) == dead {
		t.dead--
	}
	atomic.StoreUint32(&gs.a[pos/groupSize].slots[pos%groupSize], slot)
	gs.setCtrl(pos, uint64(hash&0x7F)) // after the slot: a reader that sees the byte finds the slot
	t.live++
	return reused
}

// Remove takes out slot, stored under hash; it must be there.
func (t *Table) Remove(hash, slot uint32) {
	gs := t.g.Load()
	pos := gs.position(hash, slot)
	mark := uint64(dead)
	if matchEmpty(gs.a[pos/groupSize].ctrl) != 0 {
		mark = empty // no probe ever passed this group full: no marker needed
	} else {
		t.dead++
	}
	gs.setCtrl(pos, mark)
	t.live--
}

// Move records that the entry stored under hash at slot from is now at
// slot to.
func (t *Table) Move(hash, from, to uint32) {
	gs := t.g.Load()
	pos := gs.position(hash, from)
	atomic.StoreUint32(&gs.a[pos/groupSize].slots[pos%groupSize], to)
}

// Shrink rebuilds a table at most a quarter full at the smallest size that
// keeps it under 7/16 full, to give memory back after removals. It
// publishes new storage and changes none that readers may hold.
func (t *Table) Shrink(hashOf func(uint32) uint32) {
	if t.capacity() <= 64 || t.live > t.capacity()/4 {
		return
	}
	n := 1
	for n*groupSize*7/16 <= t.live {
		n *= 2
	}
	if n*groupSize < t.capacity() {
		t.rebuild(n, hashOf, nil)
	}
}

func (t *Table) capacity() int {
	if gs := t.g.Load(); gs != nil {
		return len(gs.a) * groupSize
	}
	return 0
}

// grow makes room for one more entry: it doubles the table if it is more
// than 7/16 full of live entries, else clears the dead markers at the same
// size, in the spare storage when there is one (and reports so).
func (t *Table) grow(hashOf func(uint32) uint32) (reused bool) {
	n := max(1, t.capacity()/groupSize)
	if t.live >= t.capacity()*7/16 {
		t.rebuild(2*n, hashOf, nil)
		return false
	}
	spare := t.spare
	if spare == nil || len(spare.a) != n {
		spare = nil
	}
	t.rebuild(n, hashOf, spare)
	return spare != nil
}

// rebuild moves every entry into storage of n groups, into into if it is
// not nil, and publishes it. Storage replaced at the same size becomes the
// spare.
func (t *Table) rebuild(n int, hashOf func(uint32) uint32, into *Groups) {
	next := into
	if next == nil {
		next = &Groups{a: make([]group, n), mask: uint64(n - 1)}
	}
	for i := range next.a {
		atomic.StoreUint64(&next.a[i].ctrl, allEmpty)
	}
	old := t.g.Load()
	if old != nil {
		for pos := range len(old.a) * groupSize {
			if old.ctrlAt(pos)&0x80 == 0 {
				slot := old.a[pos/groupSize].slots[pos%groupSize]
				next.place(hashOf(slot), slot)
			}
		}
	}
	t.spare = nil
	if old != nil && len(old.a) == n {
		t.spare = old
	}
	t.dead = 0
	t.g.Store(next)
}

func matchEmpty(w uint64) uint64 { return w &^ (w << 1) & msb }

func (gs *Groups) ctrlAt(pos int) byte {
	return byte(gs.a[pos/groupSize].ctrl >> (8 * (pos % groupSize)))
}

func (gs *Groups) setCtrl(pos int, b uint64) {
	g, shift := &gs.a[pos/groupSize], 8*uint(pos%groupSize)
	atomic.StoreUint64(&g.ctrl, g.ctrl&^(0xFF<<shift)|b<<shift)
}

// position returns where slot, stored under hash, is; it must be there.
func (gs *Groups) position(hash, slot uint32) int {
	g := uint64(hash>>7) & gs.mask
	for step := uint64(1); ; step++ {
		grp := &gs.a[g]
		x := grp.ctrl ^ lsb*uint64(hash&0x7F)
		for m := (x - lsb) &^ x & msb; m != 0; m &= m - 1 {
			if lane := bits.TrailingZeros64(m) >> 3; grp.slots[lane] == slot {
				return int(g)*groupSize + lane
			}
		}
		if matchEmpty(grp.ctrl) != 0 || step > gs.mask {
			panic("index: a stored slot is missing")
		}
		g = (g + step) & gs.mask
	}
}

// free returns the first empty or dead position on hash's probe path.
func (gs *Groups) free(hash uint32) int {
	g := uint64(hash>>7) & gs.mask
	for step := uint64(1); ; step++ {
		if m := gs.a[g].ctrl & msb; m != 0 {
			return int(g)*groupSize + bits.TrailingZeros64(m)>>3
		}
		g = (g + step) & gs.mask
	}
}

// place stores slot under hash in storage no reader sees yet.
func (gs *Groups) place(hash, slot uint32) {
	pos := gs.free(hash)
	gs.setCtrl(pos, uint64(hash&0x7F))
	gs.a[pos/groupSize].slots[pos%groupSize] = slot
}
