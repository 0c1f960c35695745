package bench

import (
	"testing"

	"github.com/maxmem/maxmem/bench/internal/peers"
)

// latencyOps are the single-goroutine operations timed per cache.
var latencyOps = []struct {
	name string
	run  func(b *testing.B, c peers.Cache)
}{
	{"GetHit", getHit},
	{"GetMiss", getMiss},
	{"SetUpdate", setUpdate},
	{"SetInsertEvict", setInsertEvict},
	{"DeleteSet", deleteSet},
}

// BenchmarkLatency times one goroutine's Get hit, Get miss, Set of an
// existing key, Set of a new key into a full cache, and Delete of a
// stored key followed by its Set, with allocs and bytes per op. The map
// baseline is a built-in map read of the same keys, no lock.
func BenchmarkLatency(b *testing.B) {
	for _, op := range latencyOps {
		b.Run("op="+op.name, func(b *testing.B) {
			if op.name == "GetHit" {
				b.Run("cache=map", mapGetHit)
			}
			for _, f := range peers.All() {
				b.Run("cache="+f.Name, func(b *testing.B) {
					c := newFilled(f, false)
					defer c.Close()
					b.ReportAllocs()
					b.ResetTimer()
					op.run(b, c)
				})
			}
		})
	}
}

// sink keeps lookups from being optimised away.
var sink int

// mapGetHit is the floor for GetHit: a built-in map holding the same
// entries, read with the same key sequence.
func mapGetHit(b *testing.B) {
	x := getFixture()
	m := make(map[string][]byte, capacity)
	for i, k := range x.fillKeys {
		m[k] = x.values[i]
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		if _, ok := m[x.keys[i&keyMask]]; ok {
			n++
		}
	}
	sink = n
}

// getHit reads the Zipf keys, all of which the prefill stored.
func getHit(b *testing.B, c peers.Cache) { getAll(b, c, getFixture().keys) }

// getMiss reads keys that were never stored.
func getMiss(b *testing.B, c peers.Cache) { getAll(b, c, getFixture().missKeys) }

// getAll reads keys in turn, b.N times, counting hits into sink.
func getAll(b *testing.B, c peers.Cache, keys []string) {
	n := 0
	for i := 0; i < b.N; i++ {
		if _, ok := c.Get(keys[i&keyMask]); ok {
			n++
		}
	}
	sink = n
}

// setUpdate overwrites stored keys with a new value of the same size:
// each pass over the keys alternates between their prefilled values and
// the updates, so every write changes the value.
func setUpdate(b *testing.B, c peers.Cache) {
	x := getFixture()
	for i := 0; i < b.N; i++ {
		j := i & (capacity - 1)
		v := x.values[j]
		if i&capacity == 0 {
			v = x.updates[j]
		}
		c.Set(x.fillKeys[j], v)
	}
}

// setInsertEvict writes keys that are not stored into the full cache,
// so each write evicts (or, for admission-filtered caches, is refused).
func setInsertEvict(b *testing.B, c peers.Cache) {
	x := getFixture()
	for i := 0; i < b.N; i++ {
		c.Set(x.insertKeys[i&insertMask], x.values[i&keyMask])
	}
}

// deleteSet deletes a prefilled key and sets it back with its value, so
// the cache stays full: one op is the pair, and no write evicts (for a
// cache that applies its writes at once).
func deleteSet(b *testing.B, c peers.Cache) {
	x := getFixture()
	for i := 0; i < b.N; i++ {
		j := i & (capacity - 1)
		c.Delete(x.fillKeys[j])
		c.Set(x.fillKeys[j], x.values[j])
	}
}
