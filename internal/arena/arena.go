// Package arena keeps a shard's keys and values as bytes in pointer-free
// chunks, so that the garbage collector scans a few hundred chunks
// instead of millions of objects, and what the cache charges is what it
// holds, whatever the caller does with its slices afterwards.
//
// Each entry's key and value lie together in a chunk, behind a short
// header, and the entry holds a reference to them (a uint64). Bytes once
// handed out are never written again: an update writes its new value
// elsewhere and the old bytes become garbage, unless the owner knows
// nobody was handed the old value and the new one has the same length
// (Overwritable). So a reader that holds no lock can look an entry up
// (Table.Lend), and the value it returns is a slice of the chunk itself:
// no copy, no allocation.
//
// Invariant: the chunks hold no more than the entries are charged for, two
// chunks of slack apart: live items, the garbage among them, the unused
// end of the chunk being filled and the chunks kept for reuse together stay
// within a sixteenth of the live bytes, the slack every item's charge
// (PackedSize) includes, and two chunks (see room). When they pass it, Compact copies
// the live items of the chunks with the most garbage into the chunk being
// filled and frees those chunks.
//
// Chunks are reused, so that a cache in steady state allocates nothing: a
// freed chunk is kept for the next chunk to fill, unless a value in it was
// ever lent out (Lend): that slice is the caller's to keep, so such a chunk
// is left to the garbage collector instead. Freeing and reusing happen
// under the owner's lock and seqlock: a reader that met a chunk being
// freed sees the sequence move and tries again, and marks the chunk lent
// before it checks the sequence, so the chunk of a value it returns is
// never reused (see Table.Lend).
//
// Items shorter than maxShared share chunks of MinChunk to MaxChunk bytes
// (see chunkSize). A
// value of maxShared bytes or more gets a chunk of its own, of exactly its
// length, and its item (header, key and the value chunk's index) shares a
// chunk as usual: the runtime allocates such a value in whole pages, and a
// header in front of it would cost a page more. An item too long to share
// for another reason (its key) gets a chunk of its own, whole.
//
// An item, at the offset its reference names:
//
//	klen   uvarint: the key's length << 1, | 1 if a flags byte follows
//	vlen   uvarint: the value's length
//	flags  if flagged: customSize | externalValue
//	size   uvarint, if customSize: what the user's Sizer reported
//	key
//	value, or, if externalValue, the value chunk's index (4 bytes) and
//	generation (1 byte)
//
// A reference is the chunk's index in the arena's table << 40 | the
// chunk's generation << 32 | external << 31 | the item's length << 16 |
// its offset. Indexes of freed chunks are reused with the next generation,
// so a reader holding a stale reference finds a different generation (or
// no chunk) and never reads bytes being written. The length lets the
// owner charge and release an entry without reading its item; an item
// with a chunk of its own records 0, and its length is the chunk's.
package arena

import (
	"encoding/binary"
	"sync/atomic"
)

const (
	// MinChunk and MaxChunk bound the size of the chunks entries share.
	MinChunk = 1 << 10
	MaxChunk = 64 << 10

	// maxShared bounds the items that share chunks (they are shorter) and
	// the values that get a chunk of their own (they are not).
	maxShared = MaxChunk / 2

	// largePage is the unit in which the runtime allocates objects of
	// maxShared bytes or more.
	largePage = 8 << 10

	// ItemBase is the header length of the usual item, two one-byte
	// lengths: the owner charges it with its per-entry overhead, and
	// PackedSize leaves it out.
	ItemBase = 2

	// pointerLen is the length of an external value's chunk index and
	// generation in its item.
	pointerLen = 5

	// keepFree bounds the freed chunks kept for reuse.
	keepFree = 2
)

// The item flags.
const (
	customSize    = 1 << 0
	externalValue = 1 << 1
)

// Arena holds one shard's keys and values. Its methods need the owner's
// lock, but Load and the Table's methods, which readers call without it.
type Arena struct {
	table   atomic.Pointer[Table]
	_       [56]byte // so that readers of table do not share a cache line with the writes' counts
	places  []place  // by table index
	indexes []uint32 // table indexes not in use
	free    []*chunk // freed shared chunks, kept for reuse (at most keepFree)
	head    uint32   // index of the chunk being filled; 0: none
	fill    int      // bytes used in the head chunk
	live    int64    // bytes of live items in shared chunks
	items   int64    // live items in shared chunks
	garbage int64    // bytes not live in the shared chunks held, but the head
	made    int64    // bytes of chunks ever allocated
	// compacting is set while Compact runs: the chunks it frees are kept
	// for reuse as it goes, and trimmed to keepFree when it ends.
	compacting bool
}

// Table is one generation of the arena's chunk table. Index 0 is never
// used.
type Table struct {
	c []atomic.Pointer[chunk]
}

// chunk is a block of items, or one value or item of its own: what
// readers see of it. data never changes; gen changes when a freed chunk is
// reused under a new index.
type chunk struct {
	lent   atomic.Bool   // a value in it was handed out: never reuse it
	gen    atomic.Uint32 // the generation of its table index, which references carry
	data   []byte
	shared bool // holds many items; else the one value or item it was made for
}

// place is what the lock holder keeps by table index, apart from the
// chunk, so that the counts every write changes stay off the cache lines
// readers read.
type place struct {
	live int64 // bytes of live items in the chunk there
	used int64 // bytes written in it
	gen  uint8 // the index's current generation
}

// ref builds a reference to an item of n bytes at off; n is 0 for an item
// with a chunk of its own.
func ref(idx uint32, gen uint8, off, n int, external bool) uint64 {
	r := uint64(idx)<<40 | uint64(gen)<<32 | uint64(n)<<16 | uint64(off)
	if external {
		r |= 1 << 31
	}
	return r
}

