package budget

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// checkInvariant verifies reserved == Σ (charged + held) with no write in
// flight, and used <= max.
func checkInvariant(t *testing.T, b *Budget, leases []Lease) {
	t.Helper()
	var sum int64
	for i := range leases {
		sum += leases[i].Charged() + leases[i].held
	}
	if r := b.Reserved(); r != sum {
		t.Fatalf("reserved %d, leases hold %d", r, sum)
	}
	if m := b.Max(); m > 0 && b.Used() > m {
		t.Fatalf("used %d over max %d", b.Used(), m)
	}
}

// Against a sequential model: a lease takes what fits and nothing else,
// and what is charged never passes max, whatever the chunks.
func TestTakeAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const max = 10_000
	b, leases := New(max, 4)
	var charged [4]int64
	for range 20_000 {
		i := r.IntN(4)
		l := &leases[i]
		switch n := int64(r.IntN(300)); {
		case r.IntN(3) == 0 && charged[i] > 0:
			n = min(n, charged[i])
			l.Release(n)
			charged[i] -= n
		default:
			var total int64
			for _, c := range charged {
				total += c
			}
			ok := l.Take(n)
			if !ok && total+n <= max && !b.Tight() {
				// A failed draw with room left means chunks held elsewhere:
				// the cache tightens and collects them, then it fits.
				if !b.Tighten() {
					t.Fatalf("Take(%d) failed with %d of %d charged, budget already tight", n, total, max)
				}
				for j := range leases {
					leases[j].Return()
				}
				ok = l.Take(n)
			}
			if ok {
				charged[i] += n
			}
			if ok != (total+n <= max) && b.Tight() {
				t.Fatalf("Take(%d) = %v with %d of %d charged and the budget tight", n, ok, total, max)
			}
		}
		l.Settle()
		checkInvariant(t, b, leases)
	}
}

// Under concurrent shards the charges never pass max and the books
// balance at the end.
func TestConcurrentLeases(t *testing.T) {
	const max = 50_000
	b, leases := New(max, 8)
	var mus [8]sync.Mutex
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 3))
			var mine [8]int64
			for range 20_000 {
				i := r.IntN(8)
				mus[i].Lock()
				l := &leases[i]
				if n := int64(r.IntN(500)); r.IntN(2) == 0 && mine[i] >= n {
					l.Release(n)
					mine[i] -= n
				} else if l.Take(n) {
					mine[i] += n
				}
				if u := b.Used(); u > max {
					t.Errorf("used %d over max %d", u, max)
				}
				l.Settle()
				mus[i].Unlock()
			}
		})
	}
	wg.Wait()
	checkInvariant(t, b, leases)
}

// A credit handed over stays reserved until absorbed or given back.
func TestHandOverAndAbsorb(t *testing.T) {
	b, leases := New(1000, 2)
	if !leases[0].Take(600) {
		t.Fatal("Take(600) of 1000 failed")
	}
	credit := leases[0].HandOver(600)
	if b.Used() != 0 || b.Reserved() < 600 {
		t.Fatalf("after HandOver: used %d, reserved %d", b.Used(), b.Reserved())
	}
	leases[1].Absorb(&credit)
	if credit != 0 || !leases[1].Take(600) {
		t.Fatal("the absorbed credit did not pay for 600 bytes")
	}
	checkInvariant(t, b, leases)
}

// Lowering the limit below what is reserved makes the budget tight; a
// raised limit wakes waiters.
func TestSetLimit(t *testing.T) {
	b, leases := New(0, 1)
	leases[0].Take(900)
	b.SetLimit(1000)
	if !b.Tight() {
		t.Fatal("900 of 1000 reserved and not tight")
	}
	room := b.RoomChan()
	b.SetLimit(2000)
	select {
	case <-room:
	default:
		t.Fatal("raising the limit did not signal room")
	}
}

// A write's charge and a removal's release on one lease, the shared
// counter touched only once a chunk is used up; alone, and with every
// processor doing the same on a lease of its own.
func BenchmarkTakeRelease(b *testing.B) {
	b.Run("one", func(b *testing.B) {
		_, leases := New(1<<30, 1)
		for b.Loop() {
			if !leases[0].Take(80) {
				b.Fatal("refused")
			}
			leases[0].Release(80)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		_, leases := New(1<<30, runtime.GOMAXPROCS(0)) // a lease per goroutine of RunParallel
		var next sync.Mutex
		n := 0
		b.RunParallel(func(pb *testing.PB) {
			next.Lock()
			l := &leases[n]
			n++
			next.Unlock()
			for pb.Next() {
				if !l.Take(80) {
					b.Error("refused")
					return
				}
				l.Release(80)
			}
		})
	})
}
