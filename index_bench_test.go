package maxmem

// The index comparison behind the choice of the shard index: the three
// candidates do the shard's real operations on string keys. The slab-index
// candidate keeps keys in a slab as the shard does and maps hashes to slots.

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/dolthub/swiss"
	"github.com/zeebo/xxh3"
)

// indexUnderTest is one candidate index from string keys to slots.
type indexUnderTest interface {
	get(k string) (uint32, bool)
	put(k string, slot uint32)
	del(k string)
}

type builtinIndex map[string]uint32

func (m builtinIndex) get(k string) (uint32, bool) { v, ok := m[k]; return v, ok }
func (m builtinIndex) put(k string, slot uint32)   { m[k] = slot }
func (m builtinIndex) del(k string)                { delete(m, k) }

type dolthubIndex struct{ m *swiss.Map[string, uint32] }

func (d dolthubIndex) get(k string) (uint32, bool) { return d.m.Get(k) }
func (d dolthubIndex) put(k string, slot uint32)   { d.m.Put(k, slot) }
func (d dolthubIndex) del(k string)                { d.m.Delete(k) }

// slabIndex is the shard's design: keys in a slab, hashes to slots in an
// index.Table. Deleted slots are not reused here; the shard moves its last
// entry into the gap instead, which costs one more SetSlot.
type slabIndex struct {
	t    table
	keys []string
}

func (s *slabIndex) hashOf(slot uint32) uint32 { return uint32(xxh3.HashString(s.keys[slot])) }

func (s *slabIndex) find(k string) (int, uint32, bool) {
	gs := s.t.load()
	if gs == nil {
		return 0, 0, false
	}
	h := uint32(xxh3.HashString(k))
	for c := gs.probe(h); ; c.advance(gs) {
		if c.step > gs.mask { // a probe visits each group once at most
			panic("index: probed every group without reaching a final one")
		}
		g := gs.at(c)
		m, final := g.match(h)
		for ; m != 0; m &= m - 1 {
			if slot := g.slot(m); s.keys[slot] == k {
				return c.pos(m), slot, true
			}
		}
		if final {
			return 0, 0, false
		}
	}
}

func (s *slabIndex) get(k string) (uint32, bool) { _, slot, ok := s.find(k); return slot, ok }
func (s *slabIndex) put(k string, slot uint32) {
	for int(slot) >= len(s.keys) {
		s.keys = append(s.keys, "")
	}
	s.keys[slot] = k
	s.t.insert(uint32(xxh3.HashString(k)), slot, s.hashOf)
}
func (s *slabIndex) del(k string) {
	if _, slot, ok := s.find(k); ok {
		s.t.remove(uint32(xxh3.HashString(k)), slot)
	}
}

var indexCandidates = []struct {
	name string
	make func(n int) indexUnderTest
}{
	{"builtin", func(n int) indexUnderTest { return builtinIndex(make(map[string]uint32)) }},
	{"dolthub", func(n int) indexUnderTest { return dolthubIndex{swiss.NewMap[string, uint32](0)} }},
	{"slab", func(n int) indexUnderTest { return &slabIndex{keys: make([]string, 0, n)} }},
}

func filled(make func(int) indexUnderTest, keys []string) indexUnderTest {
	ix := make(len(keys))
	for i, k := range keys {
		ix.put(k, uint32(i))
	}
	return ix
}

func BenchmarkIndex(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		keys, absent := benchKeys(n), benchKeys(2 * n)[n:]
		for _, cand := range indexCandidates {
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
					before := heapInUse()
					ix := filled(cand.make, keys)
					after := heapInUse()
					b.ReportMetric(float64(after-before)/float64(n), "B/entry")
					runtime.KeepAlive(ix)
				}
			})
		}
	}
}
