package maxmem

import (
	"fmt"
	"unsafe"

	"github.com/maxmem/maxmem/internal/arena"
	"github.com/maxmem/maxmem/internal/shard"
	"github.com/maxmem/maxmem/internal/sizer"
)

// Accounting
//
// Every entry is charged what it costs: the Sizer's bytes for its key and
// value plus EntryOverhead, the cache's own bytes per entry. The charge is
// taken from the budget before the entry goes in (internal/budget), so
// used_memory never passes MaxMemory, under any number of goroutines.

// EntryOverhead returns the bytes the cache charges each entry of a
// Cache[K, V] beyond what the Sizer reports: its head (the word that holds
// its size or the place of its bytes, its deadline, its recency stamps,
// its hash bits and its place in the TTL heap), its links in the recency
// lists, its TTL heap slot
// (charged whether or not it has a TTL, so EXPIRE and PERSIST never need
// memory), its share of the index, including the index's average free
// space, and, with string keys and []byte or string values, the two length
// bytes of its item in the arena; with other types, any padding around
// its key and value. Options.RefreshAfter adds 8 bytes, each entry's write
// time. A test checks this against the heap the runtime reports.
func EntryOverhead[K comparable, V any]() int64 {
	fixed := int64(shard.HeadBytes + shard.LinkBytes + heapSlot + shard.IndexBytes)
	if packed, _ := packedLayout[K, V](); packed {
		return fixed + arena.ItemBase
	}
	var (
		p pair[K, V]
		k K
		v V
	)
	return fixed + int64(unsafe.Sizeof(p)) - int64(unsafe.Sizeof(k)) - int64(unsafe.Sizeof(v))
}

// heapSlot is the TTL heap's four bytes per entry.
const heapSlot = 4

// BuiltinSizer returns the Sizer a Cache[K, V] uses when Options.Sizer is
// nil, so that a Sizer of one's own can start from it: for string keys
// with []byte or string values, the bytes the key and value take in the
// cache's arena (and their share of its slack); for other types, the bytes
// of strings, byte slices, numbers, booleans, and arrays, slices and
// pointer-free structs of those. For any other type it returns an error,
// as New does.
//
// A Sizer that adds to it, say for memory of the caller's kept beside each
// entry, keeps MaxMemory a bound on both:
//
//	base, _ := maxmem.BuiltinSizer[string, []byte]()
//	opts.Sizer = func(k string, v []byte) int64 { return base(k, v) + perEntry }
func BuiltinSizer[K comparable, V any]() (func(K, V) int64, error) {
	if packed, stringValues := packedLayout[K, V](); packed {
		return func(k K, v V) int64 {
			return arena.PackedSize(len(keyString(k)), len(valueBytes(v, stringValues)))
		}, nil
	}
	ks, err := sizer.Of[K]()
	if err != nil {
		return nil, fmt.Errorf("maxmem: no built-in size for keys, pass Options.Sizer: %w", err)
	}
	vs, err := sizer.Of[V]()
	if err != nil {
		return nil, fmt.Errorf("maxmem: no built-in size for values, pass Options.Sizer: %w", err)
	}
	return func(k K, v V) int64 { return ks(k) + vs(v) }, nil
}
