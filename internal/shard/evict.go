package shard

import (
	"math"
)

// Eviction, as Redis does it, within one shard. Expired entries go first.
// Then the active policy names its victim:
//
//   - LRU and LRM take the back of the oldest epoch bucket (recency.go).
//   - LFU and custom policies sample: maxmemory-samples entries (all of
//     them when the shard holds no more) are offered to the shard's pool,
//     and the best valid candidate goes (pool.go).
//   - TTL takes the top of the shard's TTL heap: the entry closest to its
//     deadline, exactly.
//   - Random takes an entry chosen uniformly.
//   - TinyLFU asks the admission layout (internal/tinylfu).
//
// Each victim carries a rank, which orders victims across shards (higher
// goes first): the cache compares its own shard's victim with another
// shard's, as it last published it (PublishedRank), and evicts the better.

// Victim is a shard's next victim. Its rank orders it against other
// shards' victims where the policy compares shards (LFU, volatile-ttl,
// custom policies); LRU, LRM and allkeys-tinylfu rank every victim 1, so
// that a write evicts in its own shard, as each shard's order stands for
// the whole cache's on the share of the keys the hash gives it, and
// looks at a peer only when its own shard has no victim or holds less
// than half its share (SparedLocked).
type Victim struct {
	Slot    uint32
	Rank    uint64 // higher goes first, across shards
	Expired bool   // its deadline has passed
}

// VictimLocked returns the next victim of the shard, and false when the
// policy may evict nothing here. It publishes the victim's rank for other
// shards' writers.
func (s *Shard) VictimLocked() (Victim, bool) {
	s.layoutLocked() // SetPolicy may not have reached the shard yet
	if len(s.ttl) > 0 {
		if slot, ok := s.SoonestExpiredLocked(s.cfg.Now()); ok {
			return Victim{Slot: slot, Rank: math.MaxUint64, Expired: true}, true
		}
	}
	v, ok := s.policyVictimLocked()
	if ok {
		s.pub.victim.Store(v.Rank)
	} else {
		s.pub.victim.Store(0)
	}
	return v, ok
}

// PublishedRank returns the rank of the shard's victim as its last
// eviction found it (under volatile-ttl, its earliest deadline's), 0 if
// none is known, or MaxUint64 if an entry of the shard has expired at now:
// for other shards' writers, without the lock.
func (s *Shard) PublishedRank(now int64) uint64 {
	soonest := s.pub.soonest.Load()
	switch {
	case soonest <= now:
		return math.MaxUint64
	case s.current().Kind == TTL && soonest != math.MaxInt64:
		return deadlineRank(soonest)
	}
	return s.pub.victim.Load()
}

// policyVictimLocked returns the policy's victim.
func (s *Shard) policyVictimLocked() (Victim, bool) {
	p := s.current()
	switch p.Kind {
	case LRU, LRM:
		slot := s.leastRecentLocked(p.Volatile)
		if slot == 0 {
			return Victim{}, false
		}
		s.noteVictimLocked(s.stampOf(s.head(slot)))
		return Victim{Slot: slot, Rank: 1}, true // the writer's own shard first (see Victim)
	case LFU, Custom:
		return s.pooledLocked(p)
	case TTL:
		if len(s.ttl) == 0 {
			return Victim{}, false
		}
		return Victim{Slot: s.ttl[0], Rank: deadlineRank(s.head(s.ttl[0]).expireAt)}, true
	case Random:
		slot, ok := s.RandomLocked(p.Volatile)
		return Victim{Slot: slot, Rank: 1}, ok
	case TinyLFU:
		return s.admittedLocked()
	}
	return Victim{}, false
}

// deadlineRank ranks a deadline: the earlier, the higher.
func deadlineRank(d int64) uint64 { return uint64(math.MaxInt64 - d) }

