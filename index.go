package maxmem

// The index: a compact swiss table from the low 32 bits of key hashes to
// uint32 slots. It stores no keys: the caller keeps its entries by slot,
// looks up the candidate slots whose hash fragment matches, and compares
// the keys itself. That costs five bytes per table slot (one control byte
// and the slot number), where a map[string]uint32 costs twenty-five. The
// caller keeps each entry's 32 hash bits beside it (node.hash), so that
// removing, moving or rehoming an entry never hashes its key again.
//
// Layout: slots come in groups of eight with one 64-bit control word per
// group. A control byte is empty (0x80), deleted (0xFE), or, for a full slot,
// the low seven bits of the hash. A lookup starts at the group chosen by the
// remaining bits, compares all eight control bytes at once with bit tricks,
// and moves on (by triangular steps, which visit every group) only while the
// group has no empty slot. The table keeps at most 7/8 of its slots in use,
// counting deleted markers, and doubles when it would pass that.
//
// Readers need no lock: the groups are published through an atomic pointer
// and rebuilt, never resized, in place; control words and slots are read
// and written with atomic operations. A reader may see a table between two
// writes, so the shard validates what it read (see getPacked); the index
// itself guarantees only that every slot a reader finds was stored there.
//
// It lives in this package rather than under internal/ for speed: when a
// program instantiates Cache[K, V], the compiler inlines calls made from
// the generic code only into packages that program imports itself, so a
// lookup that called into another package paid a function call per probe
// step.

import (
	"math/bits"
	"sync/atomic"
)

const (
	groupSize = 8
	empty     = 0x80
	deleted   = 0xFE
	lsb       = 0x0101010101010101
	msb       = 0x8080808080808080
	allEmpty  = empty * lsb
)

// table maps hashes to slots. The zero value is an empty table. Its
// methods other than load, and those of groups read through load, need the
// shard's lock.
type table struct {
	g    atomic.Pointer[groups] // nil until the first insert
	live int                    // full slots
	dead int                    // deleted markers
}

// groups is one generation of the table's storage.
type groups struct {
	a    []group
	mask uint64 // len(a) - 1
}

// group is eight slots with their control bytes: 40 bytes, so a lookup
// usually touches one cache line.
type group struct {
	ctrl  uint64
	slots [groupSize]uint32
}

// reset empties the table. Readers without the lock may still hold the
// old storage: it is replaced, not changed.
func (t *table) reset() {
	t.g.Store(nil)
	t.live, t.dead = 0, 0
}

// count returns the number of entries.
func (t *table) count() int { return t.live }

// load returns the current storage, nil if the table never held an entry.
func (t *table) load() *groups { return t.g.Load() }

func h2(hash uint32) uint64 { return uint64(hash & 0x7F) }

// matchByte marks with 0x80 the bytes of w equal to b. It may also mark a
// byte that follows a marked one (a borrow): see match.
func matchByte(w, b uint64) uint64 {
	x := w ^ (lsb * b)
	return (x - lsb) &^ x & msb
}

// matchEmpty marks exactly the empty bytes: top bit set, next bit clear.
func matchEmpty(w uint64) uint64 { return w &^ (w << 1) & msb }

// A lookup walks the groups of a hash's probe sequence with a cursor and,
// in each group, the lanes match reports, until a group with an empty slot
// ends the walk. The pieces are small enough for the compiler to inline
// the whole loop into the caller, which compares keys itself:
//
//	gs := t.load() // nil: not found
//	for c := gs.probe(hash); ; c.advance(gs) {
//		g := gs.at(c)
//		m, final := g.match(hash)
//		for ; m != 0; m &= m - 1 {
//			if slot := g.slot(m); keyAt(slot) == key {
//				return c.pos(m)
//			}
//		}
//		if final {
//			return notFound
//		}
//	}

// cursor is a position in a hash's probe sequence.
type cursor struct {
	group, step uint64
}

// probe returns the first group of hash's probe sequence.
func (gs *groups) probe(hash uint32) cursor { return cursor{group: uint64(hash>>7) & gs.mask} }

// advance moves c to the next group of the sequence (triangular steps,
// which visit every group).
func (c *cursor) advance(gs *groups) {
	c.step++
	c.group = (c.group + c.step) & gs.mask
}

// at returns the group c is at.
func (gs *groups) at(c cursor) *group { return &gs.a[c.group] }

// match marks the lanes of g whose control byte matches hash, one bit per
// lane (iterate with m &= m - 1), and reports whether g has an empty slot,
// which ends every probe sequence that reaches it. It may also mark a full
// lane that follows a match (a borrow in the byte arithmetic), never an
// empty or deleted one, so every marked lane holds a stored slot and the
// caller's key comparison filters the rare extra.
func (g *group) match(hash uint32) (m uint64, final bool) {
	w := atomic.LoadUint64(&g.ctrl)
	return matchByte(w, h2(hash)), matchEmpty(w) != 0
}

// slot returns the slot in the lowest lane marked in m.
func (g *group) slot(m uint64) uint32 { return atomic.LoadUint32(&g.slots[lane(m)]) }

