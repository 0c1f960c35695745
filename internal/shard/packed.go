package shard

// The packed layout's bytes, for the lock holder: string keys with byte or
// string values live in the shard's arena, and an entry's word is its
// item's reference.

// PutLocked writes the item of key and value, which the Sizer counted as
// size bytes, and returns its word.
func (s *Shard) PutLocked(key string, value []byte, size int64) uint64 {
	return s.arena.Put(key, value, size, s.cfg.CustomSize)
}

// ReplaceLocked returns the word of the entry at slot, whose key is key,
// once it holds value, which the Sizer counted as size bytes: its own
// word when it already holds value, or when value could be written over
// the old one in place (same lengths and size, and the old value never
// handed out since it was written); else the word of a new item, which
// UpdateLocked then gives the entry.
func (s *Shard) ReplaceLocked(slot uint32, key string, value []byte, size int64) uint64 {
	hd := s.head(slot)
	w, custom := hd.word, s.cfg.CustomSize
	old, ok := s.arena.Overwritable(w, key, value, size, custom)
	if !ok {
		return s.arena.Put(key, value, size, custom)
	}
	if !hd.lent() {
		s.beginWrite()
		if !hd.lent() { // read again after the sequence moved: see lentBit
			copy(old, value)
			return w
		}
	}
	if string(old) == string(value) {
		return w
	}
	return s.arena.Put(key, value, size, custom)
}

// KeyLocked returns the key of the entry at slot, a slice of the arena
// that stays the caller's.
func (s *Shard) KeyLocked(slot uint32) []byte { return s.arena.LendKey(s.head(slot).word) }

// ValueLocked returns the value of the entry at slot, a slice of the arena
// that stays the caller's.
func (s *Shard) ValueLocked(slot uint32) []byte {
	hd := s.head(slot)
	hd.markLent()
	return s.arena.Lend(hd.word)
}

// ArenaBytes returns the memory of the shard's chunks, kept ones included
// (0 in the generic layout).
func (s *Shard) ArenaBytes() int64 {
	if s.arena == nil {
		return 0
	}
	return s.arena.Bytes()
}
