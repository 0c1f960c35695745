package maxmem

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// unmix64 inverts mix64.
func unmix64(x uint64) uint64 {
	x ^= x>>31 ^ x>>62
	x *= inverse(0x94d049bb133111eb)
	x ^= x>>27 ^ x>>54
	x *= inverse(0xbf58476d1ce4e5b9)
	x ^= x>>30 ^ x>>60
	return x
}

// inverse returns the multiplicative inverse of an odd a modulo 2^64.
func inverse(a uint64) uint64 {
	x := a // correct to 3 bits; each step doubles them
	for range 5 {
		x *= 2 - a*x
	}
	return x
}

// craftedKeys returns n integer keys whose hashes, under a cache seeded
// with seed, share their shard, their index group and their 7 control
// bits: what an attacker who knows the hash would send.
func craftedKeys(n int, seed uint64) []uint64 {
	keys := make([]uint64, n)
	for i := range keys {
		h := uint64(i+1)<<32 | 0x2A // the same low 32 bits, and top bits, for every key
		keys[i] = unmix64(h) ^ seed
	}
	return keys
}

// probeGroups returns the candidate slots a look-up of key compares its
// key with: those whose hash tag matches on its probe sequence.
func probeGroups[K comparable, V any](c *Cache[K, V], key K) int {
	h := c.hash.of(key)
	s := c.shardFor(h)
	s.Lock()
	defer s.Unlock()
	visited := 0
	s.FindLocked(uint32(h), func(slot uint32) bool {
		visited++
		return s.key(slot) == key
	})
	return visited
}

// meanProbe returns the mean index groups visited to find keys, and the
// most keys any shard holds.
func meanProbe(c *Cache[uint64, int], keys []uint64) (mean float64, fullest int) {
	total := 0
	for _, k := range keys {
		total += probeGroups(c, k)
	}
	for i := range c.shards {
		fullest = max(fullest, int(c.shards[i].Count()))
	}
	return float64(total) / float64(len(keys)), fullest
}

// Keys crafted against a known hash all fall into one shard and one probe
// sequence of a cache seeded with that hash's seed; a cache with its own
// random seed (the default) spreads them like any other keys.
func TestCraftedKeysCostNoMore(t *testing.T) {
	const n, seed = 4000, 12345
	crafted := craftedKeys(n, seed)
	ordinary := make([]uint64, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range ordinary {
		ordinary[i] = r.Uint64()
	}
	fill := func(c *Cache[uint64, int], keys []uint64) {
		for i, k := range keys {
			if err := c.Set(k, i); err != nil {
				t.Fatal(err)
			}
		}
	}

	known := mustNew(t, Options[uint64, int]{Seed: seed, Shards: 8})
	fill(known, crafted)
	mean, fullest := meanProbe(known, crafted)
	if fullest != n || mean < 50 {
		t.Fatalf("the crafted keys should collide under their seed: fullest shard %d of %d keys, %.1f groups per look-up", fullest, n, mean)
	}

	attacked := mustNew(t, Options[uint64, int]{Shards: 8})
	fill(attacked, crafted)
	control := mustNew(t, Options[uint64, int]{Shards: 8})
	fill(control, ordinary)
	cMean, cFullest := meanProbe(attacked, crafted)
	oMean, oFullest := meanProbe(control, ordinary)
	t.Logf("groups per look-up: crafted %.2f, ordinary %.2f; fullest shard: %d, %d (known seed: %.1f, %d)",
		cMean, oMean, cFullest, oFullest, mean, fullest)
	if cMean > 1.5*oMean || cFullest > oFullest+n/20 {
		t.Fatalf("crafted keys cost more in a default cache: %.2f groups per look-up against %.2f, fullest shard %d against %d",
			cMean, oMean, cFullest, oFullest)
	}
}

// The same holds for string keys: the default hash is seeded per cache, so
// keys that share a hash under one cache's seed are spread in another's.
func TestStringHashIsSeededPerCache(t *testing.T) {
	a := mustNew(t, Options[string, int]{})
	b := mustNew(t, Options[string, int]{})
	same := 0
	for i := range 64 {
		k := fmt.Sprint("key", i)
		if a.hash.of(k) == b.hash.of(k) {
			same++
		}
	}
	if same > 0 {
		t.Fatalf("%d of 64 keys hash alike in two default caches: the hash is not seeded per cache", same)
	}
	fixed1 := mustNew(t, Options[string, int]{Seed: 7})
	fixed2 := mustNew(t, Options[string, int]{Seed: 7})
	if fixed1.hash.of("k") != fixed2.hash.of("k") {
		t.Fatal("two caches with the same Options.Seed hash a key differently: runs are not reproducible")
	}
}

// BenchmarkHash compares Get and Set under the default, randomly seeded
// hash (maphash) and under a fixed Options.Seed (xxh3), on string keys.
func BenchmarkHash(b *testing.B) {
	const n = 1 << 14
	keys := benchKeys(n)
	value := make([]byte, 64)
	for _, bc := range []struct {
		name string
		seed uint64
	}{{"random", 0}, {"fixed", 1}} {
		c := mustNewB(b, Options[string, []byte]{Seed: bc.seed})
		for _, k := range keys {
			c.Set(k, value)
		}
		b.Run("get/seed="+bc.name, func(b *testing.B) {
			for i := range b.N {
				c.Get(keys[i&(n-1)])
			}
		})
		b.Run("set/seed="+bc.name, func(b *testing.B) {
			for i := range b.N {
				c.Set(keys[i&(n-1)], value)
			}
		})
	}
}

// mustNewB is mustNew for benchmarks.
func mustNewB[K comparable, V any](b *testing.B, opts Options[K, V]) *Cache[K, V] {
	b.Helper()
	c, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkCraftedKeys is the flooding attack in numbers: per key, a Set
// and a Get of 30,000 integer keys crafted against the cache's hash (as
// an attacker who knows the seed would), against as many ordinary keys;
// under a known seed (Options.Seed), and under the default random seed.
func BenchmarkCraftedKeys(b *testing.B) {
	const n, seed = 30_000, 12345
	crafted := craftedKeys(n, seed)
	ordinary := make([]uint64, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range ordinary {
		ordinary[i] = r.Uint64()
	}
	for _, bc := range []struct {
		name string
		seed uint64
	}{{"known", seed}, {"random", 0}} {
		for _, kc := range []struct {
			name string
			keys []uint64
		}{{"crafted", crafted}, {"ordinary", ordinary}} {
			b.Run("seed="+bc.name+"/keys="+kc.name, func(b *testing.B) {
				for range b.N {
					c := mustNewB(b, Options[uint64, int]{Seed: bc.seed, Shards: 8})
					for i, k := range kc.keys {
						c.Set(k, i)
					}
					for _, k := range kc.keys {
						c.Get(k)
					}
					c.Close()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/key")
			})
		}
	}
}
