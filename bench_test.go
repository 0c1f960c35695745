package maxmem

import (
	"fmt"
	"testing"
)

// benchKeys returns n distinct 16-byte keys.
func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i)
	}
	return keys
}

// newBenchCache returns an allkeys-lru cache holding keys, all with value.
func newBenchCache(b *testing.B, maxMemory int64, keys []string, value []byte) *Cache[string, []byte] {
	c, err := New(Options[string, []byte]{MaxMemory: maxMemory, Policy: AllKeysLRU})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	for _, k := range keys {
		if err := c.Set(k, value); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

// BenchmarkGetHit runs a Get hit beside a plain map lookup of the same keys.
func BenchmarkGetHit(b *testing.B) {
	const n = 1 << 16
	keys := benchKeys(n)
	value := make([]byte, 64)
	b.Run("maxmem", func(b *testing.B) {
		c := newBenchCache(b, 0, keys, value)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if _, ok := c.Get(keys[i&(n-1)]); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		m := make(map[string][]byte, n)
		for _, k := range keys {
			m[k] = value
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if _, ok := m[keys[i&(n-1)]]; !ok {
				b.Fatal("miss")
			}
		}
	})
}

func BenchmarkGetMiss(b *testing.B) {
	const n = 1 << 16
	keys, absent := benchKeys(n), benchKeys(2 * n)[n:]
	c := newBenchCache(b, 0, keys, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c.Get(absent[i&(n-1)])
	}
}

// BenchmarkSetUpdate replaces the values of resident keys: two values of
// one size, taken in turn on each pass, so that every write changes what
// its key holds (a write of the value a key holds is recognised and costs
// less).
func BenchmarkSetUpdate(b *testing.B) {
	const n = 1 << 16
	keys := benchKeys(n)
	values := [2][]byte{make([]byte, 64), make([]byte, 64)}
	values[1][0] = 1
	c := newBenchCache(b, 0, keys, values[0])
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c.Set(keys[i&(n-1)], values[(i/n+1)&1])
	}
}

// BenchmarkSetInsertEvict writes new keys into a full cache: every write
// evicts the least recently used entry.
func BenchmarkSetInsertEvict(b *testing.B) {
	const n, resident = 1 << 18, 1 << 14
	keys := benchKeys(n)
	value := make([]byte, 64)
	per := int64(16+16+24+64) + EntryOverhead[string, []byte]()
	c := newBenchCache(b, resident*per, keys[:resident], value)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := c.Set(keys[(resident+i)&(n-1)], value); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetParallel is a read-only load from every CPU.
func BenchmarkGetParallel(b *testing.B) {
	const n = 1 << 16
	keys := benchKeys(n)
	c := newBenchCache(b, 0, keys, nil)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			c.Get(keys[i&(n-1)])
			i += 7
		}
	})
}
