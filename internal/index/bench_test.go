package index

// The comparison behind the choice of the shard index: a built-in map, the
// dolthub/swiss table, and this table with keys kept by slot beside it, as
// the shard keeps them, on string keys.

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/dolthub/swiss"
	"github.com/zeebo/xxh3"
)

// candidate is one index from string keys to slots.
type candidate interface {
	get(k string) (uint32, bool)
	put(k string, slot uint32)
	del(k string)
}

type builtin map[string]uint32

func (m builtin) get(k string) (uint32, bool) { v, ok := m[k]; return v, ok }
func (m builtin) put(k string, slot uint32)   { m[k] = slot }
func (m builtin) del(k string)                { delete(m, k) }

type dolthub struct{ m *swiss.Map[string, uint32] }

func (d dolthub) get(k string) (uint32, bool) { return d.m.Get(k) }
func (d dolthub) put(k string, slot uint32)   { d.m.Put(k, slot) }
func (d dolthub) del(k string)                { d.m.Delete(k) }

// slabbed is the shard's design: keys by slot, hashes to slots in a Table.
type slabbed struct {
	t    Table
	keys []string
}

func (s *slabbed) hashOf(slot uint32) uint32 { return uint32(xxh3.HashString(s.keys[slot])) }

func (s *slabbed) get(k string) (uint32, bool) {
	return s.t.Load().Find(uint32(xxh3.HashString(k)), func(slot uint32) bool { return s.keys[slot] == k })
}

func (s *slabbed) put(k string, slot uint32) {
	for int(slot) >= len(s.keys) {
		s.keys = append(s.keys, "")
	}
	s.keys[slot] = k
	s.t.Insert(uint32(xxh3.HashString(k)), slot, s.hashOf)
}

func (s *slabbed) del(k string) {
	if slot, ok := s.get(k); ok {
		s.t.Remove(uint32(xxh3.HashString(k)), slot)
	}
}

var candidates = []struct {
	name string
	make func(n int) candidate
}{
	{"builtin", func(n int) candidate { return builtin(make(map[string]uint32)) }},
	{"dolthub", func(n int) candidate { return dolthub{swiss.NewMap[string, uint32](0)} }},
	{"table", func(n int) candidate { return &slabbed{keys: make([]string, 0, n)} }},
}

func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i)
	}
	return keys
}

func filled(make func(int) candidate, keys []string) candidate {
	ix := make(len(keys))
	for i, k := range keys {
		ix.put(k, uint32(i))
	}
	return ix
}

func liveHeap() int64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

func BenchmarkIndex(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		keys, absent := benchKeys(n), benchKeys(2 * n)[n:]
		for _, cand := range candidates {
			name := fmt.Sprintf("%s/n=%d", cand.name, n)
			b.Run("hit/"+name, func(b *testing.B) {
				ix := filled(cand.make, keys)
				b.ResetTimer()
				for i := range b.N {
					ix.get(keys[i%n])
				}
			})
			b.Run("miss/"+name, func(b *testing.B) {
				ix := filled(cand.make, keys)
				b.ResetTimer()
				for i := range b.N {
					ix.get(absent[i%n])
				}
			})
			b.Run("insert+delete/"+name, func(b *testing.B) {
				ix := filled(cand.make, keys)
				b.ResetTimer()
				for i := range b.N {
					k := absent[i%n]
					ix.put(k, uint32(i%n))
					ix.del(k)
				}
			})
			b.Run("memory/"+name, func(b *testing.B) {
				for range b.N {
					before := liveHeap()
					ix := filled(cand.make, keys)
					b.ReportMetric(float64(liveHeap()-before)/float64(n), "B/entry")
					runtime.KeepAlive(ix)
				}
			})
		}
	}
}
