package reads

import (
	"sync"
	"testing"
)

// Counts from many goroutines add up, and Reset zeroes them.
func TestCountsAddUp(t *testing.T) {
	var r Counts
	r.Init(1)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				r.Count((i+g)%3 == 0)
			}
		})
	}
	wg.Wait()
	if hits, misses := r.Totals(); hits+misses != 8000 || hits < 2600 || hits > 2800 {
		t.Fatalf("hits %d, misses %d", hits, misses)
	}
	r.Reset()
	if hits, misses := r.Totals(); hits+misses != 0 {
		t.Fatal("Reset left counts")
	}
	if r.Rand() == r.Rand() && r.Rand() == r.Rand() {
		t.Fatal("Rand repeats")
	}
}
