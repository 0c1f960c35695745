package maxmem

import (
	"reflect"
	"unsafe"
)

// The storage seam
//
// A shard keeps its keys and values in one of two layouts, chosen once by
// New from the key and value types, and reaches them only through store:
//
//   - The packed layout, for string keys with []byte or string values:
//     key and value bytes are copied into the shard's arena (arena.go), and
//     an entry's head word is the reference of its item there. Nothing the
//     collector scans is kept per entry, what the cache charges is what it
//     holds, and a Get reads without the lock (getPacked, reads.go).
//   - The generic layout, for every other pair of types: keys and values
//     are Go values in pages by slot, the head word is the size the Sizer
//     reported, and a Get holds the lock.
//
// Every method runs with the shard's lock held.
type store[K comparable, V any] interface {
	// matches reports whether the entry at slot, whose word is w, has key.
	matches(slot uint32, w uint64, key K) bool
	// key and value return the entry's key and value.
	key(slot uint32, w uint64) K
	value(slot uint32, w uint64) V
	// size returns the bytes the Sizer reported for the entry.
	size(slot uint32, w uint64) int64
	// write stores key and value, of size bytes, at slot and returns the
	// slot's new word; old is its word before, unless fresh (a new entry).
	write(slot uint32, old uint64, fresh bool, key K, value V, size int64) uint64
	// remove lets go of the entry at slot, whose word is w.
	remove(slot uint32, w uint64)
	// move takes the entry at slot from, whose word is w, to slot to.
	move(from, to uint32, w uint64)
	// tidy runs after removals and rewrites, once n entries are left.
	tidy(n uint32)
	// reset lets go of every entry.
	reset()
}

// pair is an entry's key and value.
type pair[K comparable, V any] struct {
	key   K
	value V
}

// pairStore is the generic layout: Go values in pages, by slot.
type pairStore[K comparable, V any] struct {
	pairs paged[pair[K, V]]
}

func (p *pairStore[K, V]) matches(slot uint32, _ uint64, key K) bool {
	return p.pairs.at(slot).key == key
}
func (p *pairStore[K, V]) key(slot uint32, _ uint64) K   { return p.pairs.at(slot).key }
func (p *pairStore[K, V]) value(slot uint32, _ uint64) V { return p.pairs.at(slot).value }
func (p *pairStore[K, V]) size(_ uint32, w uint64) int64 { return int64(w) }
func (p *pairStore[K, V]) remove(slot uint32, _ uint64)  { *p.pairs.at(slot) = pair[K, V]{} }
func (p *pairStore[K, V]) tidy(n uint32)                 { p.pairs.fit(n) }
func (p *pairStore[K, V]) reset()                        { p.pairs = paged[pair[K, V]]{} }

func (p *pairStore[K, V]) write(slot uint32, _ uint64, fresh bool, key K, value V, size int64) uint64 {
	if fresh {
		p.pairs.fit(slot)
	}
	*p.pairs.at(slot) = pair[K, V]{key, value}
	return uint64(size)
}

func (p *pairStore[K, V]) move(from, to uint32, _ uint64) {
	*p.pairs.at(to) = *p.pairs.at(from)
	*p.pairs.at(from) = pair[K, V]{} // let the collector have what it held
}

// packedStore is the packed layout: bytes in the shard's arena.
type packedStore[K comparable, V any] struct {
	l            *ledger
	hash         func(string) uint64 // the cache's key hash, to find an item's entry
	stringValues bool                // V is a string type, not a byte slice
	customSize   bool                // sizes come from the user's Sizer, kept in the items
	// The item matches found last, and its value: a write that just
	// looked its key up compares the value it writes without reading the
	// item again.
	lastWord  uint64
	lastValue []byte
}

func (p *packedStore[K, V]) matches(_ uint32, w uint64, key K) bool {
	v, ok := p.l.arena.table.Load().valueOf(w, keyString(key))
	if ok {
		p.lastWord, p.lastValue = w, v
	}
	return ok
}

func (p *packedStore[K, V]) key(_ uint32, w uint64) K { return stringKey[K](p.l.arena.key(w)) }
func (p *packedStore[K, V]) value(_ uint32, w uint64) V {
	return bytesValue[V](p.l.arena.value(w), p.stringValues)
}

// size reads the item only for a size from the user's Sizer: otherwise the
// item's length, which w holds, says it.
func (p *packedStore[K, V]) size(_ uint32, w uint64) int64 {
	if p.customSize {
		_, it := p.l.arena.parse(w)
		return it.size
	}
	return p.l.arena.builtinCharge(w)
}

// write appends a new item, unless the entry already holds exactly this
// value (and size): then it keeps the item it has.
func (p *packedStore[K, V]) write(_ uint32, old uint64, fresh bool, key K, value V, size int64) uint64 {
	v := valueBytes(value, p.stringValues)
	if !fresh && p.holds(old, keyString(key), v, size) {
		return old
	}
	r := p.l.arena.put(keyString(key), v, size, p.customSize)
	if !fresh {
		p.l.arena.release(old)
	}
	return r
}

// holds reports whether the item w names, of key, already stores value v
// (and, with a custom Sizer, size). An item of another length cannot: then
// it reads no item.
func (p *packedStore[K, V]) holds(w uint64, key string, v []byte, size int64) bool {
	if n := refLen(w); n != 0 && n != itemTotal(len(key), len(v), size, p.customSize) {
		return false
	}
	if p.customSize {
		if _, it := p.l.arena.parse(w); it.size != size {
			return false
		}
	}
	if w == p.lastWord {
		return string(p.lastValue) == string(v)
	}
	stored, ok := p.l.arena.table.Load().valueOf(w, key)
	return ok && string(stored) == string(v)
}

func (p *packedStore[K, V]) remove(_ uint32, w uint64)   { p.l.arena.release(w) }
func (p *packedStore[K, V]) reset()                      { p.l.arena.reset() }
func (p *packedStore[K, V]) move(uint32, uint32, uint64) {}

// tidy compacts the arena when its garbage calls for it.
func (p *packedStore[K, V]) tidy(uint32) {
	if p.l.arena.overGarbage() {
		p.l.beginWrite()
		p.l.arena.compact(p.holder)
	}
}

// holder returns the head of the entry whose item is r and whose key is
// key, or nil if no entry holds r any more.
func (p *packedStore[K, V]) holder(r uint64, key string) *head {
	l, h := p.l, uint32(p.hash(key))
	gs := l.idx.load()
	for c := gs.probe(h); ; c.advance(gs) {
		g := gs.at(c)
		m, final := g.match(h)
		for ; m != 0; m &= m - 1 {
			if hd := l.head(g.slot(m)); hd.word == r {
				return hd
			}
		}
		if final {
			return nil
		}
	}
}

// packedLayout reports whether a Cache[K, V] keeps its keys and values in
// arenas: string keys with []byte or string values (of any type with those
// underlying types); and whether the values are strings.
func packedLayout[K comparable, V any]() (packed, stringValues bool) {
	k, v := reflect.TypeFor[K](), reflect.TypeFor[V]()
	if k.Kind() != reflect.String {
		return false, false
	}
	switch {
	case v.Kind() == reflect.String:
		return true, true
	case v.Kind() == reflect.Slice && v.Elem().Kind() == reflect.Uint8:
		return true, false
	}
	return false, false
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