// refIdx, refGen, refOff, RefLen and refExternal take a reference apart.
func refIdx(r uint64) uint32    { return uint32(r >> 40) }
func refGen(r uint64) uint8     { return uint8(r >> 32) }
func refOff(r uint64) int       { return int(uint16(r)) }
func refExternal(r uint64) bool { return r&(1<<31) != 0 }

// RefLen returns the length of the item r names, or 0 for an item with a
// chunk of its own, reading no item.
func RefLen(r uint64) int { return int(uint16(r>>16) & 0x7FFF) }

// Load returns the chunk table, for readers without the lock.
func (a *Arena) Load() *Table { return a.table.Load() }

// chunkOf returns the chunk r names if it is still the one r was made in,
// reading only through atomic loads and immutable fields: readers without
// the lock may call it with any reference, stale ones included.
func (t *Table) chunkOf(r uint64) *chunk {
	idx := refIdx(r)
	if t == nil || int(idx) >= len(t.c) {
		return nil
	}
	ch := t.c[idx].Load()
	if ch == nil || uint8(ch.gen.Load()) != refGen(r) {
		return nil
	}
	return ch
}

// Lend returns the value of the item r names if its key is key, and marks
// the chunk that holds the value lent, so that it is never reused: the
// caller may keep the slice. Readers without the lock may call it with any reference; it
// checks every bound. Such a reader must check its sequence after Lend: a
// chunk freed meanwhile is one it may not keep.
func (t *Table) Lend(r uint64, key string) ([]byte, bool) {
	ch := t.chunkOf(r)
	if ch == nil {
		return nil, false
	}
	return ch.valueOf(t, refOff(r), key)
}

// markLent marks ch lent: a slice of it was handed out.
func (ch *chunk) markLent() {
	if !ch.lent.Load() {
		ch.lent.Store(true)
	}
}

// valueOf returns the value of the item at off in ch if its key is key,
// and marks the chunk that holds the value lent.
func (ch *chunk) valueOf(t *Table, off int, key string) ([]byte, bool) {
	data := ch.data
	if off+2 <= len(data) && data[off]|data[off+1] < 0x80 && data[off]&1 == 0 { // the usual item
		if int(data[off]>>1) != len(key) {
			return nil, false
		}
		k := off + 2
		v := k + len(key)
		end := v + int(data[off+1])
		if end > len(data) || string(data[k:v]) != key {
			return nil, false
		}
		ch.markLent()
		return data[v:end:end], true
	}
	it, ok := parseItem(data, off)
	if !ok || it.klen != len(key) || string(data[it.key:it.value]) != key {
		return nil, false
	}
	if it.external {
		return t.external(data[it.value:it.end], it.vlen)
	}
	ch.markLent()
	return data[it.value:it.end:it.end], true
}

// external returns the value of vlen bytes whose chunk p, an item's
// pointer, names, and marks that chunk lent.
func (t *Table) external(p []byte, vlen int) ([]byte, bool) {
	ch := t.externalChunk(p, vlen)
	if ch == nil {
		return nil, false
	}
	ch.markLent()
	return ch.data[:vlen:vlen], true
}

// externalChunk returns the chunk of vlen bytes that p, an item's
// pointer, names, or nil.
func (t *Table) externalChunk(p []byte, vlen int) *chunk {
	ch := t.chunkOf(uint64(binary.LittleEndian.Uint32(p))<<40 | uint64(p[4])<<32)
	if ch == nil || len(ch.data) != vlen {
		return nil
	}
	return ch
}

// Readable reports whether r names a chunk of this arena that is still
// the one r was made in.
func (a *Arena) Readable(r uint64) bool { return a.table.Load().chunkOf(r) != nil }

// Match reports whether the live item r names has key, for the lock
// holder: it lends nothing.
func (a *Arena) Match(r uint64, key string) bool {
	ch := a.at(refIdx(r))
	data, off := ch.data, refOff(r)
	if data[off]|data[off+1] < 0x80 && data[off]&1 == 0 { // the usual item
		return int(data[off]>>1) == len(key) && string(data[off+2:off+2+len(key)]) == key
	}
	it, _ := parseItem(data, off)
	return it.klen == len(key) && string(data[it.key:it.value]) == key
}

// Key returns the key of the live item r names, for the lock holder. The
// bytes are the chunk's: copy them to keep them past the lock (or use
// LendKey).
func (a *Arena) Key(r uint64) []byte {
	ch, it := a.parse(r)
	return ch.data[it.key:it.value]
}

// LendKey returns the key of the live item r names, for the lock holder,
// and marks its chunk lent: the caller may keep the slice.
func (a *Arena) LendKey(r uint64) []byte {
	ch, it := a.parse(r)
	ch.markLent()
	return ch.data[it.key:it.value]
}

// Lend returns the value of the live item r names, for the lock holder,
// and marks the chunk that holds the value lent: the caller may keep the
// slice.
func (a *Arena) Lend(r uint64) []byte {
	ch, it := a.parse(r)
	if it.external {
		v, _ := a.table.Load().external(ch.data[it.value:it.end], it.vlen)
		return v
	}
	ch.markLent()
	return ch.data[it.value:it.end:it.end]
}

// at returns the chunk at table index idx, for the lock holder.
func (a *Arena) at(idx uint32) *chunk { return a.table.Load().c[idx].Load() }

// parse returns the chunk and the parsed header of the live item r names,
// for the lock holder.
func (a *Arena) parse(r uint64) (*chunk, item) {
	ch := a.at(refIdx(r))
	it, _ := parseItem(ch.data, refOff(r))
	return ch, it
}
