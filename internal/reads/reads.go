// Package reads counts a cache's keyspace hits and misses, which Gets
// record without a lock, in stripes, one per processor, and keeps the
// cache's own random source, for the choices it makes outside any shard.
//
// Invariant: the hits (misses) counted are the sum over the stripes.
package reads

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/maxmem/maxmem/internal/proc"
)

// Counts counts the keyspace hits and misses of Gets. Gets take no lock,
// so the counts are striped: a Get adds to the stripe of the processor it
// runs on, so that Gets running side by side write different cache lines,
// and Totals sums the stripes. Init readies it.
type Counts struct {
	stripes []stripe
	mu      sync.Mutex // guards rng
	rng     rand.PCG   // the cache's own random choices, outside any shard
}

// stripe is one processor's counts, on a cache line of its own.
type stripe struct {
	hits, misses atomic.Uint64
	_            [cacheLine - 16]byte
}

// cacheLine pads what different cores write.
const cacheLine = 64

// maxStripes bounds the stripes.
const maxStripes = 64

// Init sizes the stripes: one per processor that runs Go code, rounded up
// to a power of two, at most maxStripes; processors beyond share.
func (r *Counts) Init(seed uint64) {
	r.stripes = make([]stripe, proc.Stripes(maxStripes))
	r.rng.Seed(seed, 0)
}

// Count counts one Get.
func (r *Counts) Count(hit bool) {
	p := proc.Pin()
	proc.Unpin()
	st := &r.stripes[p&(len(r.stripes)-1)]
	if hit {
		st.hits.Add(1)
	} else {
		st.misses.Add(1)
	}
}

// Totals returns the hits and misses counted.
func (r *Counts) Totals() (hits, misses uint64) {
	for i := range r.stripes {
		hits += r.stripes[i].hits.Load()
		misses += r.stripes[i].misses.Load()
	}
	return hits, misses
}

// Reset zeroes the counts.
func (r *Counts) Reset() {
	for i := range r.stripes {
		r.stripes[i].hits.Store(0)
		r.stripes[i].misses.Store(0)
	}
}

// Rand returns a random number from the cache's seeded source.
func (r *Counts) Rand() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rng.Uint64()
}
