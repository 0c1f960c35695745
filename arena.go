package maxmem

// The arena
//
// In the packed layout (string keys with []byte or string values) a shard
// keeps its keys and values in an arena instead of as Go values: each
// entry's key and value lie together in a chunk of bytes, behind a short
// header, and the entry's head holds a reference to them. Chunks hold no
// pointers, so the garbage collector scans none of them, however many
// entries the cache holds, and since Set copies the bytes in, what the
// cache charges is what it holds, whatever the caller does with its slice
// afterwards.
//
// Bytes once written are never written again: an update writes its new
// value elsewhere, and the old bytes become garbage. So Get returns a slice
// of the arena itself (no copy, no allocation), and readers need no lock to
// read an entry (see getPacked). A chunk whose entries are all gone is
// dropped, and the collector frees it once no slice from a Get points into
// it. When the garbage in the shared chunks passes a sixteenth of their
// live bytes, the chunks with the most garbage are compacted: their live
// items are copied to the chunk being filled and the old chunks dropped.
// Every entry is charged a sixteenth more than its item (see packedSize),
// so the arena never holds more than its entries are charged for, garbage
// and the unused end of the chunk being filled included.
//
// Items shorter than maxShared share chunks of up to maxChunk bytes. A
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
// its offset. Indexes of dropped chunks are reused with the next
// generation, so a reader holding a stale reference finds a different
// generation (or no chunk) and never reads bytes being written. The length
// lets the cache charge and release an entry without reading its item, a
// cache miss for a cold entry; an item with a chunk of its own records 0,
// and its length is the chunk's.

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"
)

const (
	// minChunk and maxChunk bound the size of the chunks entries share: a
	// thirty-second of the live bytes, rounded up to a power of two, so
	// the unused end of the chunk being filled stays small.
	minChunk = 1 << 10
	maxChunk = 64 << 10

	// maxShared bounds the items that share chunks (they are shorter) and
	// the values that get a chunk of their own (they are not).
	maxShared = maxChunk / 2

	// largePage is the unit in which the runtime allocates objects of
	// maxShared bytes or more.
	largePage = 8 << 10

	// itemBase is the header length EntryOverhead charges every entry: two
	// one-byte lengths.
	itemBase = 2

	// pointerLen is the length of an external value's chunk index and
	// generation in its item.
	pointerLen = 5
)

// The item flags.
const (
	customSize    = 1 << 0
	externalValue = 1 << 1
)

// arena holds a packed shard's keys and values. Its methods need the
// shard's lock, except chunkTable.valueOf, which readers call without it.
type arena struct {
	table   atomic.Pointer[chunkTable]
	gens    []uint8  // each table index's current generation
	free    []uint32 // table indexes not in use
	head    uint32   // index of the chunk being filled; 0: none
	fill    int      // bytes used in the head chunk
	live    int64    // bytes of live items in shared chunks
	garbage int64    // bytes not live in the shared chunks held, but the head
}

// chunkTable is one generation of the arena's table. Index 0 is never used.
type chunkTable struct {
	c []atomic.Pointer[chunk]
}

