package maxmem

// What a shard does with one entry: find it, add it, rewrite it, take it
// out. These are the only methods that touch both the ledger and the
// store; the Cache calls them with the shard's lock held.

// findLocked returns the slot of key, whose hash bits are h.
func (s *shard[K, V]) findLocked(key K, h uint32) (uint32, bool) {
	gs := s.idx.load()
	if gs == nil {
		return 0, false
	}
	for c := gs.probe(h); ; c.advance(gs) {
		g := gs.at(c)
		m, final := g.match(h)
		for ; m != 0; m &= m - 1 {
			if slot := g.slot(m); s.kv.matches(slot, s.head(slot).word, key) {
				return slot, true
			}
		}
		if final {
			return 0, false
		}
	}
}

// charge returns the bytes charged for the entry at slot; 0 for slot 0,
// which is no entry (the admission layout asks for an empty list's front).
func (l *ledger) charge(slot uint32) int64 {
	if slot == 0 {
		return 0
	}
	return l.overhead + l.sizeOf(slot, l.head(slot).word)
}

// insertLocked adds key, whose hash bits are h, with value, which the
// Sizer counted as size bytes, and a deadline of expireAt (0: none).
func (s *shard[K, V]) insertLocked(key K, h uint32, value V, size, expireAt, now int64) {
	s.beginWrite()
	w := s.kv.write(s.n+1, 0, true, key, value, size)
	s.addLocked(h, w, expireAt, now, s.writeStampLocked())
	s.counters.writes++
}

// updateLocked gives the resident entry at slot, charged oldCharge bytes,
// a new value of size bytes (charge with the overhead) and deadline. A
// write is an access and a modification.
func (s *shard[K, V]) updateLocked(slot uint32, key K, value V, size, charge, oldCharge, expireAt int64, p *policyState, now int64) {
	if s.adm != nil {
		s.adm.reweigh(s.node(slot).list, charge-oldCharge)
		s.admCountLocked(s.node(slot).hash)
	}
	s.beginWrite()
	h := s.head(slot)
	h.setWord(s.kv.write(slot, h.word, false, key, value, size))
	s.setExpireLocked(slot, expireAt)
	s.writtenLocked(slot, p, now)
	s.kv.tidy(s.n)
}

// removeLocked takes the entry at slot out and returns its charge, and,
// if keep is set, its key and value (for OnEvict). The last entry moves
// into the gap. The caller decides where the charge goes (accounting.go).
func (s *shard[K, V]) removeLocked(slot uint32, keep bool) (gone pair[K, V], charge int64) {
	w := s.head(slot).word
	if keep {
		gone = pair[K, V]{s.kv.key(slot, w), s.kv.value(slot, w)}
	}
	charge = s.charge(slot)
	s.unindexLocked(slot, charge)
	s.kv.remove(slot, w)
	if last := s.n; slot != last {
		s.kv.move(last, slot, s.head(last).word)
		s.moveLocked(last, slot)
	}
	s.dropLastLocked()
	s.kv.tidy(s.n)
	return gone, charge
}

// keyAt and valueAt return the key and value at slot.
func (s *shard[K, V]) keyAt(slot uint32) K   { return s.kv.key(slot, s.head(slot).word) }
func (s *shard[K, V]) valueAt(slot uint32) V { return s.kv.value(slot, s.head(slot).word) }

// entryAt returns the key and value at slot.
func (s *shard[K, V]) entryAt(slot uint32) pair[K, V] {
	w := s.head(slot).word
	return pair[K, V]{s.kv.key(slot, w), s.kv.value(slot, w)}
}
