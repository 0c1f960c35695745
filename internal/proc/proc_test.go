package proc

import (
	"runtime"
	"testing"
)

func TestPinIsAProcessor(t *testing.T) {
	for range 1000 {
		p := Pin()
		Unpin()
		if p < 0 || p >= runtime.GOMAXPROCS(0) {
			t.Fatalf("Pin() = %d with GOMAXPROCS %d", p, runtime.GOMAXPROCS(0))
		}
	}
}

func TestStripes(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range []struct{ procs, max, want int }{
		{1, 64, 1}, {2, 64, 2}, {3, 64, 4}, {8, 64, 8}, {9, 64, 16}, {100, 64, 64}, {5, 4, 4},
	} {
		runtime.GOMAXPROCS(tc.procs)
		if got := Stripes(tc.max); got != tc.want {
			t.Errorf("Stripes(%d) with %d processors = %d, want %d", tc.max, tc.procs, got, tc.want)
		}
	}
}
