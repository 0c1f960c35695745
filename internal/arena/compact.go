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
	for _, b := range a.free {
		w += int64(len(b))
	}
	return w
}

// room returns the waste the entries' charges pay for: a sixteenth of the
// live bytes and MinChunk.
func (a *Arena) room() int64 { return a.live/16 + MinChunk }

// settled reports whether the garbage and the head's waste leave room for
// keepFree freed chunks and one more to fill.
func (a *Arena) settled() bool {
	return a.garbage+a.headWaste() <= a.room()-int64((keepFree+1)*a.chunkSize())
}

// NeedsCompaction reports whether the arena should compact now: its waste
// is past the room, or fewer than keepFree freed chunks are left for the
// writes to come and the garbage is past what leaves room for them.
func (a *Arena) NeedsCompaction() bool {
	return a.garbage > 0 && (a.waste() > a.room() || len(a.free) < keepFree && !a.settled())
}

// Compact, when NeedsCompaction says so, empties the chunks with the most
// garbage into the chunk being filled until the garbage is settled (the
// chunks it frees serve as the next ones to fill meanwhile, and keepFree
// of them are kept for the writes to come). The owner must have begun a
// write of its seqlock: items move and chunks are freed under readers.
func (a *Arena) Compact(h Holder) {
	if !a.NeedsCompaction() {
		return
	}
	a.compacting = true
	// Each chunk is evacuated once at most: the chunks filled meanwhile
	// hold only live items, so this bounds the work even when the waste
	// cannot go lower.
	for tries := len(a.table.Load().c); tries > 0 && !a.settled(); tries-- {
		v := a.victim()
		if v == 0 {
			break
		}
		a.evacuate(v, h)
	}
	a.compacting = false
	for len(a.free) > keepFree || len(a.free) > 0 && a.waste() > a.room() {
		a.free[len(a.free)-1] = nil
		a.free = a.free[:len(a.free)-1]
	}
}

// victim returns the shared chunk, other than the head, with the most
// garbage for its size, or 0 if none has a thirty-second of its size or
// more.
func (a *Arena) victim() uint32 {
	var best uint32
	bestRatio := 1.0 / 32
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

// evacuate copies the live items of the shared chunk at idx to the chunk
// being filled, points their holders at the copies, and frees the chunk.
func (a *Arena) evacuate(idx uint32, h Holder) {
	ch := a.at(idx)
	for off := 0; off < int(ch.used); {
		it, _ := parseItem(ch.data, off)
		r := ref(idx, ch.gen, off, it.end-off, it.external)
		if w := h.Word(r, ch.data[it.key:it.value]); w != nil {
			atomic.StoreUint64(w, a.copyItem(r))
			n := int64(it.end - off) // now garbage here
			ch.live -= n
			a.live -= n
			a.garbage += n
		}
		off = it.end
	}
	a.drop(idx)
}
