package shard

// What a custom Policy's view of a locked shard reads (the cache's Shard
// interface).

// SamplesLocked returns how many entries Policy.Victim should look at:
// maxmemory-samples.
func (s *Shard) SamplesLocked() int { return s.cfg.Samples }

// LeastRecentLocked returns the least recently used (or, under a
// modification or frequency policy, written) entry, up to the width of an
// epoch (recency.go).
func (s *Shard) LeastRecentLocked(volatile bool) (uint32, bool) {
	slot := s.leastRecentLocked(volatile)
	return slot, slot != 0
}

// SoonestLocked returns the entry whose deadline comes first.
func (s *Shard) SoonestLocked() (uint32, bool) {
	if len(s.ttl) == 0 {
		return 0, false
	}
	return s.ttl[0], true
}

// RecencyRankLocked ranks the entry at slot by its last access (or write,
// see LeastRecentLocked): the older, the higher, comparable across shards
// and over time.
func (s *Shard) RecencyRankLocked(slot uint32) uint64 {
	return s.recencyRank(s.stampOf(s.head(slot)))
}

// MeanTTLLocked estimates the mean time left at now, in nanoseconds, of
// the entries with a deadline, from at most k positions spread evenly over
// the heap (every level of the heap in proportion to its size). Deadlines
// already passed count as 0.
func (s *Shard) MeanTTLLocked(now int64, k int) float64 {
	n := len(s.ttl)
	if n == 0 {
		return 0
	}
	k = min(n, k)
	var sum float64
	for i := range k {
		left := s.head(s.ttl[i*n/k]).expireAt - now
		sum += float64(max(0, left))
	}
	return sum / float64(k)
}