// chunk is a block of items, or one value or item of its own. data and
// gen never change; live and used are the lock holder's.
type chunk struct {
	data   []byte
	gen    uint8
	shared bool  // holds many items; else the one value or item it was made for
	live   int64 // bytes of live items
	used   int64 // bytes written
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

// refIdx, refGen, refOff, refLen and refExternal take a reference apart.
func refIdx(r uint64) uint32    { return uint32(r >> 40) }
func refGen(r uint64) uint8     { return uint8(r >> 32) }
func refOff(r uint64) int       { return int(uint16(r)) }
func refLen(r uint64) int       { return int(uint16(r>>16) & 0x7FFF) }
func refExternal(r uint64) bool { return r&(1<<31) != 0 }

// length returns the length of the live item r names, reading no item.
func (a *arena) length(r uint64) int {
	if n := refLen(r); n != 0 {
		return n
	}
	return len(a.at(refIdx(r)).data) // a chunk of its own is made to the item's length
}

// chunkOf returns the chunk r names if it is still the one r was made in,
// reading only through atomic loads and immutable fields: readers without
// the lock may call it with any reference, stale ones included.
func (t *chunkTable) chunkOf(r uint64) *chunk {
	idx := refIdx(r)
	if t == nil || int(idx) >= len(t.c) {
		return nil
	}
	ch := t.c[idx].Load()
	if ch == nil || ch.gen != refGen(r) {
		return nil
	}
	return ch
}

// valueOf returns the value of the item r names among the chunks of t,
// if its key is key. Like chunkOf, it may be called without the lock with
// any reference, and checks every bound.
func (t *chunkTable) valueOf(r uint64, key string) ([]byte, bool) {
	ch := t.chunkOf(r)
	if ch == nil {
		return nil, false
	}
	data, off := ch.data, refOff(r)
	if off+2 <= len(data) && data[off]|data[off+1] < 0x80 && data[off]&1 == 0 { // short, no flags: the usual item
		if int(data[off]>>1) != len(key) {
			return nil, false
		}
		k := off + 2
		v := k + len(key)
		end := v + int(data[off+1])
		if end > len(data) || string(data[k:v]) != key {
			return nil, false
		}
		return data[v:end:end], true
	}
	it, ok := parseItem(data, off)
	if !ok || it.klen != len(key) || string(data[it.key:it.value]) != key {
		return nil, false
	}
	if it.external {
		return t.external(data[it.value:it.end], it.vlen)
	}
	return data[it.value:it.end:it.end], true
}

// external returns the value of vlen bytes whose chunk p, an item's
// pointer, names.
func (t *chunkTable) external(p []byte, vlen int) ([]byte, bool) {
	ch := t.chunkOf(uint64(binary.LittleEndian.Uint32(p))<<40 | uint64(p[4])<<32)
	if ch == nil || len(ch.data) != vlen {
		return nil, false
	}
	return ch.data[:vlen:vlen], true
}

// item is a parsed item header.
type item struct {
	key, value int // offsets of the key and the value (or its pointer) in the chunk
	klen, vlen int
	size       int64 // the custom size, if custom
	custom     bool
	external   bool // the value has a chunk of its own: value to end is its pointer
	end        int  // offset just past the item
}

// parseItem reads the item at off in data, checking every bound: a stale
// reference may point anywhere in a chunk.
func parseItem(data []byte, off int) (it item, ok bool) {
	p := off
	if p+2 <= len(data) && data[p]|data[p+1] < 0x80 && data[p]&1 == 0 { // short, no flags: the usual item
		it.klen, it.vlen = int(data[p]>>1), int(data[p+1])
		it.key = p + 2
		it.value = it.key + it.klen
		it.end = it.value + it.vlen
		return it, it.end <= len(data)
	}
	return parseLongItem(data, off)
}

// parseLongItem is parseItem for items with long lengths or flags.
func parseLongItem(data []byte, off int) (it item, ok bool) {
	p := off
	k, n := uvarintAt(data, p)
	if n <= 0 {
		return it, false
	}
	p += n
	v, n := uvarintAt(data, p)
	if n <= 0 {
		return it, false
	}
	p += n
	if k&1 != 0 {
		if p >= len(data) {
			return it, false
		}
		flags := data[p]
		p++
		it.custom, it.external = flags&customSize != 0, flags&externalValue != 0
	}
	if it.custom {
		s, n := uvarintAt(data, p)
		if n <= 0 {
			return it, false
		}
		p, it.size = p+n, int64(s)
	}
	stored := v // the bytes after the key
	if it.external {
		stored = pointerLen
	}
	rest := uint64(len(data) - p)
	if k>>1 > rest || stored > rest-k>>1 {
		return it, false
	}
	it.klen, it.vlen = int(k>>1), int(v)
	it.key, it.value = p, p+it.klen
	it.end = it.value + int(stored)
	return it, true
}

// uvarintAt reads the uvarint at p in data; n <= 0 if there is none.
func uvarintAt(data []byte, p int) (uint64, int) {
	if p >= len(data) {
		return 0, 0
	}
	return binary.Uvarint(data[p:])
}

// layout is how an item is stored: its length in its chunk (total), its
// flags, and whether its value gets a chunk of its own (external) or the
// whole item does (own).
type layout struct {
	total    int
	flags    byte
	external bool
	own      bool
	vlen     int // the value's length
}

// usualItem reports whether an item has the usual layout: one-byte
// lengths, no flags, its value inside, itemBase + klen + vlen bytes long.
func usualItem(klen, vlen int, custom bool) bool { return klen < 64 && vlen < 128 && !custom }

// itemTotal returns the length of an item in its chunk (see layoutOf).
func itemTotal(klen, vlen int, size int64, custom bool) int {
	if usualItem(klen, vlen, custom) {
		return itemBase + klen + vlen
	}
	return layoutOf(klen, vlen, size, custom).total
}

// layoutOf returns how the item of a key of klen bytes and a value of vlen
// bytes (and, if custom, the size a Sizer gave) is stored.
func layoutOf(klen, vlen int, size int64, custom bool) layout {
	if usualItem(klen, vlen, custom) {
		return layout{total: itemBase + klen + vlen, vlen: vlen}
	}
	var flags byte
	if custom {
		flags = customSize
	}
	if vlen >= maxShared {
		ext := flags | externalValue
		if t := headerLen(klen, vlen, ext, size) + klen + pointerLen; t < maxShared {
			return layout{total: t, flags: ext, external: true, vlen: vlen}
		}
	}
	t := headerLen(klen, vlen, flags, size) + klen + vlen
	return layout{total: t, flags: flags, own: t >= maxShared, vlen: vlen}
}

// headerLen returns the length of an item's header.
func headerLen(klen, vlen int, flags byte, size int64) int {
	n := uvarintLen(uint64(klen)<<1) + uvarintLen(uint64(vlen))
	if flags != 0 {
		n++
	}
	if flags&customSize != 0 {
		n += uvarintLen(uint64(size))
	}
	return n
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// charge returns what the built-in sizer charges an item of this layout,
// less the itemBase bytes of header that EntryOverhead counts: a shared
// item takes its length and a sixteenth more, for the arena's garbage and
// the unused end of its chunk; a chunk of its own takes what the runtime
// allocates for it, whole pages.
func (l layout) charge() int64 {
	if l.own {
		return pages(l.total) - itemBase
	}
	c := sharedCharge(l.total)
	if l.external {
		c += pages(l.vlen)
	}
	return c
}

// sharedCharge is what an item of total bytes in a shared chunk is
// charged.
func sharedCharge(total int) int64 { return int64(total - itemBase + (total+15)/16) }

// pages rounds n up to whole runtime pages.
func pages(n int) int64 { return int64((n + largePage - 1) / largePage * largePage) }

// packedSize is what the built-in sizer reports for a packed entry.
func packedSize(klen, vlen int) int64 {
	if klen < 64 && vlen < 128 { // the usual item, written out
		return sharedCharge(itemBase + klen + vlen)
	}
	return layoutOf(klen, vlen, 0, false).charge()
}

// builtinCharge returns what the built-in sizer charged the item r names,
// reading the item only when its value has a chunk of its own.
func (a *arena) builtinCharge(r uint64) int64 {
	switch {
	case refLen(r) == 0:
		return pages(a.length(r)) - itemBase
	case refExternal(r):
		_, it := a.parse(r)
		return sharedCharge(refLen(r)) + pages(it.vlen)
	}
	return sharedCharge(refLen(r))
}

// at returns the chunk at table index idx, for the lock holder.
func (a *arena) at(idx uint32) *chunk { return a.table.Load().c[idx].Load() }

// parse returns the chunk and the parsed header of the live item r names,
// for the lock holder.
func (a *arena) parse(r uint64) (*chunk, item) {
	ch := a.at(refIdx(r))
	it, _ := parseItem(ch.data, refOff(r))
	return ch, it
}

// key returns the key of the live item r names, for the lock holder.
func (a *arena) key(r uint64) []byte {
	ch, it := a.parse(r)
	return ch.data[it.key:it.value]
}

// value returns the value of the live item r names, for the lock holder.
func (a *arena) value(r uint64) []byte {
	ch, it := a.parse(r)
	if it.external {
		v, _ := a.table.Load().external(ch.data[it.value:it.end], it.vlen)
		return v
	}
	return ch.data[it.value:it.end:it.end]
}

// put writes an item and returns its reference. The usual item is written
// out here, without working out its layout: a Set of an existing key
// takes 20 % longer without this (bench: BenchmarkLatency/op=SetUpdate,
// six interleaved rounds, p = 0.009).
func (a *arena) put(key string, value []byte, size int64, custom bool) uint64 {
	if usualItem(len(key), len(value), custom) { // written out, without its layout
		n := itemBase + len(key) + len(value)
		idx, off := a.reserve(n, false)
		ch := a.at(idx)
		b := ch.data[off : off+n]
		b[0], b[1] = byte(len(key)<<1), byte(len(value))
		copy(b[copy(b[2:], key)+2:], value)
		ch.live += int64(n)
		a.live += int64(n)
		return ref(idx, ch.gen, off, n, false)
	}
	return a.putLong(key, value, size, custom)
}

// putLong is put for items with long lengths or flags.
func (a *arena) putLong(key string, value []byte, size int64, custom bool) uint64 {
	l := layoutOf(len(key), len(value), size, custom)
	var ptr [pointerLen]byte
	if l.external {
		vidx := a.newChunk(len(value), false)
		vch := a.at(vidx)
		copy(vch.data, value)
		binary.LittleEndian.PutUint32(ptr[:], vidx)
		ptr[4] = vch.gen
	}
	idx, off := a.reserve(l.total, l.own)
	ch := a.at(idx)
	b := ch.data[off : off+l.total]
	flagged := uint64(0)
	if l.flags != 0 {
		flagged = 1
	}
	p := binary.PutUvarint(b, uint64(len(key))<<1|flagged)
	p += binary.PutUvarint(b[p:], uint64(len(value)))
	if l.flags != 0 {
		b[p] = l.flags
		p++
	}
	if l.flags&customSize != 0 {
		p += binary.PutUvarint(b[p:], uint64(size))
	}
	p += copy(b[p:], key)
	if l.external {
		copy(b[p:], ptr[:])
	} else {
		copy(b[p:], value)
	}
	ch.live += int64(l.total)
	n := l.total
	if l.own {
		n = 0
	} else {
		a.live += int64(l.total)
	}
	return ref(idx, ch.gen, off, n, l.external)
}

// copyItem writes a copy of the live item r names (an external value's
// pointer included, so the value stays where it is) at the end of the
// chunk being filled and returns the copy's reference.
func (a *arena) copyItem(r uint64) uint64 {
	src := a.at(refIdx(r))
	n := refLen(r)
	idx, off := a.reserve(n, false)
	ch := a.at(idx)
	copy(ch.data[off:off+n], src.data[refOff(r):refOff(r)+n])
	ch.live += int64(n)
	a.live += int64(n)
	return ref(idx, ch.gen, off, n, refExternal(r))
}

// reserve returns where n bytes of a new item go: the end of the chunk
// being filled, or a fresh shared chunk (as large as the item, if the item
// is larger than chunks are now), or, if own, a chunk of its own.
func (a *arena) reserve(n int, own bool) (idx uint32, off int) {
	if own {
		return a.newChunk(n, false), 0
	}
	if a.head == 0 || a.fill+n > len(a.at(a.head).data) {
		a.retireHead()
		a.head, a.fill = a.newChunk(max(a.chunkSize(), n), true), 0
	}
	off = a.fill
	a.fill += n
	a.at(a.head).used = int64(a.fill)
	return a.head, off
}

// chunkSize returns the size for a new shared chunk.
func (a *arena) chunkSize() int {
	size := minChunk
	for size < maxChunk && int64(size) < a.live/32 {
		size *= 2
	}
	return size
}

// headWaste returns the bytes of the head chunk not live: its dead items
// and its unused end.
func (a *arena) headWaste() int64 {
	if a.head == 0 {
		return 0
	}
	ch := a.at(a.head)
	return int64(len(ch.data)) - ch.live
}

// retireHead stops filling the head chunk: what in it is not live, its
// unused end included, becomes garbage, and the chunk goes at once if
// nothing in it is live.
func (a *arena) retireHead() {
	if a.head == 0 {
		return
	}
	ch, idx := a.at(a.head), a.head
	a.head, a.fill = 0, 0
	a.garbage += int64(len(ch.data)) - ch.live
	if ch.live == 0 {
		a.drop(idx)
	}
}

// newChunk adds a chunk of n bytes and returns its index.
func (a *arena) newChunk(n int, shared bool) uint32 {
	idx := a.freeIndex()
	a.gens[idx]++
	a.table.Load().c[idx].Store(&chunk{data: make([]byte, n), gen: a.gens[idx], shared: shared})
	return idx
}

// freeIndex returns an unused table index, growing the table if needed.
func (a *arena) freeIndex() uint32 {
	if n := len(a.free); n > 0 {
		idx := a.free[n-1]
		a.free = a.free[:n-1]
		return idx
	}
	old := a.table.Load()
	n := 1
	if old != nil {
		n = len(old.c)
	}
	next := &chunkTable{c: make([]atomic.Pointer[chunk], 2*n)}
	for i := 1; i < n; i++ {
		next.c[i].Store(old.c[i].Load())
	}
	for i := 2 * n; i > max(n, 1); i-- {
		a.free = append(a.free, uint32(i-1))
	}
	a.gens = append(a.gens, make([]uint8, 2*n-len(a.gens))...)
	a.table.Store(next)
	return a.freeIndex()
}

// drop lets go of the chunk at idx, which is not the head.
func (a *arena) drop(idx uint32) {
	ch := a.at(idx)
	if ch.shared {
		a.garbage -= int64(len(ch.data)) - ch.live
	}
	a.table.Load().c[idx].Store(nil)
	a.free = append(a.free, idx)
}

// release marks the item r names dead, with its external value, and drops
// the chunks nothing live is left in (but the one being filled).
func (a *arena) release(r uint64) {
	idx := refIdx(r)
	if refExternal(r) {
		ch, it := a.parse(r)
		a.drop(binary.LittleEndian.Uint32(ch.data[it.value:]))
	}
	ch := a.at(idx)
	if !ch.shared {
		a.drop(idx)
		return
	}
	n := int64(refLen(r))
	ch.live -= n
	a.live -= n
	if idx != a.head {
		a.garbage += n
		if ch.live == 0 {
			a.drop(idx)
		}
	}
}

// overGarbage reports whether what the shared chunks hold beyond their
// live items has passed what the entries' charges leave room for (a
// sixteenth of the live bytes) by more than the smallest chunk, and
// compacting could help.
func (a *arena) overGarbage() bool {
	return a.garbage > 0 && a.garbage+a.headWaste() > a.live/16+minChunk
}

// settled reports whether compaction has brought the waste down to half
// the room, so that it does not start again at the next release.
func (a *arena) settled() bool {
	return a.garbage == 0 || a.garbage+a.headWaste() <= a.live/32+minChunk
}

// victim returns the shared chunk, other than the head, with the most
// garbage for its size, or 0 if none has any.
func (a *arena) victim() uint32 {
	var best uint32
	var bestRatio float64
	t := a.table.Load()
	for i := 1; i < len(t.c); i++ {
		ch := t.c[i].Load()
		if ch == nil || !ch.shared || uint32(i) == a.head || ch.live == int64(len(ch.data)) {
			continue
		}
		if r := 1 - float64(ch.live)/float64(len(ch.data)); r > bestRatio {
			best, bestRatio = uint32(i), r
		}
	}
	return best
}

// reset drops every chunk. Readers without the lock may still hold the
// table: it is replaced, not changed. The generations are kept, so that a
// reference made before the reset never names a chunk made after it.
func (a *arena) reset() {
	if t := a.table.Load(); t != nil {
		a.table.Store(&chunkTable{c: make([]atomic.Pointer[chunk], len(t.c))})
		a.free = a.free[:0]
		for i := len(t.c) - 1; i >= 1; i-- {
			a.free = append(a.free, uint32(i))
		}
	}
	a.head, a.fill, a.live, a.garbage = 0, 0, 0, 0
}

// evacuate copies the live items of the shared chunk at idx to the chunk
// being filled and drops the chunk. holder returns the head whose word is
// the item's reference, or nil if the item is dead; evacuate points that
// head at the copy.
func (a *arena) evacuate(idx uint32, holder func(r uint64, key string) *head) {
	ch := a.at(idx)
	for off := 0; off < int(ch.used); {
		it, _ := parseItem(ch.data, off)
		r := ref(idx, ch.gen, off, it.end-off, it.external)
		b := ch.data[it.key:it.value]
		if h := holder(r, unsafe.String(unsafe.SliceData(b), len(b))); h != nil {
			h.setWord(a.copyItem(r))
			n := int64(it.end - off)
			ch.live -= n
			a.live -= n
		}
		off = it.end
	}
	a.drop(idx)
}

// compact empties the chunks with the most garbage into the chunk being
// filled, once the garbage has passed what the entries' charges leave room
// for, until it is down to half that room (see evacuate for holder).
func (a *arena) compact(holder func(r uint64, key string) *head) {
	if !a.overGarbage() {
		return
	}
	for !a.settled() {
		v := a.victim()
		if v == 0 {
			return
		}
		a.evacuate(v, holder)
	}
}
