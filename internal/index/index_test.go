package index

import (
	"math/rand/v2"
	"testing"
)

// model drives a Table and a built-in map side by side. Keys are uint64s
// whose hash is chosen by the test, so collisions can be forced; slots
// number the keys.
type model struct {
	t      Table
	keys   []uint64          // slot -> key
	hashes map[uint64]uint64 // key -> hash
	ref    map[uint64]uint32 // key -> slot
}

func newModel() *model {
	return &model{keys: []uint64{0}, hashes: map[uint64]uint64{}, ref: map[uint64]uint32{}}
}

func (m *model) hashOf(slot uint32) uint64 { return m.hashes[m.keys[slot]] }

func (m *model) find(key uint64) (int, uint32, bool) {
	p := m.t.Probe(m.hashes[key])
	for pos, ok := p.Next(); ok; pos, ok = p.Next() {
		if slot := m.t.Slot(pos); m.keys[slot] == key {
			return pos, slot, true
		}
	}
	return 0, 0, false
}

func (m *model) check(t *testing.T) {
	t.Helper()
	if m.t.Len() != len(m.ref) {
		t.Fatalf("Len %d, want %d", m.t.Len(), len(m.ref))
	}
	for key, want := range m.ref {
		if _, got, ok := m.find(key); !ok || got != want {
			t.Fatalf("key %d: slot %d, %v; want %d", key, got, ok, want)
		}
	}
}

// step applies one operation chosen by op to key.
func (m *model) step(op byte, key uint64, hash uint64) {
	if _, known := m.hashes[key]; !known {
		m.hashes[key] = hash
	}
	pos, _, found := m.find(key)
	switch {
	case !found && op%3 != 0:
		slot := uint32(len(m.keys))
		m.keys = append(m.keys, key)
		m.t.Insert(m.hashes[key], slot, m.hashOf)
		m.ref[key] = slot
	case found && op%3 == 0:
		m.t.Delete(pos)
		delete(m.ref, key)
	case found && op%5 == 1:
		slot := uint32(len(m.keys)) // the caller moved the entry
		m.keys = append(m.keys, key)
		m.t.SetSlot(pos, slot)
		m.ref[key] = slot
	case op%7 == 2:
		m.t.Shrink(m.hashOf)
	}
}

func TestAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	m := newModel()
	for i := range 20000 {
		key := r.Uint64N(3000)
		hash := key * 0x9E3779B97F4A7C15
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

func FuzzAgainstMap(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0, 5, 1, 9, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		m := newModel()
		for i := 0; i+1 < len(ops); i += 2 {
			key := uint64(ops[i+1] % 64)
			m.step(ops[i], key, uint64(ops[i+1]>>6)*0x9E3779B97F4A7C15) // four hashes: heavy collisions
		}
		m.check(t)
	})
}

func TestMatchByteFalsePositivesAreFiltered(t *testing.T) {
	var tb Table
	keys := map[uint32]uint64{}
	hashOf := func(s uint32) uint64 { return keys[s] }
	// Control bytes 0x00 then 0x01 in one group make matchByte(.., 1)
	// report a borrow; the probe must still return only the real match.
	keys[1], keys[2] = 0x00, 0x01
	tb.Insert(keys[1], 1, hashOf)
	tb.Insert(keys[2], 2, hashOf)
	p := tb.Probe(0x01)
	var got []uint32
	for pos, ok := p.Next(); ok; pos, ok = p.Next() {
		got = append(got, tb.Slot(pos))
	}
	if len(got) != 1 || got[0] != 2 {
		t.Fatalf("probe for 0x01 returned slots %v, want [2]", got)
	}
}
