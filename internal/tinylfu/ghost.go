package tinylfu

// The ghosts remember the keys the admission policy recently turned
// away: a first-in first-out set of 32-bit key fingerprints (ghosts), of a
// fixed capacity, without pointers, at 12 bytes per ghost.
//
// Layout: a ring of fingerprints in the order they were pushed, and an
// open-addressing table (linear probing, half full at most) of ring
// positions, by which a fingerprint is found. A push writes the ring's
// oldest slot, dropping the ghost there; a removal empties its ring slot
// (0 marks an empty slot) and its table entry, so the ring may hold holes
// until the pushes come round to them.
//
// Invariants: every nonzero ring slot holds a distinct fingerprint, and
// the table holds exactly one entry for it, its ring position plus one,
// reached by probing from the fingerprint's home with no empty table slot
// in between; every nonzero table entry names a nonzero ring slot; live
// counts the nonzero ring slots. The table has twice as many slots as the
// ring, so a probe always ends at an empty one.

// BytesPerGhost is the memory of one ghost: a 4-byte ring slot and two
// 4-byte table slots.
const BytesPerGhost = 12

// FIFO is a set of at most Cap fingerprints that forgets the oldest first.
// The zero FIFO has capacity 0 and keeps nothing. It is not safe for
// concurrent use.
type FIFO struct {
	ring  []uint32 // fingerprints, oldest at next once the ring has wrapped; 0: empty
	table []uint32 // ring position + 1 of each fingerprint; 0: empty
	next  int      // the ring position the next push writes
	live  int      // nonzero ring slots
}

// ghostBytesFor returns the memory of a FIFO of capacity ghosts.
func ghostBytesFor(capacity int) int64 { return int64(max(capacity, 0)) * BytesPerGhost }

// Bytes returns the FIFO's memory.
func (f *FIFO) Bytes() int64 { return int64(len(f.ring)+len(f.table)) * 4 }

// Cap returns how many ghosts the FIFO keeps at most.
func (f *FIFO) Cap() int { return len(f.ring) }

// Len returns how many ghosts it keeps.
func (f *FIFO) Len() int { return f.live }

// fingerprint maps a key's hash bits to a fingerprint: 0 marks an empty
// slot, so it stands for 1.
func fingerprint(h uint32) uint32 { return max(h, 1) }

// Resize gives the FIFO room for capacity ghosts, keeping the newest of
// those it holds.
func (f *FIFO) Resize(capacity int) {
	capacity = max(capacity, 0)
	kept := f.newest(capacity)
	*f = FIFO{ring: make([]uint32, capacity), table: make([]uint32, 2*capacity)}
	for _, fp := range kept {
		f.push(fp)
	}
}

// newest returns up to n of the fingerprints held, oldest first.
func (f *FIFO) newest(n int) []uint32 {
	var out []uint32
	for i := range f.ring {
		if fp := f.ring[(f.next+i)%len(f.ring)]; fp != 0 {
			out = append(out, fp)
		}
	}
	return out[max(len(out)-n, 0):]
}

// Push adds a ghost of the key hashed h, as the newest, dropping the
// oldest slot's ghost when the ring is full. A ghost of h already held
// moves to the newest place.
func (f *FIFO) Push(h uint32) {
	if len(f.ring) > 0 {
		f.push(fingerprint(h))
	}
}

// push adds the fingerprint fp to a FIFO of nonzero capacity.
func (f *FIFO) push(fp uint32) {
	if old := f.ring[f.next]; old != 0 {
		f.remove(old)
	}
	f.remove(fp)
	i := f.home(fp)
	for f.table[i] != 0 {
		i = f.step(i)
	}
	f.table[i] = uint32(f.next) + 1
	f.ring[f.next] = fp
	f.live++
	f.next = (f.next + 1) % len(f.ring)
}

// Remove takes the ghost of the key hashed h out, if there is one, and
// reports whether there was.
func (f *FIFO) Remove(h uint32) bool {
	return len(f.ring) > 0 && f.remove(fingerprint(h))
}

// Contains reports whether a ghost of the key hashed h is held.
func (f *FIFO) Contains(h uint32) bool {
	if len(f.ring) == 0 {
		return false
	}
	_, ok := f.find(fingerprint(h))
	return ok
}

// remove takes fp out of the table and the ring.
func (f *FIFO) remove(fp uint32) bool {
	i, ok := f.find(fp)
	if !ok {
		return false
	}
	pos := f.table[i] - 1
	f.unlink(i)
	f.ring[pos] = 0
	f.live--
	return true
}

// find returns the table slot of fp's entry.
func (f *FIFO) find(fp uint32) (int, bool) {
	for i := f.home(fp); f.table[i] != 0; i = f.step(i) {
		if f.ring[f.table[i]-1] == fp {
			return i, true
		}
	}
	return 0, false
}

// unlink empties table slot i, moving back the entries after it that
// could sit in it (backward-shift deletion), so that no probe meets a gap
// before its entry.
func (f *FIFO) unlink(i int) {
	for j := f.step(i); f.table[j] != 0; j = f.step(j) {
		home := f.home(f.ring[f.table[j]-1])
		if between(i, home, j) {
			continue // j's entry is still reachable from its home
		}
		f.table[i] = f.table[j]
		i = j
	}
	f.table[i] = 0
}

// between reports whether home lies cyclically in (hole, j]: an entry at
// j whose home is there must not move back to hole.
func between(hole, home, j int) bool {
	if hole <= j {
		return hole < home && home <= j
	}
	return hole < home || home <= j
}

// home returns fp's first table slot.
func (f *FIFO) home(fp uint32) int {
	return int(uint64(fp) * uint64(len(f.table)) >> 32)
}

// step returns the table slot after i.
func (f *FIFO) step(i int) int {
	if i++; i == len(f.table) {
		return 0
	}
	return i
}
