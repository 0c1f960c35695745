package index

import (
	"math/rand/v2"
	"testing"
)

// model drives a Table and a built-in map side by side. Keys are uint64s
// whose hash the test chooses, so collisions can be forced; slots number
// the keys.
type model struct {
	t      Table
	keys   []uint64          // slot -> key
	hashes map[uint64]uint32 // key -> hash
	ref    map[uint64]uint32 // key -> slot
}

func newModel() *model {
	return &model{keys: []uint64{0}, hashes: map[uint64]uint32{}, ref: map[uint64]uint32{}}
}

func (m *model) hashOf(slot uint32) uint32 { return m.hashes[m.keys[slot]] }

func (m *model) find(key uint64) (uint32, bool) {
	return m.t.Load().Find(m.hashes[key], func(slot uint32) bool { return m.keys[slot] == key })
}

func (m *model) check(t *testing.T) {
	t.Helper()
	if m.t.Len() != len(m.ref) {
		t.Fatalf("Len %d, want %d", m.t.Len(), len(m.ref))
	}
	for key, want := range m.ref {
		if got, ok := m.find(key); !ok || got != want {
			t.Fatalf("key %d: slot %d, %v; want %d", key, got, ok, want)
		}
	}
	if m.t.live+m.t.dead > m.t.capacity()*7/8 {
		t.Fatalf("%d live and %d dead positions in %d: over 7/8", m.t.live, m.t.dead, m.t.capacity())
	}
}

// step applies one operation chosen by op to key.
func (m *model) step(op byte, key uint64, hash uint32) {
	if _, known := m.hashes[key]; !known {
		m.hashes[key] = hash
	}
	old, found := m.find(key)
	switch {
	case !found && op%3 != 0:
		slot := uint32(len(m.keys))
		m.keys = append(m.keys, key)
		m.t.Insert(m.hashes[key], slot, m.hashOf)
		m.ref[key] = slot
	case found && op%3 == 0:
		m.t.Remove(m.hashes[key], old)
		delete(m.ref, key)
	case found && op%5 == 1:
		slot := uint32(len(m.keys)) // the caller moved the entry
		m.keys = append(m.keys, key)
		m.t.Move(m.hashes[key], old, slot)
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

func FuzzAgainstMap(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0, 5, 1, 9, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		m := newModel()
		for i := 0; i+1 < len(ops); i += 2 {
			key := uint64(ops[i+1] % 64)
			m.step(ops[i], key, uint32(uint64(ops[i+1]>>6)*0x9E3779B97F4A7C15>>32)) // four hashes: heavy collisions
		}
		m.check(t)
	})
}

func TestFindVisitsOnlyStoredSlots(t *testing.T) {
	var tb Table
	keys := map[uint32]uint32{1: 0x00, 2: 0x01, 3: 0x02}
	hashOf := func(s uint32) uint32 { return keys[s] }
	// Control bytes 0x00 then 0x01 in one group make a probe for 0x00 see
	// a borrow in the lane after the match: that lane is full, so the slot
	// Find offers is a stored one, never an empty or dead lane's.
	for slot := uint32(1); slot <= 3; slot++ {
		tb.Insert(keys[slot], slot, hashOf)
	}
	tb.Remove(0x01, 2)
	var seen []uint32
	tb.Load().Find(0x00, func(slot uint32) bool { seen = append(seen, slot); return false })
	if len(seen) == 0 || seen[0] != 1 {
		t.Fatalf("Find(0x00) offered %v, want slot 1 first", seen)
	}
	for _, slot := range seen {
		if slot != 1 && slot != 3 {
			t.Fatalf("Find(0x00) offered slot %d, which is not stored", slot)
		}
	}
}

// A same-size rebuild (dead markers cleared) reuses the storage the one
// before it replaced, so steady removals and insertions allocate nothing.
func TestRebuildReusesSpare(t *testing.T) {
	m := newModel()
	const n = 54 // just under 7/8 of 64 positions: most groups are full
	for k := range uint64(n) {
		m.step(1, k, mixed(k))
	}
	rebuilds, reused := 0, 0
	for k := uint64(n); k < 40000; k++ {
		m.step(0, k-n, 0) // remove the oldest
		before := m.t.Load()
		m.hashes[k] = mixed(k)
		slot := uint32(len(m.keys))
		m.keys = append(m.keys, k)
		if m.t.Insert(m.hashes[k], slot, m.hashOf) {
			reused++
		}
		m.ref[k] = slot
		if m.t.Load() != before {
			rebuilds++
		}
	}
	m.check(t)
	if rebuilds < 4 || reused < rebuilds-2 {
		t.Fatalf("%d rebuilds, %d of them into the spare storage: want all but the first two reused", rebuilds, reused)
	}
}

// Removals and insertions at a steady size allocate nothing once the
// table has its size and its spare.
func TestSteadyStateAllocs(t *testing.T) {
	var tb Table
	hashes := make([]uint32, 1<<12)
	for i := range hashes {
		hashes[i] = mixed(uint64(i))
	}
	hashOf := func(s uint32) uint32 { return hashes[s] }
	const n = 54
	for s := uint32(0); s < n; s++ {
		tb.Insert(hashes[s], s, hashOf)
	}
	next := uint32(n)
	churn := func() {
		old := next - n
		tb.Remove(hashes[old%uint32(len(hashes))], old%uint32(len(hashes)))
		s := next % uint32(len(hashes))
		tb.Insert(hashes[s], s, hashOf)
		next++
	}
	for range 2000 {
		churn()
	}
	if a := testing.AllocsPerRun(2000, churn); a != 0 {
		t.Fatalf("%v allocations per removal and insertion at a steady size, want 0", a)
	}
}

// mixed is a well-mixed 32-bit hash of k.
func mixed(k uint64) uint32 {
	k = (k ^ k>>30) * 0xbf58476d1ce4e5b9
	k = (k ^ k>>27) * 0x94d049bb133111eb
	return uint32(k ^ k>>31)
}
