package maxmem

import (
	"reflect"
	"unsafe"

	"github.com/maxmem/maxmem/internal/absent"
	"github.com/maxmem/maxmem/internal/budget"
	"github.com/maxmem/maxmem/internal/paged"
	"github.com/maxmem/maxmem/internal/shard"
)

// The storage seam
//
// A shard keeps its keys and values in one of two layouts, chosen once by
// New from the key and value types:
//
//   - The packed layout, for string keys with []byte or string values:
//     key and value bytes are copied into the shard's arena, and an
//     entry's word is its item's reference there. Nothing the collector
//     scans is kept per entry, what the cache charges is what it holds,
//     and a Get reads without the lock.
//   - The generic layout, for every other pair of types: keys and values
//     are Go values in pages by slot, beside the shard, an entry's word is
//     the size the Sizer reported, and a Get takes the lock.
//
// kvShard's methods are the only ones that know which; they need the
// shard's lock.

// kvShard is a shard and, in the generic layout, its keys and values.
type kvShard[K comparable, V any] struct {
	shard.Shard
	pairs  paged.Pages[pair[K, V]] // the generic layout's, by slot
	packed bool
	str    bool // the packed layout's values are strings

	absent absent.Table[K] // the absences GetOrLoad remembers (absent.go)
}

// pair is an entry's key and value.
type pair[K comparable, V any] struct {
	key   K
	value V
}

// Init readies s in the layout of a Cache[K, V].
func (s *kvShard[K, V]) Init(cfg *shard.Config, lease *budget.Lease, packed bool, seed, stream uint64) {
	s.packed = packed
	_, s.str = packedLayout[K, V]()
	s.Shard.Init(cfg, lease, packed, seed, stream)
}

// find returns the slot of key, whose hash is h.
func (s *kvShard[K, V]) find(key K, h uint64) (uint32, bool) {
	if s.packed {
		return s.FindPackedLocked(keyString(key), uint32(h))
	}
	return s.FindLocked(uint32(h), func(slot uint32) bool { return s.pairs.At(slot).key == key })
}

// key and value return the key and value at slot. In the packed layout
// both share the arena's bytes, which stay the caller's.
func (s *kvShard[K, V]) key(slot uint32) K {
	if s.packed {
		return stringKey[K](s.KeyLocked(slot))
	}
	return s.pairs.At(slot).key
}

func (s *kvShard[K, V]) value(slot uint32) V {
	if s.packed {
		return bytesValue[V](s.ValueLocked(slot), s.str)
	}
	return s.pairs.At(slot).value
}

// entry returns the key and value at slot.
func (s *kvShard[K, V]) entry(slot uint32) pair[K, V] { return pair[K, V]{s.key(slot), s.value(slot)} }

// insert adds key, whose hash is h, with value, which the Sizer counted
// as size bytes, and a deadline of expireAt (0: none).
func (s *kvShard[K, V]) insert(key K, h uint64, value V, size, expireAt int64) {
	s.forget(key)
	if s.packed {
		s.InsertLocked(uint32(h), s.PutLocked(keyString(key), valueBytes(value, s.str), size), expireAt)
		return
	}
	slot := s.LenLocked() + 1
	s.pairs.Fit(slot, nil)
	*s.pairs.At(slot) = pair[K, V]{key, value}
	s.InsertLocked(uint32(h), uint64(size), expireAt)
}

// update gives the entry of key at slot value, of size bytes, and a
// deadline of expireAt. In the packed layout an entry keeps its item
// when it already holds this value or the new one can be written over it
// (Shard.ReplaceLocked).
func (s *kvShard[K, V]) update(slot uint32, key K, value V, size, expireAt int64) {
	if !s.packed {
		s.pairs.At(slot).value = value
		s.UpdateLocked(slot, uint64(size), expireAt)
		return
	}
	w := s.ReplaceLocked(slot, keyString(key), valueBytes(value, s.str), size)
	s.UpdateLocked(slot, w, expireAt)
}

// remove takes out the entry at slot and returns its charge; evicted says
// the policy chose it.
func (s *kvShard[K, V]) remove(slot uint32, evicted bool) int64 {
	charge, moved := s.RemoveLocked(slot, evicted)
	if !s.packed {
		if moved != 0 {
			*s.pairs.At(slot) = *s.pairs.At(moved)
			slot = moved
		}
		*s.pairs.At(slot) = pair[K, V]{} // let the collector have what it held
		s.pairs.Fit(s.LenLocked(), nil)
	}
	return charge
}

// reset empties the shard and returns what its entries and absences were
// charged.
func (s *kvShard[K, V]) reset() int64 {
	s.pairs.Reset()
	return s.ResetLocked() + s.absent.Clear()
}

// packedLayout reports whether a Cache[K, V] keeps its keys and values in
// arenas: string keys with []byte or string values (of any type with
// those underlying types); and whether the values are strings.
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

// asKey returns s as a key of the packed layout.
func asKey[K comparable](s string) K { return *(*K)(unsafe.Pointer(&s)) }

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
