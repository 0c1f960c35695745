package tinylfu

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestZeroFIFOKeepsNothing(t *testing.T) {
	var f FIFO
	f.Push(7)
	if f.Contains(7) || f.Remove(7) || f.Len() != 0 || f.Bytes() != 0 {
		t.Fatalf("zero FIFO: contains %v, len %d, %d bytes", f.Contains(7), f.Len(), f.Bytes())
	}
}

func TestBytes(t *testing.T) {
	var f FIFO
	f.Resize(100)
	if f.Bytes() != 1200 || ghostBytesFor(100) != 1200 || f.Cap() != 100 {
		t.Fatalf("capacity 100: %d bytes (BytesFor %d), cap %d", f.Bytes(), ghostBytesFor(100), f.Cap())
	}
}

// The oldest ghost goes first; a removed ghost is gone; pushing a ghost
// again makes it the newest.
func TestFirstInFirstOut(t *testing.T) {
	var f FIFO
	f.Resize(3)
	for _, h := range []uint32{10, 20, 30} {
		f.Push(h)
	}
	f.Push(10) // 10 is now the newest: 20 is the oldest
	f.Push(40) // drops 20
	if f.Contains(20) || !f.Contains(10) || !f.Contains(30) || !f.Contains(40) || f.Len() != 3 {
		t.Fatalf("after pushing 10 again and 40: %v", f.held())
	}
	if !f.Remove(30) || f.Remove(30) || f.Len() != 2 {
		t.Fatalf("Remove(30) twice: held %v", f.held())
	}
	f.Push(50) // writes the oldest slot, 30's hole: nothing is dropped
	f.Push(60) // drops 10, the oldest
	if got := f.held(); !slices.Equal(got, []uint32{40, 50, 60}) {
		t.Fatalf("after pushing 50 and 60: %v, want [40 50 60]", got)
	}
}

// The hash 0 is kept like any other (as the fingerprint 1).
func TestHashZero(t *testing.T) {
	var f FIFO
	f.Resize(4)
	f.Push(0)
	if !f.Contains(0) || !f.Remove(0) || f.Contains(0) {
		t.Fatal("hash 0 not kept or not removed")
	}
}

// Resize keeps the newest ghosts, in their order.
func TestResizeKeepsTheNewest(t *testing.T) {
	var f FIFO
	f.Resize(8)
	for h := uint32(1); h <= 8; h++ {
		f.Push(h)
	}
	f.Remove(7)
	f.Resize(3)
	if got := f.held(); !slices.Equal(got, []uint32{5, 6, 8}) {
		t.Fatalf("after shrinking to 3: %v, want [5 6 8]", got)
	}
	f.Resize(5)
	f.Push(9)
	f.Push(10)
	f.Push(11) // drops 5
	if got := f.held(); !slices.Equal(got, []uint32{6, 8, 9, 10, 11}) {
		t.Fatalf("after growing to 5 and three pushes: %v", got)
	}
}

// Against a plain list, through random pushes and removals over a small
// key space (many collisions in the table and reused keys), the FIFO holds
// the same ghosts and its invariants hold after every step.
func TestAgainstAList(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, capacity := range []int{1, 2, 7, 64} {
		t.Run(fmt.Sprint(capacity), func(t *testing.T) {
			var f FIFO
			f.Resize(capacity)
			var want []uint32 // oldest first; removals leave holes, as 0
			for step := range 20_000 {
				h := uint32(r.IntN(3 * capacity))
				if r.IntN(3) == 0 {
					i := slices.Index(want, max(h, 1))
					if got := f.Remove(h); got != (i >= 0) {
						t.Fatalf("step %d: Remove(%d) %v, list %v", step, h, got, want)
					}
					if i >= 0 {
						want[i] = 0
					}
				} else {
					if i := slices.Index(want, max(h, 1)); i >= 0 {
						want[i] = 0
					}
					want = append(want, max(h, 1))
					if len(want) > capacity {
						want = want[1:]
					}
					f.Push(h)
				}
				if err := f.check(); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				live := slices.DeleteFunc(slices.Clone(want), func(fp uint32) bool { return fp == 0 })
				if got := f.held(); !slices.Equal(got, live) {
					t.Fatalf("step %d: holds %v, want %v", step, got, live)
				}
			}
		})
	}
}

// held returns the fingerprints held, oldest first.
func (f *FIFO) held() []uint32 { return f.newest(len(f.ring)) }

// check verifies the invariants of the package comment.
func (f *FIFO) check() error {
	if len(f.table) != 2*len(f.ring) {
		return fmt.Errorf("table of %d for a ring of %d", len(f.table), len(f.ring))
	}
	live, seen := 0, map[uint32]bool{}
	for pos, fp := range f.ring {
		if fp == 0 {
			continue
		}
		live++
		if seen[fp] {
			return fmt.Errorf("fingerprint %d twice in the ring", fp)
		}
		seen[fp] = true
		i, ok := f.find(fp)
		if !ok || f.table[i] != uint32(pos)+1 {
			return fmt.Errorf("fingerprint %d at ring %d: table finds %v at %d", fp, pos, ok, i)
		}
	}
	entries := 0
	for _, e := range f.table {
		if e == 0 {
			continue
		}
		entries++
		if f.ring[e-1] == 0 {
			return fmt.Errorf("table entry names the empty ring slot %d", e-1)
		}
	}
	if live != f.live || entries != live {
		return fmt.Errorf("live %d, counted %d, table entries %d", f.live, live, entries)
	}
	return nil
}

func BenchmarkPushRemove(b *testing.B) {
	var f FIFO
	f.Resize(1024)
	r := rand.New(rand.NewPCG(1, 1))
	hs := make([]uint32, 4096)
	for i := range hs {
		hs[i] = r.Uint32()
	}
	b.ResetTimer()
	for i := range b.N {
		f.Push(hs[i&4095])
		f.Remove(hs[(i+7)&4095])
	}
}
