// Package index is a compact swiss table from 64-bit hashes to uint32
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
package index

import "math/bits"

const (
	groupSize = 8
	empty     = 0x80
	deleted   = 0xFE
	lsb       = 0x0101010101010101
	msb       = 0x8080808080808080
	allEmpty  = empty * lsb
)

// Table maps hashes to slots. The zero value is an empty table.
type Table struct {
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

// Len returns the number of entries.
func (t *Table) Len() int { return t.live }

// Bytes returns the memory the table holds.
func (t *Table) Bytes() int64 { return int64(len(t.groups)) * 40 }

func h2(hash uint64) uint64 { return hash & 0x7F }

// matchByte marks with 0x80 the bytes of w equal to b. It may also mark a
// byte that follows a marked one (a borrow); callers confirm each match.
func matchByte(w, b uint64) uint64 {
	x := w ^ (lsb * b)
	return (x - lsb) &^ x & msb
}

// matchEmpty marks exactly the empty bytes: top bit set, next bit clear.
func matchEmpty(w uint64) uint64 { return w &^ (w << 1) & msb }

// Probe walks the slots whose control byte matches a hash.
type Probe struct {
	t     *Table
	h2    uint64
	group uint64
	step  uint64
	match uint64
	last  bool // the current group has an empty slot: the walk ends with it
}

// Probe starts a lookup of hash.
func (t *Table) Probe(hash uint64) Probe {
	if len(t.groups) == 0 {
		return Probe{last: true}
	}
	p := Probe{t: t, h2: h2(hash), group: (hash >> 7) & t.mask}
	p.load()
	return p
}

func (p *Probe) load() {
	w := p.t.groups[p.group].ctrl
	p.match = matchByte(w, p.h2)
	p.last = matchEmpty(w) != 0
}

// Next returns the position of the next candidate slot, or ok false when
// there are no more.
func (p *Probe) Next() (pos int, ok bool) {
	for {
		for p.match == 0 {
			if p.last {
				return 0, false
			}
			p.step++
			p.group = (p.group + p.step) & p.t.mask
			p.load()
		}
		i := uint64(bits.TrailingZeros64(p.match)) >> 3
		p.match &= p.match - 1
		if byte(p.t.groups[p.group].ctrl>>(8*i)) == byte(p.h2) { // not a borrow
			return int(p.group*groupSize + i), true
		}
	}
}

// Slot returns the slot stored at pos.
func (t *Table) Slot(pos int) uint32 { return t.groups[pos/groupSize].slots[pos%groupSize] }

// SetSlot replaces the slot stored at pos, after the caller moved its entry.
func (t *Table) SetSlot(pos int, slot uint32) { t.groups[pos/groupSize].slots[pos%groupSize] = slot }

// Delete removes the entry at pos.
func (t *Table) Delete(pos int) {
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

// Insert adds slot under hash, which the caller knows is absent. hashOf must
// return the hash of any stored slot; it is called only when the table grows.
func (t *Table) Insert(hash uint64, slot uint32, hashOf func(uint32) uint64) {
	if t.live+t.dead >= t.capacity()*7/8 {
		t.resize(hashOf)
	}
	pos := t.free(hash)
	if t.ctrlAt(pos) == deleted {
		t.dead--
	}
	t.setCtrl(pos, h2(hash))
	t.SetSlot(pos, slot)
	t.live++
}

func (t *Table) capacity() int { return len(t.groups) * groupSize }

func (t *Table) ctrlAt(pos int) byte {
	return byte(t.groups[pos/groupSize].ctrl >> (8 * (pos % groupSize)))
}

// free returns the first empty or deleted position on hash's probe path.
func (t *Table) free(hash uint64) int {
	g, step := (hash>>7)&t.mask, uint64(0)
	for {
		if m := t.groups[g].ctrl & msb; m != 0 {
			return int(g*groupSize) + bits.TrailingZeros64(m)>>3
		}
		step++
		g = (g + step) & t.mask
	}
}

func (t *Table) setCtrl(pos int, b uint64) {
	g, shift := &t.groups[pos/groupSize], 8*uint(pos%groupSize)
	g.ctrl = g.ctrl&^(0xFF<<shift) | b<<shift
}

// resize makes room for one more entry: it doubles the table if it is more
// than 7/16 full of live entries, else rebuilds it at the same size without
// deleted markers.
func (t *Table) resize(hashOf func(uint32) uint64) {
	groups := max(1, len(t.groups))
	if t.live >= t.capacity()*7/16 {
		groups *= 2
	}
	t.rebuild(groups, hashOf)
}

// Shrink rebuilds a table that is at most a quarter full at the smallest
// size that keeps it under 7/16 full, to give memory back after deletions.
func (t *Table) Shrink(hashOf func(uint32) uint64) {
	if t.capacity() <= 64 || t.live > t.capacity()/4 {
		return
	}
	groups := 1
	for groups*groupSize*7/16 <= t.live {
		groups *= 2
	}
	t.rebuild(groups, hashOf)
}

func (t *Table) rebuild(groups int, hashOf func(uint32) uint64) {
	old := *t
	*t = Table{groups: make([]group, groups), mask: uint64(groups - 1)}
	for i := range t.groups {
		t.groups[i].ctrl = allEmpty
	}
	for pos := range old.capacity() {
		if old.ctrlAt(pos)&0x80 == 0 {
			slot := old.Slot(pos)
			t.Insert(hashOf(slot), slot, nil)
		}
	}
}
