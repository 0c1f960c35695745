package maxmem

import (
	"hash/maphash"
	"reflect"
	"unsafe"

	"github.com/zeebo/xxh3"
)

// Key hashing
//
// A key's hash picks its shard (the top bits) and its place in the shard's
// index (the low 32 bits). Keys often come from outside (URLs, user ids,
// API parameters), and whoever can choose keys that share a shard and a
// probe sequence can make every operation on them cost as much as a scan
// of the shard. So by default every cache hashes with its own random seed,
// through hash/maphash, the hash Go's own maps use for the same reason:
// without the seed, colliding keys cannot be found.
//
// Options.Seed asks for a reproducible cache instead: then strings are
// hashed with xxh3 and 8-byte integers with a fixed mixer, both seeded
// with Options.Seed, so the same keys land in the same places in every
// run. Anyone who knows that seed can craft colliding keys; use it for
// tests and simulations, not for keys an attacker chooses. Other key types
// always use a random maphash seed.

// hasher is a cache's key hash.
type hasher[K comparable] struct {
	seed maphash.Seed
	str  bool           // string keys under a random seed: maphash.String, called directly
	fn   func(K) uint64 // every other case
}

// of returns the hash of k.
func (h *hasher[K]) of(k K) uint64 {
	if h.str {
		return maphash.String(h.seed, keyString(k))
	}
	return h.fn(k)
}

// newHasher returns the key hash of a cache seeded with seed (0: random).
func newHasher[K comparable](seed uint64) hasher[K] {
	kind := reflect.TypeFor[K]().Kind()
	h := hasher[K]{seed: maphash.MakeSeed()}
	switch {
	case seed == 0 && kind == reflect.String:
		h.str = true
	case seed == 0:
		h.fn = func(k K) uint64 { return maphash.Comparable(h.seed, k) }
	case kind == reflect.String:
		h.fn = func(k K) uint64 { return xxh3.HashStringSeed(keyString(k), seed) }
	case kind == reflect.Int64 || kind == reflect.Uint64 || (kind == reflect.Int || kind == reflect.Uint ||
		kind == reflect.Uintptr) && unsafe.Sizeof(uintptr(0)) == 8:
		h.fn = func(k K) uint64 { return mix64(*(*uint64)(unsafe.Pointer(&k)) ^ seed) }
	default:
		h.fn = func(k K) uint64 { return maphash.Comparable(h.seed, k) }
	}
	return h
}

// mix64 is a bijective 64-bit finalizer (Stafford's variant 13, as in
// splitmix64): every input bit affects every output bit.
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
