package tinylfu

import (
	"math/rand/v2"
	"testing"
)

func TestZeroSketchCountsNothing(t *testing.T) {
	var s Sketch
	s.Increment(42)
	if got := s.Estimate(42); got != 0 || s.Bytes() != 0 || s.Capacity() != 0 {
		t.Fatalf("zero sketch: estimate %d, %d bytes, capacity %d", got, s.Bytes(), s.Capacity())
	}
}

func TestSizeFollowsCapacity(t *testing.T) {
	for _, tc := range []struct {
		capacity int
		bytes    int64
	}{{0, 8}, {1, 8}, {8, 8}, {9, 16}, {32, 32}, {33, 64}, {64, 64}, {65, 128}, {1000, 1024}, {1 << 20, 1 << 20}} {
		var s Sketch
		s.Resize(tc.capacity)
		if s.Bytes() != tc.bytes || sketchBytesFor(tc.capacity) != tc.bytes {
			t.Errorf("capacity %d: %d bytes (BytesFor %d), want %d", tc.capacity, s.Bytes(), sketchBytesFor(tc.capacity), tc.bytes)
		}
	}
}

func TestEstimateCountsAndSaturates(t *testing.T) {
	var s Sketch
	s.Resize(1000)
	h := rand.Uint64()
	for want := 1; want <= 20; want++ {
		s.Increment(h)
		if got := s.Estimate(h); got != min(want, 15) {
			t.Fatalf("after %d increments: estimate %d", want, got)
		}
	}
}

func TestEstimatesSeparateHotFromCold(t *testing.T) {
	var s Sketch
	s.Resize(1000)
	r := rand.New(rand.NewPCG(1, 2))
	hot := make([]uint64, 100)
	for i := range hot {
		hot[i] = r.Uint64()
	}
	for range 5 {
		for _, h := range hot {
			s.Increment(h)
		}
	}
	wrong := 0
	for range 1000 {
		if s.Estimate(r.Uint64()) >= 5 {
			wrong++
		}
	}
	for _, h := range hot {
		if s.Estimate(h) < 5 {
			t.Fatalf("a hot key estimated %d < 5", s.Estimate(h))
		}
	}
	if wrong > 10 {
		t.Fatalf("%d of 1000 unseen keys look hot", wrong)
	}
}

func TestHalvesAfterPeriod(t *testing.T) {
	var s Sketch
	s.Resize(10) // one block of two words, period 50
	h := uint64(0xdeadbeef)
	for range 8 {
		s.Increment(h)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; s.additions < s.period-1; i++ { // others' increments fill the period
		if i == s.period {
			t.Fatalf("%d increments and the period of %d is not full", i, s.period)
		}
		s.Increment(r.Uint64())
	}
	before := s.Estimate(h)
	for i := 0; s.additions == s.period-1; i++ {
		if i == s.period {
			t.Fatalf("%d increments and the full period was not halved", i)
		}
		s.Increment(r.Uint64())
	}
	if s.additions != s.period/2 {
		t.Fatalf("additions %d after halving, want %d", s.additions, s.period/2)
	}
	if got := s.Estimate(h); got != before/2 {
		t.Fatalf("after halving: estimate %d, want %d", got, before/2)
	}
}

func BenchmarkIncrement(b *testing.B) {
	var s Sketch
	s.Resize(1 << 16)
	r := rand.New(rand.NewPCG(1, 1))
	hs := make([]uint64, 4096)
	for i := range hs {
		hs[i] = r.Uint64()
	}
	b.ResetTimer()
	for i := range b.N {
		s.Increment(hs[i&4095])
	}
}

// Only increments that change a counter count towards the halving period:
// a key whose counters are all saturated can be counted forever without
// aging the sketch.
func TestSaturatedIncrementsDoNotAge(t *testing.T) {
	var s Sketch
	s.Resize(100) // period 500
	h := uint64(0x1234567)
	for range 15 {
		s.Increment(h)
	}
	before := s.additions
	for range 10 * s.period {
		s.Increment(h)
	}
	if s.additions != before || s.Estimate(h) != 15 {
		t.Fatalf("additions %d, was %d; estimate %d", s.additions, before, s.Estimate(h))
	}
	if s.period != AgingFactor*100 {
		t.Fatalf("period %d, want %d", s.period, AgingFactor*100)
	}
}
