package arena

import "sync/atomic"

// A Holder finds the entry that holds an item, for Compact.
type Holder interface {
	// Word returns the word of the entry whose item is r and whose key is
	// key, or nil if no entry holds r any more. Compact stores the item's
	// new reference there, atomically.
	Word(r uint64, key []byte) *uint64
}

// waste returns the bytes the shared chunks hold beyond their live items:
// garbage, the unused end of the head, and the bytes kept for reuse.
func (a *Arena) waste() int64 {
	w := a.garbage + a.headWaste()
	for _, ch := range a.free {
		w += int64(len(ch.data))
	}
	return w
}

// room returns the waste the arena may hold: what the entries' charges pay
// for, a sixteenth of the live bytes, and two chunks, the arena's own slack
// beyond the charges (the unused end of the chunk being filled, and the
// chunks kept for reuse), at most a sixteenth of the live bytes.
func (a *Arena) room() int64 { return a.live/16 + 2*int64(a.chunkSize()) }

// NeedsCompaction reports whether the arena should compact now: its waste
// is past the room the charges pay for.
func (a *Arena) NeedsCompaction() bool { return a.garbage > 0 && a.waste() > a.room() }

// target returns what compaction brings the garbage and the head's waste
// down to: below the room by keepFree chunks, so that the chunks it frees
// can be kept for the writes to come, and a chunk more, so that it does
// not start again at once; half the room where the room is too small for
// that.
func (a *Arena) target() int64 {
	room, chunk := a.room(), int64(a.chunkSize())
	if t := room - (keepFree+1)*chunk; t >= room/2 {
		return t
	}
	return room / 2
}

// Compact, when NeedsCompaction says so, empties chunks with garbage into
// the chunk being filled (the chunks it frees serve as the next ones to
// fill meanwhile) until the garbage and the head's waste are down to the
// target: first chunks an eighth garbage or more, the most garbage first,
// so that the copying stays within seven times what it frees; then any
// chunk a thirty-second garbage or more. It stops when an evacuation frees nothing: the waste left is the
// unused ends of chunks that items did not fit, which copying only moves.
// Last it keeps keepFree of the freed chunks for reuse, as the room
// allows, and gives back the rest. The owner must have begun a write of
// its seqlock: items move and chunks are freed under readers.
func (a *Arena) Compact(h Holder) {
	if !a.NeedsCompaction() {
		return
	}
	a.compacting = true
	// Each chunk is evacuated once at most: the chunks filled meanwhile
	// hold only live items, so this bounds the work.
	for tries := len(a.table.Load().c); tries > 0 && a.garbage+a.headWaste() > a.target(); tries-- {
		v := a.victim(1.0 / 8)
		if v == 0 {
			v = a.victim(1.0 / 32)
		}
		if v == 0 {
			break
		}
		before := a.garbage
		a.evacuate(v, h)
		if a.garbage >= before {
			break
		}
	}
	a.compacting = false
	for len(a.free) > keepFree || len(a.free) > 0 && a.waste() > a.room() {
		a.free[len(a.free)-1] = nil
		a.free = a.free[:len(a.free)-1]
	}
}

// victim returns the shared chunk, other than the head, with the most
// garbage for its size, or 0 if none has least of its size or more.
func (a *Arena) victim(least float64) uint32 {
	var best uint32
	bestRatio := least
	t := a.table.Load()
	for i := 1; i < len(t.c); i++ {
		ch := t.c[i].Load()
		live := a.places[i].live
		if ch == nil || !ch.shared || uint32(i) == a.head || live == int64(len(ch.data)) {
			continue
		}
		if r := 1 - float64(live)/float64(len(ch.data)); r >= bestRatio {
			best, bestRatio = uint32(i), r
		}
	}
	return best
}

// evacuate copies the live items of the shared chunk at idx to the chunk
// being filled, points their holders at the copies, and frees the chunk.
func (a *Arena) evacuate(idx uint32, h Holder) {
	ch, pl := a.at(idx), &a.places[idx]
	for off := 0; off < int(pl.used); {
		it, _ := parseItem(ch.data, off)
		r := ref(idx, uint8(ch.gen.Load()), off, it.end-off, it.external)
		if w := h.Word(r, ch.data[it.key:it.value]); w != nil {
			atomic.StoreUint64(w, a.copyItem(r))
			n := int64(it.end - off) // now garbage here
			pl.live -= n
			a.live -= n
			a.items--
			a.garbage += n
		}
		off = it.end
	}
	a.drop(idx)
}

// Bytes returns the memory of the arena's chunks, those kept for reuse
// included.
func (a *Arena) Bytes() int64 {
	t := a.table.Load()
	if t == nil {
		return 0
	}
	var n int64
	for i := range t.c {
		if ch := t.c[i].Load(); ch != nil {
			n += int64(len(ch.data))
		}
	}
	for _, ch := range a.free {
		n += int64(len(ch.data))
	}
	return n
}
