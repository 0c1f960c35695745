package maxmem

// The index: a compact swiss table from 64-bit hashes to uint32
// slots. It stores no keys: the caller keeps its entries in a slab, looks up
// the candidate slots whose hash fragment matches, and compares the keys
// itself. That costs five bytes per table slot (one control byte and the
// slot number), where a map[string]uint32 costs twenty-five.
//
// Layout: slots come in groups of eight with one 64-bit control word per
// group. A control byte is empty (0x80), deleted (0xFE), or, for a full slot,
// the low seven bits of the hash. A lookup starts at the group chosen by the
// remaining bits, compares all eight control bytes at once with bit tricks,
// and moves on (by triangular steps, which visit every group) only while the
// group has no empty slot. The table keeps at most 7/8 of its slots in use,
// counting deleted markers, and doubles when it would pass that.
//
// It lives in this package rather than under internal/ for speed: when a
// program instantiates Cache[K, V], the compiler inlines calls made from
// the generic code only into packages that program imports itself, so a
// lookup that called into internal/index cost a function call per probe
// step (measured with callgrind: see index_bench_test.go).

import "math/bits"

const (
	groupSize = 8
	empty     = 0x80
	deleted   = 0xFE
	lsb       = 0x0101010101010101
	msb       = 0x8080808080808080
	allEmpty  = empty * lsb
)

// table maps hashes to slots. The zero value is an empty table.
type table struct {
	groups []group
	mask   uint64 // len(groups) - 1
	live   int    // full slots
	dead   int    // deleted markers
}

// group is eight slots with their control bytes: 40 bytes, so a lookup
// usually touches one cache line.
type group struct {
	ctrl  uint64
	slots [groupSize]uint32
}

// count returns the number of entries.
func (t *table) count() int { return t.live }

// bytes returns the memory the table holds.
func (t *table) bytes() int64 { return int64(len(t.groups)) * 40 }

func h2(hash uint64) uint64 { return hash & 0x7F }

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
//	for c := t.probe(hash); ; c.advance(t) {
//		g := t.at(c)
//		for m := g.match(hash); m != 0; m &= m - 1 {
//			if slot := g.slot(m); keyAt(slot) == key {
//				return c.pos(m)
//			}
//		}
//		if g.final() {
//			return notFound
//		}
//	}
//
// Callers must check count first: a table that never held an entry has no
// groups.

// cursor is a position in a hash's probe sequence.
type cursor struct {
	group, step uint64
}

// probe returns the first group of hash's probe sequence.
func (t *table) probe(hash uint64) cursor { return cursor{group: (hash >> 7) & t.mask} }

// advance moves c to the next group of the sequence (triangular steps,
// which visit every group).
func (c *cursor) advance(t *table) {
	c.step++
	c.group = (c.group + c.step) & t.mask
}

// at returns the group c is at.
func (t *table) at(c cursor) *group { return &t.groups[c.group] }

// match marks the lanes of g whose control byte matches hash, one bit per
// lane; iterate with m &= m - 1. It may also mark a full lane that follows
// a match (a borrow in the byte arithmetic), never an empty or deleted one,
// so every marked lane holds a resident slot and the caller's key
// comparison filters the rare extra.
func (g *group) match(hash uint64) uint64 { return matchByte(g.ctrl, h2(hash)) }

// slot returns the slot in the lowest lane marked in m.
func (g *group) slot(m uint64) uint32 { return g.slots[lane(m)] }

// final reports whether g has an empty slot, which ends every probe
// sequence that reaches it.
func (g *group) final() bool { return matchEmpty(g.ctrl) != 0 }

// pos returns the table position of the lowest lane marked in m of the
// group c is at, for delete and setSlot.
func (c cursor) pos(m uint64) int { return int(c.group*groupSize) + lane(m) }

func lane(m uint64) int { return bits.TrailingZeros64(m) >> 3 }

// slot returns the slot stored at pos.
func (t *table) slot(pos int) uint32 { return t.groups[pos/groupSize].slots[pos%groupSize] }

// setSlot replaces the slot stored at pos, after the caller moved its entry.
func (t *table) setSlot(pos int, slot uint32) { t.groups[pos/groupSize].slots[pos%groupSize] = slot }

// delete removes the entry at pos.
func (t *table) delete(pos int) {
	g := uint64(pos / groupSize)
	mark := uint64(deleted)
	if matchEmpty(t.groups[g].ctrl) != 0 {
		mark = empty // no probe ever passed this group: no marker needed
	} else {
		t.dead++
	}
	t.setCtrl(pos, mark)
	t.live--
}

// insert adds slot under hash, which the caller knows is absent. hashOf must
// return the hash of any stored slot; it is called only when the table grows.
func (t *table) insert(hash uint64, slot uint32, hashOf func(uint32) uint64) {
	if t.live+t.dead >= t.capacity()*7/8 {
		t.resize(hashOf)
	}
	pos := t.free(hash)
	if t.ctrlAt(pos) == deleted {
		t.dead--
	}
	t.setCtrl(pos, h2(hash))
	t.setSlot(pos, slot)
	t.live++
}

func (t *table) capacity() int { return len(t.groups) * groupSize }

func (t *table) ctrlAt(pos int) byte {
	return byte(t.groups[pos/groupSize].ctrl >> (8 * (pos % groupSize)))
}

// free returns the first empty or deleted position on hash's probe path.
func (t *table) free(hash uint64) int {
	g, step := (hash>>7)&t.mask, uint64(0)
	for {
		if m := t.groups[g].ctrl & msb; m != 0 {
			return int(g*groupSize) + bits.TrailingZeros64(m)>>3
		}
		step++
		g = (g + step) & t.mask
	}
}

func (t *table) setCtrl(pos int, b uint64) {
	g, shift := &t.groups[pos/groupSize], 8*uint(pos%groupSize)
	g.ctrl = g.ctrl&^(0xFF<<shift) | b<<shift
}

// resize makes room for one more entry: it doubles the table if it is more
// than 7/16 full of live entries, else rebuilds it at the same size without
// deleted markers.
func (t *table) resize(hashOf func(uint32) uint64) {
	groups := max(1, len(t.groups))
	if t.live >= t.capacity()*7/16 {
		groups *= 2
	}
	t.rebuild(groups, hashOf)
}

// shrink rebuilds a table that is at most a quarter full at the smallest
// size that keeps it under 7/16 full, to give memory back after deletions.
func (t *table) shrink(hashOf func(uint32) uint64) {
	if t.capacity() <= 64 || t.live > t.capacity()/4 {
		return
	}
	groups := 1
	for groups*groupSize*7/16 <= t.live {
		groups *= 2
	}
	t.rebuild(groups, hashOf)
}

func (t *table) rebuild(groups int, hashOf func(uint32) uint64) {
	old := *t
	*t = table{groups: make([]group, groups), mask: uint64(groups - 1)}
	for i := range t.groups {
		t.groups[i].ctrl = allEmpty
	}
	for pos := range old.capacity() {
		if old.ctrlAt(pos)&0x80 == 0 {
			slot := old.slot(pos)
			t.insert(hashOf(slot), slot, nil)
		}
	}
}
