package maxmem

import (
	"math/rand/v2"
	"testing"
)

// indexModel drives a table and a built-in map side by side. Keys are uint64s
// whose hash is chosen by the test, so collisions can be forced; slots
// number the keys.
type indexModel struct {
	t      table
	keys   []uint64          // slot -> key
	hashes map[uint64]uint32 // key -> hash
	ref    map[uint64]uint32 // key -> slot
}

func newIndexModel() *indexModel {
	return &indexModel{keys: []uint64{0}, hashes: map[uint64]uint32{}, ref: map[uint64]uint32{}}
}

func (m *indexModel) hashOf(slot uint32) uint32 { return m.hashes[m.keys[slot]] }

func (m *indexModel) find(key uint64) (int, uint32, bool) {
	gs := m.t.load()
	if gs == nil {
		return 0, 0, false
	}
	h := m.hashes[key]
	for c := gs.probe(h); ; c.advance(gs) {
		if c.step > gs.mask { // a probe visits each group once at most
			panic("index: probed every group without reaching a final one")
		}
		g := gs.at(c)
		lanes, final := g.match(h)
		for ; lanes != 0; lanes &= lanes - 1 {
			if slot := g.slot(lanes); m.keys[slot] == key {
				return c.pos(lanes), slot, true
			}
		}
		if final {
			return 0, 0, false
		}
	}
}

func (m *indexModel) check(t *testing.T) {
	t.Helper()
	if m.t.count() != len(m.ref) {
		t.Fatalf("Len %d, want %d", m.t.count(), len(m.ref))
	}
	for key, want := range m.ref {
		if _, got, ok := m.find(key); !ok || got != want {
			t.Fatalf("key %d: slot %d, %v; want %d", key, got, ok, want)
		}
	}
}

// step applies one operation chosen by op to key.
func (m *indexModel) step(op byte, key uint64, hash uint32) {
	if _, known := m.hashes[key]; !known {
		m.hashes[key] = hash
	}
	_, old, found := m.find(key)
	switch {
	case !found && op%3 != 0:
		slot := uint32(len(m.keys))
		m.keys = append(m.keys, key)
		m.t.insert(m.hashes[key], slot, m.hashOf)
		m.ref[key] = slot
	case found && op%3 == 0:
		m.t.remove(m.hashes[key], old)
		delete(m.ref, key)
	case found && op%5 == 1:
		slot := uint32(len(m.keys)) // the caller moved the entry
		m.keys = append(m.keys, key)
		m.t.move(m.hashes[key], old, slot)
		m.ref[key] = slot
	case op%7 == 2:
		m.t.shrink(m.hashOf)
	}
}

func TestIndexAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	m := newIndexModel()
	for i := range 20000 {
		key := r.Uint64N(3000)
		hash := uint32(key * 0x9E3779B97F4A7C15 >> 32)
		if key%10 == 0 {
			hash = 42 // a crowd of full-hash collisions
		}
		m.step(byte(r.IntN(256)), key, hash)
		if i%500 == 0 {
			m.check(t)
		}
	}
	m.check(t)
}

func FuzzIndexAgainstMap(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0, 5, 1, 9, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		m := newIndexModel()
		for i := 0; i+1 < len(ops); i += 2 {
			key := uint64(ops[i+1] % 64)
			m.step(ops[i], key, uint32(uint64(ops[i+1]>>6)*0x9E3779B97F4A7C15>>32)) // four hashes: heavy collisions
		}
		m.check(t)
	})
}

func TestMatchMarksOnlyFullLanes(t *testing.T) {
	var tb table
	keys := map[uint32]uint32{}
	hashOf := func(s uint32) uint32 { return keys[s] }
	// Control bytes 0x00 then 0x01 in one group make a probe for 0x00 see
	// a borrow in the lane after the match: that lane is full, so its slot
	// is a real one, and the empty and deleted lanes are never marked.
	keys[1], keys[2], keys[3] = 0x00, 0x01, 0x02
	for slot := uint32(1); slot <= 3; slot++ {
		tb.insert(keys[slot], slot, hashOf)
	}
	tb.remove(0x01, 2) // lane 2 becomes empty: its group has empty lanes
	gs := tb.load()
	g := gs.at(gs.probe(0x00))
	var got []uint32
	m, _ := g.match(0x00)
	for ; m != 0; m &= m - 1 {
		got = append(got, g.slot(m))
	}
	if len(got) == 0 || got[0] != 1 {
		t.Fatalf("Match(0x00) marked slots %v, want 1 first", got)
	}
	for _, slot := range got {
		if slot != 1 && slot != 2 {
			t.Fatalf("Match(0x00) marked slot %d, which is neither the match nor the full lane after it", slot)
		}
	}
}
