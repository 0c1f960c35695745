package shard

// The eviction pool, as Redis's evict.c keeps it: each eviction samples a
// few entries and offers them to a pool of the sixteen best candidates
// seen so far, then evicts the pool's best. The pool carries good
// candidates from one eviction to the next, so a handful of samples per
// eviction approximates the policy's ideal victim closely.
//
// A pooled candidate may be stale: touched, rewritten or removed since it
// was sampled, or moved to another slot. Each one records the entry's hash
// bits and the word its rank came from (its access word, or its write
// stamp), and is evicted only if both still match; stale ones are
// dropped. (Redis evicts a pooled key that was touched since.)

// poolSize is the number of candidates kept, as Redis's EVPOOL_SIZE.
const poolSize = 16

// candidate is one pooled entry.
type candidate struct {
	slot, hash uint32
	version    uint32 // the word its rank came from
	rank       uint64 // higher goes first
}

// pool holds up to poolSize candidates, unordered.
type pool struct {
	n int
	c [poolSize]candidate
}

func (p *pool) reset() { p.n = 0 }

// offer adds c, dropping the lowest ranked candidate if the pool is full
// and c ranks above it. A candidate for a slot already pooled replaces it.
func (p *pool) offer(c candidate) {
	low := 0
	for i := range p.n {
		if p.c[i].slot == c.slot {
			p.c[i] = c
			return
		}
		if p.c[i].rank < p.c[low].rank {
			low = i
		}
	}
	switch {
	case p.n < poolSize:
		p.c[p.n] = c
		p.n++
	case c.rank > p.c[low].rank:
		p.c[low] = c
	}
}

// best returns the position of the highest ranked candidate; -1 if none.
func (p *pool) best() int {
	b := -1
	for i := range p.n {
		if b < 0 || p.c[i].rank > p.c[b].rank {
			b = i
		}
	}
	return b
}

// take removes the candidate at position i and returns it.
func (p *pool) take(i int) candidate {
	c := p.c[i]
	p.n--
	p.c[i] = p.c[p.n]
	return c
}
