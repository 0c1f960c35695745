package arena

import (
	"encoding/binary"
	"math/bits"
	"sync/atomic"
)

// Put writes an item and returns its reference. The usual item is written
// out here, without working out its layout.
func (a *Arena) Put(key string, value []byte, size int64, custom bool) uint64 {
	if usualItem(len(key), len(value), custom) {
		n := ItemBase + len(key) + len(value)
		idx, off := a.reserve(n, false)
		ch := a.at(idx)
		b := ch.data[off : off+n]
		b[0], b[1] = byte(len(key)<<1), byte(len(value))
		copy(b[copy(b[2:], key)+2:], value)
		a.places[idx].live += int64(n)
		a.live += int64(n)
		a.items++
		return ref(idx, uint8(ch.gen.Load()), off, n, false)
	}
	return a.putLong(key, value, size, custom)
}

// putLong is Put for items with long lengths or flags.
func (a *Arena) putLong(key string, value []byte, size int64, custom bool) uint64 {
	l := layoutOf(len(key), len(value), size, custom)
	var ptr [pointerLen]byte
	if l.external {
		vidx := a.newChunk(len(value), false)
		vch := a.at(vidx)
		copy(vch.data, value)
		binary.LittleEndian.PutUint32(ptr[:], vidx)
		ptr[4] = uint8(vch.gen.Load())
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
	a.places[idx].live += int64(l.total)
	n := l.total
	if l.own {
		n = 0
	} else {
		a.live += int64(l.total)
		a.items++
	}
	return ref(idx, uint8(ch.gen.Load()), off, n, l.external)
}

// copyItem writes a copy of the live item r names (an external value's
// pointer included, so the value stays where it is) at the end of the
// chunk being filled and returns the copy's reference.
func (a *Arena) copyItem(r uint64) uint64 {
	src := a.at(refIdx(r))
	n := RefLen(r)
	idx, off := a.reserve(n, false)
	ch := a.at(idx)
	copy(ch.data[off:off+n], src.data[refOff(r):refOff(r)+n])
	a.places[idx].live += int64(n)
	a.live += int64(n)
	a.items++
	return ref(idx, uint8(ch.gen.Load()), off, n, refExternal(r))
}

// reserve returns where n bytes of a new item go: the end of the chunk
// being filled, or a fresh shared chunk (as large as the item, if the item
// is larger than chunks are now), or, if own, a chunk of its own.
func (a *Arena) reserve(n int, own bool) (idx uint32, off int) {
	if own {
		return a.newChunk(n, false), 0
	}
	if a.head == 0 || a.fill+n > len(a.at(a.head).data) {
		a.retireHead()
		a.head, a.fill = a.newChunk(max(a.chunkSize(), n), true), 0
	}
	off = a.fill
	a.fill += n
	a.places[a.head].used = int64(a.fill)
	return a.head, off
}

// chunkSize returns the size for a new shared chunk: at least 32 times
// the mean item, so that the unused end a chunk is retired with (less
// than an item) stays within a thirty-second of it, and a 256th of the
// live bytes; but no more than a thirty-second of them, so that the room
// the arena keeps beyond the charges (two chunks, see room) stays small;
// rounded up to a power of two, within MinChunk and MaxChunk.
func (a *Arena) chunkSize() int {
	want := a.live / 256
	if a.items > 0 {
		want = min(max(want, 32*a.live/a.items), a.live/32)
	}
	if want <= MinChunk {
		return MinChunk
	}
	return min(MaxChunk, 1<<bits.Len64(uint64(want-1)))
}

// headWaste returns the bytes of the head chunk not live: its dead items
// and its unused end.
func (a *Arena) headWaste() int64 {
	if a.head == 0 {
		return 0
	}
	return int64(len(a.at(a.head).data)) - a.places[a.head].live
}

// retireHead stops filling the head chunk: what in it is not live, its
// unused end included, becomes garbage, and the chunk goes at once if
// nothing in it is live.
func (a *Arena) retireHead() {
	if a.head == 0 {
		return
	}
	idx := a.head
	a.head, a.fill = 0, 0
	a.garbage += int64(len(a.at(idx).data)) - a.places[idx].live
	if a.places[idx].live == 0 {
		a.drop(idx)
	}
}

// newChunk adds a chunk of n bytes and returns its index. A shared chunk
// reuses freed bytes when some of that size or more are kept.
func (a *Arena) newChunk(n int, shared bool) uint32 {
	idx := a.freeIndex()
	pl := &a.places[idx]
	pl.gen++
	var ch *chunk
	for shared && ch == nil && len(a.free) > 0 {
		k := len(a.free) - 1
		if len(a.free[k].data) >= n {
			ch = a.free[k]
		}
		a.free[k] = nil // a chunk kept while chunks were smaller goes to the collector
		a.free = a.free[:k]
	}
	if ch == nil {
		ch = &chunk{data: make([]byte, n), shared: shared}
		a.made += int64(n)
	}
	pl.live, pl.used = 0, 0
	ch.gen.Store(uint32(pl.gen))
	a.table.Load().c[idx].Store(ch)
	return idx
}

// freeIndex returns an unused table index, growing the table if needed.
func (a *Arena) freeIndex() uint32 {
	if n := len(a.indexes); n > 0 {
		idx := a.indexes[n-1]
		a.indexes = a.indexes[:n-1]
		return idx
	}
	old := a.table.Load()
	n := 1
	if old != nil {
		n = len(old.c)
	}
	next := &Table{c: make([]atomic.Pointer[chunk], 2*n)}
	for i := 1; i < n; i++ {
		next.c[i].Store(old.c[i].Load())
	}
	for i := 2 * n; i > max(n, 1); i-- {
		a.indexes = append(a.indexes, uint32(i-1))
	}
	a.places = append(a.places, make([]place, 2*n-len(a.places))...)
	a.table.Store(next)
	return a.freeIndex()
}

// drop frees the chunk at idx, which is not the head: its bytes are kept
// for reuse if it is shared, was never lent, is as large as new chunks
// are now, and room is left for it; they are left to the collector
// otherwise. The owner must have begun a write
// of its seqlock: a reader may be reading the chunk.
func (a *Arena) drop(idx uint32) {
	ch := a.at(idx)
	if ch.shared {
		a.garbage -= int64(len(ch.data)) - a.places[idx].live
		if size := a.chunkSize(); reuse && !ch.lent.Load() && len(ch.data) >= size && len(ch.data) <= 2*size &&
			(a.compacting || len(a.free) < keepFree) {
			a.free = append(a.free, ch)
		}
	}
	a.table.Load().c[idx].Store(nil)
	a.indexes = append(a.indexes, idx)
}

// Frees reports whether releasing the item r names frees its chunk (it is
// the last live item of a shared chunk other than the head, or it has a
// chunk of its own): the owner must then begin a write of its seqlock
// before Release, since the chunk may be kept and reused under a reader.
func (a *Arena) Frees(r uint64) bool {
	idx := refIdx(r)
	return !a.at(idx).shared || refExternal(r) || idx != a.head && a.places[idx].live == int64(RefLen(r))
}

// Release marks the item r names dead, with its external value, and frees
// the chunks nothing live is left in (but the one being filled). When it
// frees one (see Frees), the owner must have begun a write of its seqlock.
func (a *Arena) Release(r uint64) {
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
	n := int64(RefLen(r))
	a.places[idx].live -= n
	a.live -= n
	a.items--
	if idx != a.head {
		a.garbage += n
		if a.places[idx].live == 0 {
			a.drop(idx)
		}
	}
}

// Reset frees every chunk and the bytes kept for reuse. Readers may still
// hold the table: it is replaced, not changed. The generations are kept,
// so that a reference made before the reset never names a chunk made
// after it.
func (a *Arena) Reset() {
	if t := a.table.Load(); t != nil {
		a.table.Store(&Table{c: make([]atomic.Pointer[chunk], len(t.c))})
		a.indexes = a.indexes[:0]
		for i := len(t.c) - 1; i >= 1; i-- {
			a.indexes = append(a.indexes, uint32(i))
		}
	}
	a.head, a.fill, a.live, a.items, a.garbage, a.free = 0, 0, 0, 0, 0, nil
}
