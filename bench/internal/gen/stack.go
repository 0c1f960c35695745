package gen

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// stack generates recency-biased traffic by LRU stack distance: each
// request is either a fresh key or the key at a drawn depth of the LRU
// stack (depth 1 is the most recently requested distinct key). An LRU
// cache of N entries hits exactly the requests whose depth is at most N,
// so the depth law sets LRU's hit ratio, while every key is as likely to
// return as any other at its depth: how often a key was requested before
// says nothing about its future, which is what frequency-based policies
// bet on.
//
// The stack is a Fenwick tree over request times marking, for each
// distinct key, the time of its latest request; the key at depth d is the
// one at the d-th latest marked time.
type stack struct {
	r      *rand.Rand
	tree   []int32  // Fenwick tree over times 1..len-1
	keys   []uint64 // keys[t]: the key requested at time t
	now    int      // requests made so far
	marked int      // distinct keys requested so far
	pNew   float64  // probability of a fresh key
	depth  func(r *rand.Rand) int
}

// newStack returns a stack for n requests: with probability pNew a fresh
// key, otherwise the key at depth drawn by depth (a fresh key too when the
// stack is not that deep yet).
func newStack(r *rand.Rand, n int, pNew float64, depth func(r *rand.Rand) int) *stack {
	return &stack{r: r, tree: make([]int32, n+1), keys: make([]uint64, n+1), pNew: pNew, depth: depth}
}

// next returns the next key and moves it to the top of the stack.
func (s *stack) next() uint64 {
	s.now++
	var k uint64
	if d := s.depth(s.r); s.r.Float64() >= s.pNew && d <= s.marked {
		t := s.find(s.marked - d + 1)
		k = s.keys[t]
		s.add(t, -1)
	} else {
		k = nsStack.key(s.marked>>28, s.marked&(1<<28-1))
		s.marked++
	}
	s.keys[s.now] = k
	s.add(s.now, 1)
	return k
}

// add adds v at time t.
func (s *stack) add(t int, v int32) {
	for ; t < len(s.tree); t += t & -t {
		s.tree[t] += v
	}
}

// find returns the time of the k-th marked time (1-based, oldest first).
func (s *stack) find(k int) int {
	t := 0
	for step := 1 << (bits.Len(uint(len(s.tree))) - 1); step > 0; step >>= 1 {
		if next := t + step; next < len(s.tree) && int(s.tree[next]) < k {
			t = next
			k -= int(s.tree[next])
		}
	}
	return t + 1
}

// logUniform returns a depth law spread evenly over the orders of
// magnitude from 1 to hi: as many reuses at depth 1-10 as at 10-100.
func logUniform(hi int) func(r *rand.Rand) int {
	l := math.Log(float64(hi) + 1)
	return func(r *rand.Rand) int { return max(int(math.Exp(r.Float64()*l)), 1) }
}

// uniform returns a depth law even over 1..hi.
func uniform(hi int) func(r *rand.Rand) int {
	return func(r *rand.Rand) int { return 1 + r.IntN(hi) }
}
