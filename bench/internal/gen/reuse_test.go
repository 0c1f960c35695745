package gen

import (
	"math"
	"testing"
)

// TestReuse: every reuse key is requested once or twice; about half come
// back, each after 1 % to half a cache-size of requests (a little later
// when returns queue up); an LRU of the cache's size hits every return,
// a third of the requests.
func TestReuse(t *testing.T) {
	const c = 1000
	reqs := mustLookup(t, "reuse").Requests(c)
	first, count := map[uint64]int{}, map[uint64]int{}
	late := 0
	for i, r := range reqs {
		if nsOf(r.Key) != nsReuse {
			t.Fatalf("request %d in namespace %d", i, nsOf(r.Key))
		}
		count[r.Key]++
		if j, ok := first[r.Key]; ok {
			gap := i - j
			if gap < 10 {
				t.Fatalf("request %d: key back after %d requests, under 1 %% of the cache", i, gap)
			}
			if gap > c/2+1 {
				late++
			}
			continue
		}
		first[r.Key] = i
	}
	back := 0
	for k, n := range count {
		if n > 2 {
			t.Fatalf("key %x requested %d times", k, n)
		}
		back += n - 1
	}
	if share := float64(back) / float64(len(count)); math.Abs(share-0.5) > 0.01 {
		t.Errorf("%.3f of the keys come back, want 0.5", share)
	}
	if late > back/100 {
		t.Errorf("%d of %d returns later than half a cache-size", late, back)
	}
	if h := lruHit(reqs, c); math.Abs(h-100.0/3) > 0.5 {
		t.Errorf("LRU of the cache's size hits %.2f %%, want 33.3", h)
	}
}

// TestReuseHot: 40 % of the requests go to the hot set; a reuse key is
// requested at most three times.
func TestReuseHot(t *testing.T) {
	reqs := mustLookup(t, "reuse-hot").Requests(400)
	if got := shares(reqs); math.Abs(got[nsHot]-0.4) > 0.01 || math.Abs(got[nsReuse]-0.6) > 0.01 {
		t.Errorf("shares %v, want hot 0.4, reuse 0.6", got)
	}
	count := map[uint64]int{}
	for _, r := range reqs {
		if nsOf(r.Key) == nsReuse {
			if count[r.Key]++; count[r.Key] > 3 {
				t.Fatalf("reuse key %x requested %d times", r.Key, count[r.Key])
			}
		}
	}
}

// TestSweeps: sweeps over round(f × capacity) keys that bounce between
// the first and the last key; at each turn an LRU of the cache's size
// hits the capacity - 1 keys it just saw, none in the middle of a sweep.
func TestSweeps(t *testing.T) {
	for _, tc := range []struct {
		name string
		c, k int
	}{{"sweep-1.5x", 100, 150}, {"sweep-2.5x", 40, 100}, {"sweep-4x", 100, 400}, {"sweep-7x", 16, 112}} {
		reqs := mustLookup(t, tc.name).Requests(tc.c)
		for i, r := range reqs {
			j := i % (2*tc.k - 2)
			want := j
			if j >= tc.k {
				want = 2*tc.k - 2 - j
			}
			if r.Key != nsLoop.key(1, want) {
				t.Fatalf("%s@%d: request %d is %x, want key %d", tc.name, tc.c, i, r.Key, want)
			}
		}
		want := 100 * float64(tc.c-1) / float64(tc.k-1)
		if h := lruHit(reqs, int64(tc.c)); math.Abs(h-want) > 0.5 {
			t.Errorf("%s@%d: LRU %.2f %%, want %.2f", tc.name, tc.c, h, want)
		}
	}
}

// TestDrift: every request names one of the 16N keys of the current
// ranking (the newest id minus the rank), the newest as often as rank 0
// is drawn.
func TestDrift(t *testing.T) {
	for _, tc := range []struct {
		name  string
		every int
	}{{"drift-slow", 8}, {"drift-fast", 2}} {
		const c = 100
		reqs := mustLookup(t, tc.name).Requests(c)
		top := 0
		for i, r := range reqs {
			if nsOf(r.Key) != nsDrift {
				t.Fatalf("%s: request %d in namespace %d", tc.name, i, nsOf(r.Key))
			}
			newest := i/tc.every + hotKeysPerEntry*c - 1
			id := int(r.Key & (1<<28 - 1))
			if id > newest || id <= newest-hotKeysPerEntry*c {
				t.Fatalf("%s: request %d is key %d, outside the ranking (newest %d)", tc.name, i, id, newest)
			}
			if id == newest {
				top++
			}
		}
		// Rank 0 is drawn with probability 1/H(16c, 1.1).
		h := 0.0
		for i := 1; i <= hotKeysPerEntry*c; i++ {
			h += math.Pow(float64(i), -hotSkew)
		}
		if got := float64(top) / float64(len(reqs)); math.Abs(got-1/h) > 0.01 {
			t.Errorf("%s: rank 0 drawn %.3f of the time, want %.3f", tc.name, got, 1/h)
		}
	}
}