// pos returns the table position of the lowest lane marked in m of the
// group c is at, for delete and setSlot.
func (c cursor) pos(m uint64) int { return int(c.group*groupSize) + lane(m) }

func lane(m uint64) int { return bits.TrailingZeros64(m) >> 3 }

// find returns the position of slot, stored under hash; it must be there.
func (t *table) find(hash, slot uint32) int {
	gs := t.g.Load()
	for c := gs.probe(hash); ; c.advance(gs) {
		g := gs.at(c)
		m, final := g.match(hash)
		for ; m != 0; m &= m - 1 {
			if g.slot(m) == slot {
				return c.pos(m)
			}
		}
		if final {
			panic("maxmem: resident entry missing from the index")
		}
	}
}

// move records that the entry stored under hash at slot from is now at
// slot to.
func (t *table) move(hash, from, to uint32) {
	pos := t.find(hash, from)
	atomic.StoreUint32(&t.g.Load().a[pos/groupSize].slots[pos%groupSize], to)
}

// remove takes out slot, stored under hash.
func (t *table) remove(hash, slot uint32) {
	t.deletePos(t.find(hash, slot))
}

// deletePos removes the entry at pos.
func (t *table) deletePos(pos int) {
	gs := t.g.Load()
	mark := uint64(deleted)
	if matchEmpty(gs.a[pos/groupSize].ctrl) != 0 {
		mark = empty // no probe ever passed this group: no marker needed
	} else {
		t.dead++
	}
	gs.setCtrl(pos, mark)
	t.live--
}

// insert adds slot under hash, which the caller knows is absent. hashOf must
// return the hash of any stored slot; it is called only when the table grows.
func (t *table) insert(hash, slot uint32, hashOf func(uint32) uint32) {
	if t.live+t.dead >= t.capacity()*7/8 {
		t.resize(hashOf)
	}
	gs := t.g.Load()
	pos := gs.free(hash)
	if gs.ctrlAt(pos) == deleted {
		t.dead--
	}
	atomic.StoreUint32(&gs.a[pos/groupSize].slots[pos%groupSize], slot)
	gs.setCtrl(pos, h2(hash)) // after the slot: a reader that sees the byte finds the slot
	t.live++
}

func (t *table) capacity() int {
	if gs := t.g.Load(); gs != nil {
		return len(gs.a) * groupSize
	}
	return 0
}

func (gs *groups) ctrlAt(pos int) byte {
	return byte(gs.a[pos/groupSize].ctrl >> (8 * (pos % groupSize)))
}

// free returns the first empty or deleted position on hash's probe path.
func (gs *groups) free(hash uint32) int {
	g, step := uint64(hash>>7)&gs.mask, uint64(0)
	for {
		if m := gs.a[g].ctrl & msb; m != 0 {
			return int(g*groupSize) + bits.TrailingZeros64(m)>>3
		}
		step++
		g = (g + step) & gs.mask
	}
}

func (gs *groups) setCtrl(pos int, b uint64) {
	g, shift := &gs.a[pos/groupSize], 8*uint(pos%groupSize)
	atomic.StoreUint64(&g.ctrl, g.ctrl&^(0xFF<<shift)|b<<shift)
}

// resize makes room for one more entry: it doubles the table if it is more
// than 7/16 full of live entries, else rebuilds it at the same size without
// deleted markers.
func (t *table) resize(hashOf func(uint32) uint32) {
	n := max(1, t.capacity()/groupSize)
	if t.live >= t.capacity()*7/16 {
		n *= 2
	}
	t.rebuild(n, hashOf)
}

// shrink rebuilds a table that is at most a quarter full at the smallest
// size that keeps it under 7/16 full, to give memory back after deletions.
func (t *table) shrink(hashOf func(uint32) uint32) {
	if t.capacity() <= 64 || t.live > t.capacity()/4 {
		return
	}
	n := 1
	for n*groupSize*7/16 <= t.live {
		n *= 2
	}
	if n*groupSize < t.capacity() {
		t.rebuild(n, hashOf)
	}
}

// rebuild moves every entry into new storage of n groups, built where no
// reader can see it and then published.
func (t *table) rebuild(n int, hashOf func(uint32) uint32) {
	next := &groups{a: make([]group, n), mask: uint64(n - 1)}
	for i := range next.a {
		next.a[i].ctrl = allEmpty
	}
	if old := t.g.Load(); old != nil {
		for pos := range len(old.a) * groupSize {
			if old.ctrlAt(pos)&0x80 == 0 {
				slot := old.a[pos/groupSize].slots[pos%groupSize]
				next.place(hashOf(slot), slot)
			}
		}
	}
	t.dead = 0
	t.g.Store(next)
}

// place stores slot under hash in storage no reader sees yet.
func (gs *groups) place(hash, slot uint32) {
	pos := gs.free(hash)
	g, shift := &gs.a[pos/groupSize], 8*uint(pos%groupSize)
	g.ctrl = g.ctrl&^(0xFF<<shift) | h2(hash)<<shift
	g.slots[pos%groupSize] = slot
}
