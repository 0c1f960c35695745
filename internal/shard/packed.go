package shard

// The packed layout's bytes, for the lock holder: string keys with byte or
// string values live in the shard's arena, and an entry's word is its
// item's reference.

// PutLocked writes the item of key and value, which the Sizer counted as
// size bytes, and returns its word.
func (s *Shard) PutLocked(key string, value []byte, size int64) uint64 {
	return s.arena.Put(key, value, size, s.cfg.CustomSize)
}

// HoldsLocked reports whether the entry at slot, whose key is key,
// already holds value (and size): a write of it then keeps its item.
func (s *Shard) HoldsLocked(slot uint32, key string, value []byte, size int64) bool {
	return s.arena.Holds(s.head(slot).word, key, value, size, s.cfg.CustomSize)
}

// KeyLocked returns the key of the entry at slot, a slice of the arena
// that stays the caller's.
func (s *Shard) KeyLocked(slot uint32) []byte { return s.arena.LendKey(s.head(slot).word) }

// ValueLocked returns the value of the entry at slot, a slice of the arena
// that stays the caller's.
func (s *Shard) ValueLocked(slot uint32) []byte { return s.arena.Lend(s.head(slot).word) }

// ArenaBytes returns the memory of the shard's chunks, kept ones included
// (0 in the generic layout).
func (s *Shard) ArenaBytes() int64 {
	if s.arena == nil {
		return 0
	}
	return s.arena.Bytes()
}
