package shard

import _ "unsafe" // for go:linkname

// tries bounds how often a Get without the lock looks a key up while
// writes that move entries keep overtaking it, before it takes the lock.
const tries = 4

// Get looks key, whose hash bits are h, up without the lock, in the
// packed layout, and records the access. It returns done false when it
// could not read the shard between two writes, or found the entry
// expired: then the caller looks again under the lock. The value is a
// slice of the arena, which stays the caller's (see arena.Table.Lend).
func (s *Shard) Get(key string, h uint32) (v []byte, found, done bool) {
	for range tries {
		seq := s.seq.Load()
		if seq&1 != 0 {
			continue
		}
		gs, pages, chunks := s.idx.Load(), s.slab.p.Load(), s.arena.Load()
		var hd *Head
		var w uint64
		slot, ok := gs.Find(h&HashBits, func(slot uint32) bool {
			if hd = headIn(pages, slot); hd == nil {
				return false
			}
			w = hd.Word()
			v, found = chunks.Lend(w, key)
			return found
		})
		var expireAt int64
		if ok {
			expireAt = hd.ExpireAt()
			hd.markLent() // before the sequence is checked: see lentBit
		}
		if s.seq.Load() != seq {
			continue
		}
		switch {
		case !ok:
			if s.current().Kind == TinyLFU {
				s.recordMiss()
			}
			return nil, false, true
		case expireAt != 0 && expireAt <= s.cfg.Now():
			return nil, false, false
		}
		s.touch(hd, slot, w)
		return v, true, true
	}
	return nil, false, false
}

// touch records a Get without the lock of the entry at slot, whose head
// is hd and word w: a new stamp if the stamp moved since its last access;
// under LFU, Redis's counter; under allkeys-tinylfu, an event in a ring.
// It goes by the active policy, which the shard's layout follows under
// its lock (SetPolicyLocked): a Get in between writes a word of the other
// kind, which only misinforms the policy about that one entry.
func (s *Shard) touch(hd *Head, slot uint32, w uint64) {
	switch p := s.current(); {
	case p.Kind == TinyLFU:
		s.recordHit(slot, w)
	case p.Frequency:
		a := hd.loadAccess()
		if n := s.lfuAccess(a, float64(cheaprand())/(1<<32)); n != a {
			hd.storeAccess(n)
		}
	case !p.Modification:
		if st := s.stamp.Load(); hd.loadAccess() != st {
			hd.storeAccess(st)
		}
	}
}

// cheaprand is the runtime's fast per-thread random number source.
//
//go:linkname cheaprand runtime.cheaprand
func cheaprand() uint32
