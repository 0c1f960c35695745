package gen

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/maxmem/maxmem/bench/internal/trace"
)

// reuser makes steady reuse: fresh keys, some of which come back a set
// number of times, each after a gap of requests drawn log-uniformly
// between lo and hi. A return that falls due is requested before any fresh
// key; returns due at the same time wait their turn.
type reuser struct {
	r        *rand.Rand
	lo, hi   float64 // the gap's bounds, in requests
	pReturn  float64 // a fresh key's probability of coming back
	returns  int     // how many times a returning key comes back
	now      int     // requests made by this source so far
	fresh    int
	schedule dueHeap
}

// newReuser returns a reuser for a cache of capacity entries whose keys
// come back after 1 % to half a cache-size of requests.
func newReuser(r *rand.Rand, capacity int, pReturn float64, returns int) *reuser {
	return &reuser{
		r: r, pReturn: pReturn, returns: returns,
		lo: math.Max(0.01*float64(capacity), 2), hi: math.Max(0.5*float64(capacity), 4),
	}
}

// next returns the next key: a return that is due, or a fresh key.
func (u *reuser) next() uint64 {
	u.now++
	if len(u.schedule) > 0 && u.schedule[0].at <= u.now {
		d := heap.Pop(&u.schedule).(due)
		u.plan(d.key, d.left)
		return d.key
	}
	k := nsReuse.key(u.fresh>>28, u.fresh&(1<<28-1))
	u.fresh++
	if u.r.Float64() < u.pReturn {
		u.plan(k, u.returns)
	}
	return k
}

// plan schedules key's next return, if it has left ones.
func (u *reuser) plan(key uint64, left int) {
	if left == 0 {
		return
	}
	gap := math.Exp(math.Log(u.lo) + u.r.Float64()*(math.Log(u.hi)-math.Log(u.lo)))
	heap.Push(&u.schedule, due{at: u.now + int(gap), key: key, left: left - 1})
}

// due is a scheduled return: key comes back at request at, then left more
// times.
type due struct {
	at   int
	key  uint64
	left int
}

// dueHeap orders returns by time.
type dueHeap []due

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(due)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// reuseGenerators returns the steady-reuse generators.
func reuseGenerators() []Generator {
	return []Generator{
		{
			Name: "reuse",
			About: "steady reuse, as the Corda vault service: half the fresh keys come back once, " +
				"after 1 % to half a cache-size of requests (log-uniform); LRU hits every return (33 %), frequency says little",
			build: func(r *rand.Rand, c, n int) []trace.Request {
				u := newReuser(r, c, 0.5, 1)
				return unit(n, func(int) uint64 { return u.next() })
			},
		},
		{
			Name: "reuse-hot",
			About: "the fixed hot set 40 %, and steady reuse 60 %: half its fresh keys come back twice, " +
				"each after 1 % to half a cache-size of the reuse source's requests",
			build: func(r *rand.Rand, c, n int) []trace.Request {
				h, u := newHotSet(r, c), newReuser(r, c, 0.5, 2)
				return unit(n, func(int) uint64 { return pick(r, 0.4, h.next, u.next) })
			},
		},
	}
}

// sweeping returns a generator sweeping over factor cache-sizes of keys,
// forwards then backwards.
func sweeping(name string, factor float64) Generator {
	return Generator{
		Name: name,
		About: fmt.Sprintf("sweeps over %g cache-sizes of keys, alternating direction (0 to K-1, then back to 1): "+
			"at each turn the most recent keys come first", factor),
		build: func(_ *rand.Rand, c, n int) []trace.Request {
			k := max(int(math.Round(factor*float64(c))), c+2)
			return unit(n, func(i int) uint64 { return nsLoop.key(1, bounce(i, k)) })
		},
	}
}

// bounce returns the i-th key of sweeps over k keys that alternate
// direction without repeating the end keys: 0, 1, ..., k-1, k-2, ..., 1,
// 0, 1, ...
func bounce(i, k int) int {
	j := i % (2*k - 2)
	if j < k {
		return j
	}
	return 2*k - 2 - j
}

// drifting returns a generator whose Zipf ranking moves to a new key every
// every requests: the newest key is the most popular, and each key cools
// down one rank at a time until it leaves the 16N ranks.
func drifting(name string, every int) Generator {
	return Generator{
		Name: name,
		About: fmt.Sprintf("a Zipf ranking (16 cache-sizes of keys, skew %g) that rotates: every %d requests a new key "+
			"takes rank 0 and every other key moves down one rank", hotSkew, every),
		build: func(r *rand.Rand, c, n int) []trace.Request {
			z := newZipf(r, hotKeysPerEntry*c, hotSkew)
			return unit(n, func(i int) uint64 { return nsDrift.key(0, driftID(i, every, z.rank(), len(z.cdf))) })
		},
	}
}

// driftID is the key of rank rank at request i of a ranking of keys ranks
// that takes a new key every every requests.
func driftID(i, every, rank, keys int) int { return i/every + keys - 1 - rank }
