package maxmem

// The arena
//
// In the packed layout (string keys with []byte or string values) a shard
// keeps its keys and values in an arena instead of as Go values: each
// entry's key and value lie together in a chunk of bytes, behind a short
// header, and the entry's node holds a reference to them. Neither chunks
// nor nodes hold pointers, so the garbage collector scans neither, however
// many entries the cache holds, and since Set copies the bytes in, what the
// cache charges is what it holds, whatever the caller does with its slice
// afterwards.
//
// Bytes once written are never written again: an update writes its new
// value elsewhere, and the old bytes become garbage. So Get returns a slice
// of the arena itself (no copy, no allocation), and readers need no lock to
// read an entry (see getPacked). A chunk whose entries are all gone is
// dropped, and the collector frees it once no slice from a Get points into
// it. When the garbage in the chunks still in use passes a sixteenth of
// the live bytes, the chunks with the most garbage are compacted: their
// live entries are copied to the chunk being filled and the old chunks
// dropped. Every entry is charged a sixteenth more than its bytes (see
// packedSize), so the arena never holds more than its entries are charged
// for, garbage and the unused end of the chunk being filled included.
//
// An item, at the offset its reference names:
//
//	klen   uvarint: the key's length << 1, | 1 if a size follows
//	vlen   uvarint: the value's length
//	size   uvarint, if flagged: what a custom Sizer reported
//	key, value
//
// A reference is the chunk's index in the arena's table << 40 | the
// chunk's generation << 32 | the item's length << 16 | its offset. Indexes
// of dropped chunks are reused with the next generation, so a reader
// holding a stale reference finds a different generation (or no chunk) and
// never reads bytes being written. The length lets the cache charge and
// release an entry without reading its item, a cache miss for a cold
// entry: an item that takes a chunk of its own (longer than 16 bits can
// say) records 0, and its length is the chunk's.

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

	// maxShared is the largest item that shares a chunk with others; a
	// larger one gets a chunk of its own.
	maxShared = maxChunk / 2

	// largePage is the unit in which the runtime allocates objects larger
	// than maxShared.
	largePage = 8 << 10

	// itemBase is the header length EntryOverhead charges every entry: two
	// one-byte lengths.
	itemBase = 2
)

// arena holds a packed shard's keys and values. Its methods need the
// shard's lock, except view and the item parsing it feeds.
type arena struct {
	table   atomic.Pointer[chunkTable]
	gens    []uint8  // each table index's current generation
	free    []uint32 // table indexes not in use
	head    uint32   // index of the chunk being filled; 0: none
	fill    int      // bytes used in the head chunk
	live    int64    // bytes of live items
	garbage int64    // bytes not live in the shared chunks held, but the head
}

// chunkTable is one generation of the arena's table. Index 0 is never used.
type chunkTable struct {
	c []atomic.Pointer[chunk]
}

// chunk is a block of items. data and gen never change; live and used are
// the lock holder's.
type chunk struct {
	data   []byte
	gen    uint8
	shared bool  // holds many items; else the one item it was made for
	live   int64 // bytes of live items
	used   int64 // bytes written
}

// ref builds a reference to an item of n bytes at off.
func ref(idx uint32, gen uint8, off, n int) uint64 {
	if n > maxShared {
		n = 0 // its chunk's own: off is 0 and the chunk says how long
	}
	return uint64(idx)<<40 | uint64(gen)<<32 | uint64(n)<<16 | uint64(off)
}

// refIdx, refGen and refOff take a reference apart.
func refIdx(r uint64) uint32 { return uint32(r >> 40) }
func refGen(r uint64) uint8  { return uint8(r >> 32) }
func refOff(r uint64) int    { return int(uint16(r)) }

// length returns the length of the live item r names, reading no item.
func (a *arena) length(r uint64) int {
	if n := int(uint16(r >> 16)); n != 0 {
		return n
	}
	return len(a.at(refIdx(r)).data) // a chunk of its own is made to the item's length
}

// view returns the chunk bytes a reference points into and the offset, or
// ok false if the chunk is gone or the reference does not fit it. It reads
// only through atomic loads and immutable fields: readers without the lock
// may call it with any reference, stale ones included.
func (a *arena) view(r uint64) (data []byte, off int, ok bool) {
	t := a.table.Load()
	idx := refIdx(r)
	if t == nil || int(idx) >= len(t.c) {
		return nil, 0, false
	}
	ch := t.c[idx].Load()
	if ch == nil || ch.gen != refGen(r) {
		return nil, 0, false
	}
	off = refOff(r)
	return ch.data, off, off < len(ch.data)
}

