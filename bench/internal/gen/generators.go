package gen

import (
	"fmt"
	"math/rand/v2"

	"github.com/maxmem/maxmem/bench/internal/trace"
)

// All returns every generator, in report order.
func All() []Generator {
	all := []Generator{
		shifting("shift-0.5x", 0.5),
		shifting("shift-2x", 2),
		shifting("shift-10x", 10),
		{
			Name: "shift-scan",
			About: "a Zipf hot set that moves to fresh keys every 3.75 cache-sizes of requests, " +
				"with 0.75 cache-sizes of one-hit scan between moves (at 40,000 entries: every 150k requests, 30k scanned)",
			build: shiftScan,
		},
		{
			Name:  "scan-burst",
			About: "a fixed Zipf hot set; after every 4 cache-sizes of its requests, a scan of 1 cache-size of one-hit keys",
			build: scanBurst,
		},
		{
			Name:  "scan-mixed",
			About: "a fixed Zipf hot set with one-hit keys interleaved: each request is a fresh key with probability 0.3",
			build: scanMixed,
		},
		looping("loop-1.05x", 1.05),
		looping("loop-1.2x", 1.2),
		{
			Name: "recency-log",
			About: "LRU stack distances spread evenly over the orders of magnitude from 1 to 4 cache-sizes, " +
				"10 % fresh keys: recently used is likely again, frequency says nothing",
			build: func(r *rand.Rand, c, n int) []trace.Request {
				s := newStack(r, n, 0.1, logUniform(4*c))
				return unit(n, func(int) uint64 { return s.next() })
			},
		},
		{
			Name:  "recency-flat",
			About: "LRU stack distances even over 1 to 1.5 cache-sizes, 10 % fresh keys: LRU hits 60 %, frequency says nothing",
			build: func(r *rand.Rand, c, n int) []trace.Request {
				s := newStack(r, n, 0.1, uniform(c+c/2))
				return unit(n, func(int) uint64 { return s.next() })
			},
		},
		{
			Name: "mix-phases",
			About: "phases of 4 cache-sizes of requests in turn: the fixed hot set, a loop of 1.2 cache-sizes, " +
				"recency-log traffic, the hot set with 30 % one-hit keys",
			build: mixPhases,
		},
		{
			Name:  "mix-blend",
			About: "each request drawn from one source: the fixed hot set 50 %, recency-log traffic 25 %, one-hit keys 25 %",
			build: mixBlend,
		},
	}
	all = append(all, reuseGenerators()...)
	return append(all,
		sweeping("sweep-1.5x", 1.5), sweeping("sweep-2.5x", 2.5), sweeping("sweep-4x", 4), sweeping("sweep-7x", 7),
		drifting("drift-slow", 8), drifting("drift-fast", 2),
	)
}

// shifting returns a generator whose Zipf hot set moves to fresh keys every
// speed cache-sizes of requests.
func shifting(name string, speed float64) Generator {
	return Generator{
		Name:  name,
		About: fmt.Sprintf("a Zipf hot set that moves to fresh keys every %g cache-sizes of requests", speed),
		build: func(r *rand.Rand, c, n int) []trace.Request {
			h, period := newHotSet(r, c), max(int(speed*float64(c)), 1)
			return unit(n, func(i int) uint64 {
				if i > 0 && i%period == 0 {
					h.move()
				}
				return h.next()
			})
		},
	}
}

// looping returns a generator cycling over factor cache-sizes of keys.
func looping(name string, factor float64) Generator {
	return Generator{
		Name:  name,
		About: fmt.Sprintf("a loop over %g cache-sizes of keys (LRU hits nothing)", factor),
		build: func(_ *rand.Rand, c, n int) []trace.Request {
			l := loopOf(c, factor)
			return unit(n, func(int) uint64 { return l.next() })
		},
	}
}

// shiftScan: the hot set for 3.75 cache-sizes, a scan of 0.75, then the
// hot set moves.
func shiftScan(r *rand.Rand, c, n int) []trace.Request {
	h, s := newHotSet(r, c), &scan{}
	hot, cycle := max(15*c/4, 1), max(15*c/4, 1)+max(3*c/4, 1)
	return unit(n, func(i int) uint64 {
		j := i % cycle
		if j < hot {
			return h.next()
		}
		if j == cycle-1 {
			h.move() // after this request, the last of the scan
		}
		return s.next()
	})
}

// scanBurst: 4 cache-sizes of hot-set requests, then a scan of one.
func scanBurst(r *rand.Rand, c, n int) []trace.Request {
	h, s := newHotSet(r, c), &scan{}
	return unit(n, func(i int) uint64 {
		if i%(5*c) < 4*c {
			return h.next()
		}
		return s.next()
	})
}

// scanMixed: the hot set with 30 % one-hit keys.
func scanMixed(r *rand.Rand, c, n int) []trace.Request {
	h, s := newHotSet(r, c), &scan{}
	return unit(n, func(int) uint64 { return pick(r, 0.3, s.next, h.next) })
}

// pick returns a() with probability p, else b().
func pick(r *rand.Rand, p float64, a, b func() uint64) uint64 {
	if r.Float64() < p {
		return a()
	}
	return b()
}

// mixPhases rotates the hot set, a loop, recency traffic and the hot set
// with one-hit keys, 4 cache-sizes each. Each source keeps its state from
// one of its phases to the next.
func mixPhases(r *rand.Rand, c, n int) []trace.Request {
	h, l, s := newHotSet(r, c), loopOf(c, 1.2), &scan{}
	st := newStack(r, n, 0.1, logUniform(4*c))
	phases := []func() uint64{
		h.next,
		l.next,
		st.next,
		func() uint64 { return pick(r, 0.3, s.next, h.next) },
	}
	return unit(n, func(i int) uint64 { return phases[i/(4*c)%len(phases)]() })
}

// mixBlend draws each request from the hot set (50 %), recency traffic
// (25 %) or one-hit keys (25 %).
func mixBlend(r *rand.Rand, c, n int) []trace.Request {
	h, s := newHotSet(r, c), &scan{}
	st := newStack(r, n, 0.1, logUniform(4*c))
	return unit(n, func(int) uint64 {
		switch u := r.Float64(); {
		case u < 0.5:
			return h.next()
		case u < 0.75:
			return st.next()
		}
		return s.next()
	})
}
