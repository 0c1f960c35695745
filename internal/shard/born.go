package shard

// Write times, for refresh-ahead. With Config.WriteTimes set, a shard
// keeps, by slot beside its heads, the cache clock at each entry's last
// value write: an insertion or an update, not a TTL change. It costs
// WriteTimeBytes per entry, which the cache adds to its overhead.

// WriteTimeBytes is the memory of an entry's write time.
const WriteTimeBytes = 8

// bornLocked records the entry at slot as written now. It inlines, so a
// shard without write times pays one test.
func (s *Shard) bornLocked(slot uint32) {
	if s.cfg.WriteTimes {
		s.stampLocked(slot)
	}
}

// stampLocked is bornLocked's work.
func (s *Shard) stampLocked(slot uint32) {
	s.born.Fit(s.n, nil)
	*s.born.At(slot) = s.cfg.Now()
}

// WrittenAtLocked returns the cache clock, in unix nanoseconds, at the
// last write of the value at slot; 0 without Config.WriteTimes.
func (s *Shard) WrittenAtLocked(slot uint32) int64 {
	if !s.cfg.WriteTimes {
		return 0
	}
	return *s.born.At(slot)
}
