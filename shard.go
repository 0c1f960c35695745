package maxmem

import "sync/atomic"

// pair is an entry's key and value.
type pair[K comparable, V any] struct {
	key   K
	value V
}

// shard is one independently locked part of the cache: an index from key
// hash to slot, the keys and values by slot, and the ledger that keeps the
// rest of every entry (see ledger). Its methods with the Locked suffix need
// mu held in write mode; the Cache takes and releases it.
//
// Invariants, with mu held, besides the ledger's: idx maps the hash of each
// resident key to its slot, and pairs holds the key and value of slots 1
// to n.
type shard[K comparable, V any] struct {
	mu     rwLock     // shared: Get; exclusive: everything else
	reads  readBuffer // Gets not yet replayed (see reads.go)
	hits   atomic.Uint64
	misses atomic.Uint64
	c      *Cache[K, V]
	idx    table // key hash -> slot
	pairs  paged[pair[K, V]]
	ledger
}

func (s *shard[K, V]) init(c *Cache[K, V], seed, stream uint64) {
	s.c = c
	s.base = &c.base
	s.hashOf = func(slot uint32) uint64 { return c.hash(s.pair(slot).key) }
	s.rng.Seed(seed, stream)
	s.resetLocked()
}

// resetLocked empties the shard.
func (s *shard[K, V]) resetLocked() {
	s.idx = table{}
	s.pairs = paged[pair[K, V]]{}
	s.pairs.resize(1)
	s.ledger.resetLocked()
	s.reads.n.Store(0) // recorded reads name slots that are gone
}

// pair returns the key and value at slot.
func (s *shard[K, V]) pair(slot uint32) *pair[K, V] { return s.pairs.at(slot) }

// findLocked returns the slot of key, whose hash is h. The probe loop is
// written out so that the compiler inlines it whole.
func (s *shard[K, V]) findLocked(key K, h uint64) (uint32, bool) {
	t := &s.idx
	if t.count() == 0 {
		return 0, false
	}
	for c := t.probe(h); ; c.advance(t) {
		g := t.at(c)
		for m := g.match(h); m != 0; m &= m - 1 {
			if slot := g.slot(m); s.pair(slot).key == key {
				return slot, true
			}
		}
		if g.final() {
			return 0, false
		}
	}
}

// indexPosLocked returns where idx stores the resident slot.
func (s *shard[K, V]) indexPosLocked(slot uint32) int {
	t, h := &s.idx, s.hashOf(slot)
	for c := t.probe(h); ; c.advance(t) {
		g := t.at(c)
		for m := g.match(h); m != 0; m &= m - 1 {
			if g.slot(m) == slot {
				return c.pos(m)
			}
		}
		if g.final() {
			panic("maxmem: resident entry missing from the index")
		}
	}
}

// insertLocked adds a new entry; key, whose hash is h, must not be resident.
func (s *shard[K, V]) insertLocked(key K, h uint64, value V, charge, expireAt int64, now int64) {
	slot := s.addLocked(charge, now)
	s.pairs.resize(slot + 1)
	*s.pair(slot) = pair[K, V]{key, value}
	s.idx.insert(h, slot, s.hashOf)
	s.linkLocked(slot, expireAt)
}

// updateLocked gives a resident entry a new value, charge and deadline. A
// write is an access and a modification, and always takes a fresh stamp.
func (s *shard[K, V]) updateLocked(slot uint32, value V, charge, expireAt int64, p *policyState, now int64) {
	s.pair(slot).value = value
	s.rechargeLocked(slot, charge)
	s.setExpireLocked(slot, expireAt)
	s.writtenLocked(slot, p, now)
}

// removeLocked takes the entry at slot out and returns it with its charge.
// The last entry moves into the gap. The caller releases or reuses the
// charge.
func (s *shard[K, V]) removeLocked(slot uint32) (pair[K, V], int64) {
	gone := *s.pair(slot)
	charge := s.unlinkAllLocked(slot)
	s.idx.delete(s.indexPosLocked(slot))
	if last := s.n; slot != last {
		s.relocateLocked(last, slot)
	}
	s.dropLastLocked()
	s.pairs.resize(s.n + 1)
	s.idx.shrink(s.hashOf)
	return gone, charge
}

// relocateLocked moves the entry at slot from into the free slot to.
func (s *shard[K, V]) relocateLocked(from, to uint32) {
	*s.pair(to) = *s.pair(from)
	s.ledger.relocateLocked(from, to)
	s.idx.setSlot(s.indexPosLocked(from), to) // still hashes as before the move
}

// popExpiredLocked removes the soonest-expiring entry if its deadline has
// passed, counting it as expired.
func (s *shard[K, V]) popExpiredLocked(now int64) (pair[K, V], int64, bool) {
	if s.ttl.Len() == 0 || s.node(s.ttl.Min()).expireAt > now {
		return pair[K, V]{}, 0, false
	}
	gone, charge := s.removeLocked(s.ttl.Min())
	s.counters.expired++
	return gone, charge, true
}

// popExpiredBatchLocked removes up to len(dst) expired entries into dst and
// returns how many and their total charge.
func (s *shard[K, V]) popExpiredBatchLocked(now int64, dst []pair[K, V]) (n int, freed int64) {
	for ; n < len(dst); n++ {
		gone, charge, ok := s.popExpiredLocked(now)
		if !ok {
			break
		}
		dst[n], freed = gone, freed+charge
	}
	return n, freed
}