// valueOf returns the value of the item r names among the chunks of t,
// if its key is key. Like view, it reads only through atomic loads and
// immutable fields, and checks every bound: readers without the lock call
// it with any reference, stale ones included.
func (t *chunkTable) valueOf(r uint64, key string) ([]byte, bool) {
	idx := refIdx(r)
	if t == nil || int(idx) >= len(t.c) {
		return nil, false
	}
	ch := t.c[idx].Load()
	if ch == nil || ch.gen != refGen(r) {
		return nil, false
	}
	data, off := ch.data, refOff(r)
	if off+2 <= len(data) && data[off]|data[off+1] < 0x80 && data[off]&1 == 0 { // short, no size: the usual item
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
	return data[it.value:it.end:it.end], true
}

// item is a parsed item header.
type item struct {
	key, value int // offsets of the key and the value in the chunk
	klen, vlen int
	size       int64 // the custom size, if custom
	custom     bool
	end        int // offset just past the item
}

// parseItem reads the item at off in data, checking every bound: a stale
// reference may point anywhere in a chunk.
func parseItem(data []byte, off int) (it item, ok bool) {
	p := off
	if p+2 <= len(data) && data[p]|data[p+1] < 0x80 && data[p]&1 == 0 { // short, no size: the usual item
		it.klen, it.vlen = int(data[p]>>1), int(data[p+1])
		it.key = p + 2
		it.value = it.key + it.klen
		it.end = it.value + it.vlen
		return it, it.end <= len(data)
	}
	return parseLongItem(data, off)
}

// parseLongItem is parseItem for items with long lengths or a size.
func parseLongItem(data []byte, off int) (it item, ok bool) {
	p := off
	if p >= len(data) {
		return it, false
	}
	k, n := binary.Uvarint(data[p:])
	if n <= 0 {
		return it, false
	}
	p += n
	v, n := binary.Uvarint(data[p:])
	if n <= 0 {
		return it, false
	}
	p += n
	it.custom = k&1 != 0
	if it.custom {
		s, n := binary.Uvarint(data[p:])
		if n <= 0 {
			return it, false
		}
		p, it.size = p+n, int64(s)
	}
	rest := uint64(len(data) - p)
	if k>>1 > rest || v > rest-k>>1 {
		return it, false
	}
	it.klen, it.vlen = int(k>>1), int(v)
	it.key, it.value = p, p+it.klen
	it.end = it.value + it.vlen
	return it, true
}

// itemLen returns the length of an item and its header.
func itemLen(klen, vlen int, size int64, custom bool) (total, header int) {
	if klen < 64 && vlen < 128 && !custom { // one-byte lengths: the usual item
		return itemBase + klen + vlen, itemBase
	}
	flag := uint64(0)
	if custom {
		flag = 1
	}
	header = uvarintLen(uint64(klen)<<1|flag) + uvarintLen(uint64(vlen))
	if custom {
		header += uvarintLen(uint64(size))
	}
	return header + klen + vlen, header
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// packedSize is what the built-in sizer reports for a packed entry: the
// bytes its key and value take in the arena, less the itemBase bytes of
// header that EntryOverhead counts. An item of up to half the largest chunk
// shares a chunk with others and takes its length and a sixteenth more,
// for the arena's garbage and the unused end of its chunk; a larger one
// takes a chunk of its own, which the runtime rounds up to whole pages.
func packedSize(klen, vlen int) int64 {
	total, _ := itemLen(klen, vlen, 0, false)
	return packedSizeOf(total)
}

// packedSizeOf is packedSize for an item of total bytes.
func packedSizeOf(total int) int64 {
	if total > maxShared {
		return int64((total+largePage-1)/largePage*largePage - itemBase)
	}
	return int64(total - itemBase + (total+15)/16)
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

// put writes an item and returns its reference.
func (a *arena) put(key string, value []byte, size int64, custom bool) uint64 {
	total, header := itemLen(len(key), len(value), size, custom)
	idx, off := a.reserve(total)
	ch := a.at(idx)
	b := ch.data[off : off+total]
	flag := uint64(0)
	if custom {
		flag = 1
	}
	p := binary.PutUvarint(b, uint64(len(key))<<1|flag)
	p += binary.PutUvarint(b[p:], uint64(len(value)))
	if custom {
		p += binary.PutUvarint(b[p:], uint64(size))
	}
	copy(b[header:], key)
	copy(b[header+len(key):], value)
	ch.live += int64(total)
	a.live += int64(total)
	return ref(idx, ch.gen, off, total)
}

// reserve returns where n bytes of a new item go: the end of the chunk
// being filled, or a fresh shared chunk (as large as the item, if the item
// is larger than chunks are now), or a chunk of their own when they are
// more than maxShared.
func (a *arena) reserve(n int) (idx uint32, off int) {
	if n > maxShared {
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

// release marks the item r names dead, and drops its chunk if nothing in
// it is live any more (unless it is being filled).
func (a *arena) release(r uint64) {
	idx := refIdx(r)
	ch, n := a.at(idx), int64(a.length(r))
	ch.live -= n
	a.live -= n
	if !ch.shared {
		a.drop(idx)
		return
	}
	if idx != a.head {
		a.garbage += n
		if ch.live == 0 {
			a.drop(idx)
		}
	}
}

// overGarbage reports whether what the arena holds beyond its live items
// has passed what the entries' charges leave room for (a sixteenth of the
// live bytes) by more than the smallest chunk, and compacting could help.
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

// reset drops every chunk.
func (a *arena) reset() {
	*a = arena{}
}

// evacuate copies the live items of the chunk at idx to the chunk being
// filled and drops the chunk. holder returns the head whose word is the
// item's reference, or nil if the item is dead; evacuate points that head
// at the copy.
func (a *arena) evacuate(idx uint32, holder func(r uint64, key string) *head) {
	ch := a.at(idx)
	for off := 0; off < int(ch.used); {
		it, _ := parseItem(ch.data, off)
		r := ref(idx, ch.gen, off, it.end-off)
		b := ch.data[it.key : it.key+it.klen]
		key := unsafe.String(unsafe.SliceData(b), len(b)) // the chunk is not the head: put never writes it
		if h := holder(r, key); h != nil {
			h.setWord(a.put(key, ch.data[it.value:it.end], it.size, it.custom))
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
