// Package gen generates adversarial cache workloads: synthetic request
// streams built to find where a policy collapses, replayed next to the real
// traces.
//
// Every generator is parameterised by the cache size it is replayed
// against, so that its shape holds at every size: a loop is always 1.2
// times the cache, a hot set always moves every 2 cache-sizes of requests.
// Each stream is deterministic: its seed is fixed by the generator's name
// and the cache size, so every run, and every cache of one run, sees the
// same requests.
//
// Keys of different sources never collide: the top byte of a key names its
// source (see namespace), and sources that move to fresh keys put a phase
// number in the bits above the rank.
package gen

import (
	"hash/fnv"
	"math/rand/v2"

	"github.com/maxmem/maxmem/bench/internal/trace"
)

// Generator is one synthetic workload.
type Generator struct {
	// Name labels the workload in tables and charts.
	Name string
	// About says in one sentence what the workload does and whom it hurts.
	About string
	// build fills n requests for a cache of capacity entries, drawing
	// randomness from r.
	build func(r *rand.Rand, capacity, n int) []trace.Request
}

// Sizes are the cache sizes, in entries, every generator is replayed at:
// three very small caches (at most 100 entries) up to the 40,000.
var Sizes = []int64{16, 40, 100, 400, 2000, 8000, 20000, 40000}

// Length returns how many requests a workload has for a cache of capacity
// entries: 50 cache-sizes, at least 200,000 and at most 2,000,000, so a
// small cache sees many of its phases and a run stays short.
func Length(capacity int) int {
	return min(max(50*capacity, minLength), maxLength)
}

// The bounds of Length.
const (
	minLength = 200_000
	maxLength = 2_000_000
)

// Requests returns the workload for a cache of capacity entries (at least
// 1): Length(capacity) unit-size requests.
func (g Generator) Requests(capacity int) []trace.Request {
	capacity = max(capacity, 1)
	return g.build(g.rng(capacity), capacity, Length(capacity))
}

// rng returns the generator's random source for capacity: seeded from its
// name and the capacity only.
func (g Generator) rng(capacity int) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(g.Name))
	return rand.New(rand.NewPCG(h.Sum64(), uint64(capacity)))
}

// Lookup returns the generator named name.
func Lookup(name string) (Generator, bool) {
	for _, g := range All() {
		if g.Name == name {
			return g, true
		}
	}
	return Generator{}, false
}

// unit returns n requests of size 1 for the keys next produces.
func unit(n int, next func(i int) uint64) []trace.Request {
	out := make([]trace.Request, n)
	for i := range out {
		out[i] = trace.Request{Key: next(i), Size: 1}
	}
	return out
}
