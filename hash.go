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

// newHasher returns the key hash of a cache seeded with seed (0: random).
func newHasher[K comparable](seed uint64) func(K) uint64 {
	kind := reflect.TypeFor[K]().Kind()
	str := kind == reflect.String
	if seed == 0 {
		ms := maphash.MakeSeed()
		if str {
			return func(k K) uint64 { return maphash.String(ms, keyString(k)) }
		}
		return func(k K) uint64 { return maphash.Comparable(ms, k) }
	}
	switch {
	case str:
		return func(k K) uint64 { return xxh3.HashStringSeed(keyString(k), seed) }
	case kind == reflect.Int64 || kind == reflect.Uint64 || (kind == reflect.Int || kind == reflect.Uint ||
		kind == reflect.Uintptr) && unsafe.Sizeof(uintptr(0)) == 8:
		return func(k K) uint64 { return mix64(*(*uint64)(unsafe.Pointer(&k)) ^ seed) }
	}
	ms := maphash.MakeSeed()
	return func(k K) uint64 { return maphash.Comparable(ms, k) }
}

// mix64 is a bijective 64-bit finalizer (Stafford's variant 13, as in
// splitmix64): every input bit affects every output bit.
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
