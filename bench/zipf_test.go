package bench

import "testing"

// TestZipfSkew checks that the generator is skewed the way a Zipf(0.99)
// distribution is: the top rank takes a large share, and every rank
// stays in range.
func TestZipfSkew(t *testing.T) {
	const n, draws = 1000, 200000
	z := NewZipf(n, ZipfTheta, 1)
	counts := make([]int, n)
	for i := 0; i < draws; i++ {
		r := z.Next()
		if r < 0 || r >= n {
			t.Fatalf("rank %d out of [0, %d)", r, n)
		}
		counts[r]++
	}
	// P(rank 0) = 1/zeta(1000, 0.99), about 0.13.
	share := float64(counts[0]) / draws
	if share < 0.11 || share > 0.15 {
		t.Errorf("share of rank 0 = %.3f, want about 0.13", share)
	}
	if counts[0] <= counts[1] || counts[1] <= counts[10] || counts[10] <= counts[500] {
		t.Errorf("counts not decreasing: %d %d %d %d", counts[0], counts[1], counts[10], counts[500])
	}
}

// TestScrambledZipfRange checks the scrambled generator stays in range.
func TestScrambledZipfRange(t *testing.T) {
	s := NewScrambledZipf(10922, 7)
	for i := 0; i < 100000; i++ {
		if v := s.Next(); v < 0 || v >= 10922 {
			t.Fatalf("item %d out of range", v)
		}
	}
}

// TestFixedKey checks the 16-byte key format.
func TestFixedKey(t *testing.T) {
	for _, c := range []struct {
		i    int
		want string
	}{{0, "k000000000000000"}, {42, "k000000000000042"}, {999999999999999, "k999999999999999"}} {
		if got := FixedKey(c.i); got != c.want {
			t.Errorf("FixedKey(%d) = %q, want %q", c.i, got, c.want)
		}
	}
}
