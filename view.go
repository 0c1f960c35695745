package maxmem

import "time"

// The methods below make a locked shard the read-only Shard view a Policy
// sees. They are called only from Policy.Victim, with mu held and s.now set.

// Len returns the number of resident entries.
func (s *shard[K, V]) Len() int { return len(s.kvs) - 1 }

// Volatile returns the number of entries with a TTL.
func (s *shard[K, V]) Volatile() int { return s.ttl.Len() }

// Samples returns how many entries this consultation should sample.
func (s *shard[K, V]) Samples() int {
	if s.samples > 0 {
		return s.samples
	}
	return s.c.cfg.Samples
}

// Rand returns a random number from the shard's seeded source.
func (s *shard[K, V]) Rand() uint64 { return s.rng.Uint64() }

// LeastRecent returns the entry with the oldest recency stamp: the backs of
// the two class lists compared.
func (s *shard[K, V]) LeastRecent(volatileOnly bool) (Entry, bool) {
	v := s.lists[volatile].back
	if volatileOnly {
		return s.entry(v), v != 0
	}
	p := s.lists[persistent].back
	switch {
	case p == 0 && v == 0:
		return Entry{}, false
	case p == 0 || v != 0 && s.kvs[v].stamp < s.kvs[p].stamp:
		return s.entry(v), true
	}
	return s.entry(p), true
}

// SoonestExpiring returns the entry whose deadline comes first.
func (s *shard[K, V]) SoonestExpiring() (Entry, bool) {
	if s.ttl.Len() == 0 {
		return Entry{}, false
	}
	return s.entry(s.ttl.Min()), true
}

// Random returns an entry chosen uniformly: the slab and the heap are dense.
func (s *shard[K, V]) Random(volatileOnly bool) (Entry, bool) {
	if volatileOnly {
		if s.ttl.Len() == 0 {
			return Entry{}, false
		}
		return s.entry(s.ttl.At(int(s.rng.Uint64() % uint64(s.ttl.Len())))), true
	}
	n := uint64(len(s.kvs) - 1)
	if n == 0 {
		return Entry{}, false
	}
	return s.entry(uint32(1 + s.rng.Uint64()%n)), true
}

// entry describes the entry at slot as of s.now.
func (s *shard[K, V]) entry(slot uint32) Entry {
	k, m := &s.kvs[slot], &s.meta[slot]
	now := s.c.tick.Load()
	e := Entry{
		slot:      slot,
		stamp:     k.stamp,
		deadline:  k.expireAt,
		Size:      m.charge,
		Idle:      now - k.stamp,
		Frequency: m.freq,
		TTL:       NoExpiry,
	}
	if s.c.policy.Load().frequency {
		e.Frequency = lfuDecay(m, s.now, s.c.cfg.decayMinutes)
	}
	if k.expireAt != 0 {
		if s.now == 0 { // the eviction found no TTL before this one arrived
			s.now = s.c.now()
		}
		e.TTL = time.Duration(k.expireAt - s.now)
	}
	return e
}