// RandomLocked returns a slot chosen uniformly among the entries (those
// with a TTL if volatile); false if there are none.
func (s *Shard) RandomLocked(volatile bool) (uint32, bool) {
	if volatile {
		if len(s.ttl) == 0 {
			return 0, false
		}
		return s.ttl[s.rng.Uint64()%uint64(len(s.ttl))], true
	}
	if s.n == 0 {
		return 0, false
	}
	return uint32(1 + s.rng.Uint64()%uint64(s.n)), true
}

// pooledLocked samples into the pool and takes its best valid candidate.
func (s *Shard) pooledLocked(p *Policy) (Victim, bool) {
	s.sampleLocked(p)
	for {
		i := s.pool.best()
		if i < 0 {
			return Victim{}, false
		}
		c := s.pool.take(i)
		if s.validLocked(c, p) {
			return Victim{Slot: c.slot, Rank: c.rank}, true
		}
	}
}

// validLocked reports whether a pooled candidate still names the entry it
// was sampled from, unchanged.
func (s *Shard) validLocked(c candidate, p *Policy) bool {
	if c.slot == 0 || c.slot > s.n {
		return false
	}
	h := s.head(c.slot)
	return h.Hash() == c.hash && s.versionOf(h) == c.version && (!p.Volatile || h.expireAt != 0)
}

// versionOf returns the word a candidate's rank comes from, which changes
// when the entry is used again: its access word, or, where reads leave
// recency alone, its write stamp.
func (s *Shard) versionOf(h *Head) uint32 {
	if s.lrm {
		return h.written
	}
	return h.loadAccess()
}

// stampOf returns the entry's recency stamp: its last access, or, where
// reads leave recency alone or the access word holds an LFU counter, its
// last write.
func (s *Shard) stampOf(h *Head) uint32 {
	if s.lrm || s.freq {
		return h.written
	}
	return h.loadAccess()
}

// sampleLocked offers maxmemory-samples entries to the pool (every entry
// the policy may take, when there are no more than that).
func (s *Shard) sampleLocked(p *Policy) {
	if p.Kind == Custom {
		s.sampleCustomLocked()
		return
	}
	pop := int(s.n)
	if p.Volatile {
		pop = len(s.ttl)
	}
	k := s.cfg.Samples
	for i := range min(k, pop) {
		var slot uint32
		switch {
		case pop <= k && p.Volatile:
			slot = s.ttl[i]
		case pop <= k:
			slot = uint32(i + 1)
		default:
			slot, _ = s.RandomLocked(p.Volatile)
		}
		s.offerLocked(slot, p)
	}
}

// offerLocked offers the entry at slot to the pool, ranked by its LFU
// counter, equal counters in random order, as Redis's pool leaves them in
// the order they were sampled. (Breaking ties by age made eviction FIFO
// among equals, which a loop over more keys than the cache defeats:
// allkeys-lfu fell 38 points below Redis's sampled LFU on loop-1.2x.)
func (s *Shard) offerLocked(slot uint32, p *Policy) {
	h := s.head(slot)
	c := candidate{slot: slot, hash: h.Hash(), version: s.versionOf(h)}
	c.rank = uint64(255-s.counterOf(c.version, s.minutes()))<<24 | s.rng.Uint64()>>40
	s.pool.offer(c)
}

// Candidate is what a custom Policy names: the slot, the hash bits that
// recognise the entry, and its score (higher goes first).
type Candidate struct {
	Slot, Hash uint32
	Score      uint64
}

// sampleCustomLocked asks the custom policy for its victim, which it
// chooses from maxmemory-samples entries (Shard.Samples), and offers it
// to the pool.
func (s *Shard) sampleCustomLocked() {
	c, ok := s.cfg.Victim(s)
	if !ok || c.Slot == 0 || c.Slot > s.n || s.head(c.Slot).Hash() != c.Hash {
		return
	}
	s.pool.offer(candidate{slot: c.Slot, hash: c.Hash, version: s.versionOf(s.head(c.Slot)), rank: c.Score})
}
