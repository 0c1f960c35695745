package maxmem

import (
	"unsafe"

	"github.com/zeebo/xxh3"
)

// pair is an entry's key and value.
type pair[K comparable, V any] struct {
	key   K
	value V
}

// shard is one independently locked part of the cache: its ledger (the
// index, the nodes, the lists and everything else that does not depend on
// the key and value types) and its keys and values, kept in one of two
// layouts. In the packed layout, for string keys with []byte or string
// values, they are bytes in the ledger's arena. In the generic layout,
// for every other pair of types, they are Go values in pairs, by slot.
// Its methods with the Locked suffix need the lock held in write mode; the
// Cache takes and releases it.
type shard[K comparable, V any] struct {
	ledger
	c     *Cache[K, V]
	pairs paged[pair[K, V]] // the generic layout's keys and values; pairs 1 to n
}

func (s *shard[K, V]) init(c *Cache[K, V], seed, stream uint64) {
	s.c = c
	s.base = &c.base
	if c.packed {
		s.arena = &arena{}
		s.hashOf = s.packedHash
	} else {
		s.hashOf = func(slot uint32) uint64 { return c.hash(s.pair(slot).key) }
	}
	s.rng.Seed(seed, stream)
	s.reads = newRings()
	s.resetLocked()
	s.endWriteLocked()
}

// resetLocked empties the shard.
func (s *shard[K, V]) resetLocked() {
	s.pairs = paged[pair[K, V]]{}
	s.pairs.resize(1)
	s.ledger.resetLocked()
	s.forgetReads()
}

// packedHash returns the hash of the key at slot in the packed layout:
// xxh3 of its bytes, as hasher picks for string keys.
func (l *ledger) packedHash(slot uint32) uint64 {
	ch, it := l.arena.parse(l.head(slot).word)
	return xxh3.Hash(ch.data[it.key:it.value])
}

// pair returns the key and value at slot, in the generic layout.
func (s *shard[K, V]) pair(slot uint32) *pair[K, V] { return s.pairs.at(slot) }

// keyAt returns the key at slot.
func (s *shard[K, V]) keyAt(slot uint32) K {
	if s.arena == nil {
		return s.pair(slot).key
	}
	ch, it := s.arena.parse(s.head(slot).word)
	return stringKey[K](ch.data[it.key : it.key+it.klen])
}

// valueAt returns the value at slot. In the packed layout it is a slice
// of the arena, never written again.
func (s *shard[K, V]) valueAt(slot uint32) V {
	if s.arena == nil {
		return s.pair(slot).value
	}
	ch, it := s.arena.parse(s.head(slot).word)
	return bytesValue[V](ch.data[it.value:it.end:it.end], s.c.stringValues)
}

// entryAt returns the key and value at slot.
func (s *shard[K, V]) entryAt(slot uint32) pair[K, V] {
	if s.arena == nil {
		return *s.pair(slot)
	}
	return pair[K, V]{s.keyAt(slot), s.valueAt(slot)}
}

// findLocked returns the slot of key, whose hash is h. The probe loop is
// written out so that the compiler inlines it whole.
func (s *shard[K, V]) findLocked(key K, h uint64) (uint32, bool) {
	if s.arena != nil {
		slot, _, _, _, ok := s.lookup(keyString(key), h)
		return slot, ok
	}
	gs := s.idx.load()
	if gs == nil {
		return 0, false
	}
	for c := gs.probe(h); ; c.advance(gs) {
		g := gs.at(c)
		m, final := g.match(h)
		for ; m != 0; m &= m - 1 {
			if slot := g.slot(m); s.pair(slot).key == key {
				return slot, true
			}
		}
		if final {
			return 0, false
		}
	}
}

// insertLocked adds a new entry charged charge bytes (the overhead and
// what the Sizer reported); key, whose hash is h, must not be resident.
func (s *shard[K, V]) insertLocked(key K, h uint64, value V, charge, expireAt, now int64) {
	word := uint64(charge)
	if s.arena != nil {
		s.mutateLocked()
		word = s.arena.put(s.n+1, keyString(key), valueBytes(value, s.c.stringValues), charge-s.overhead, s.c.customSize)
	}
	slot := s.addLocked(h, word, now)
	if s.arena == nil {
		s.pairs.fit(slot)
		*s.pair(slot) = pair[K, V]{key, value}
	}
	s.linkLocked(slot, charge, expireAt)
}

// stored is what a write needs to know of the entry it replaces: its
// charge and, in the packed layout, its value and size as the arena holds
// them, read once.
type stored struct {
	charge int64
	value  []byte
	size   int64
	custom bool
}

// holds reports whether the stored entry already is what writing value v,
// of the given size (kept only if custom), would store.
func (st stored) holds(v []byte, size int64, custom bool) bool {
	return st.custom == custom && (!custom || st.size == size) && string(st.value) == string(v)
}

// storedAt returns what the entry at slot holds.
func (s *shard[K, V]) storedAt(slot uint32) stored {
	w := s.head(slot).word
	if s.arena == nil {
		return stored{charge: int64(w)}
	}
	ch, it := s.arena.parse(w)
	st := stored{value: ch.data[it.value:it.end], size: it.size, custom: it.custom}
	if st.custom {
		st.charge = s.overhead + it.size
	} else {
		st.charge = s.overhead + packedSizeOf(it.end-int(uint32(w)))
	}
	return st
}

// updateLocked gives a resident entry, which holds old, a new value,
// charge and deadline. A write is an access and a modification, and always
// takes a fresh stamp. In the packed layout a value with the same bytes
// (and size) as before is kept where it is.
func (s *shard[K, V]) updateLocked(slot uint32, old stored, key K, value V, charge, expireAt int64, p *policyState, now int64) {
	if s.adm != nil {
		s.adm.reweigh(s.node(slot).list, charge-old.charge)
	}
	s.mutateLocked()
	if s.arena == nil {
		s.pair(slot).value = value
		s.head(slot).setWord(uint64(charge))
	} else if v, size := valueBytes(value, s.c.stringValues), charge-s.overhead; !old.holds(v, size, s.c.customSize) {
		h := s.head(slot)
		r := h.word
		h.setWord(s.arena.put(slot, keyString(key), v, size, s.c.customSize))
		s.arena.release(r)
	}
	s.setExpireLocked(slot, expireAt)
	s.writtenLocked(slot, p, now)
	s.compactLocked()
}

// removeLocked takes the entry at slot out and returns it with its charge.
// The last entry moves into the gap. The caller releases or reuses the
// charge.
func (s *shard[K, V]) removeLocked(slot uint32) (gone pair[K, V], charge int64) {
	if s.c.cfg.OnEvict != nil {
		gone = s.entryAt(slot)
	}
	charge = s.charge(slot)
	s.unlinkEntryLocked(slot, charge)
	last := s.n
	if slot != last {
		if s.arena == nil {
			*s.pair(slot) = *s.pair(last)
		}
		s.moveLocked(last, slot)
	}
	s.dropLastLocked()
	if s.arena == nil {
		*s.pair(last) = pair[K, V]{} // let the collector have the key and value
		s.pairs.fit(s.n)
	}
	s.compactLocked()
	return gone, charge
}

// popExpiredLocked removes the soonest-expiring entry if its deadline has
// passed, counting it as expired.
func (s *shard[K, V]) popExpiredLocked(now int64) (pair[K, V], int64, bool) {
	if s.ttl.Len() == 0 || s.head(s.ttl.Min()).expireAt > now {
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

// keyString returns the string a key of the packed layout is.
func keyString[K comparable](k K) string { return *(*string)(unsafe.Pointer(&k)) }

// stringKey returns b as a key of the packed layout, sharing its bytes.
func stringKey[K comparable](b []byte) K {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	return *(*K)(unsafe.Pointer(&s))
}

// valueBytes returns the bytes of a value of the packed layout, a string
// if str is set, else a byte slice.
func valueBytes[V any](v V, str bool) []byte {
	if str {
		s := *(*string)(unsafe.Pointer(&v))
		return unsafe.Slice(unsafe.StringData(s), len(s))
	}
	return *(*[]byte)(unsafe.Pointer(&v))
}

// bytesValue returns b as a value of the packed layout, sharing its bytes.
func bytesValue[V any](b []byte, str bool) V {
	if str {
		s := unsafe.String(unsafe.SliceData(b), len(b))
		return *(*V)(unsafe.Pointer(&s))
	}
	return *(*V)(unsafe.Pointer(&b))
}
