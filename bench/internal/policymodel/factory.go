package policymodel

import (
	"fmt"

	"github.com/maxmem/maxmem/bench/internal/sim"
)

// Policy is a named model policy.
type Policy struct {
	// Name labels the policy in tables ("model " is prefixed there).
	Name string
	// About describes the policy in one line.
	About string
	// make returns the policy's state for cache c.
	make func(c *Cache) policy
}

// Factory returns a factory replaying p under the simulator's rules, as
// maxmem is replayed: on entry-count traces a cache of N entries gets N
// times (overhead + 1) bytes, plus, unless inside, the policy's own bytes
// for N entries (measured by filling a roomy cache with N entries), as
// maxmem's main row does; inside, the policy's bytes come out of the N
// entries' budget. On weighted traces the budget is the capacity in bytes
// and each entry is charged its size plus overhead.
func Factory(p Policy, overhead int64, inside bool) sim.Factory {
	name := "model " + p.Name
	if inside {
		name += " (policy memory inside N)"
	}
	return sim.Factory{
		Name:     name,
		Weighted: true,
		New: func(s sim.Spec) (sim.Cache, error) {
			cfg, err := budgetFor(p, s, overhead, inside)
			if err != nil {
				return nil, err
			}
			return p.New(cfg), nil
		},
	}
}

// budgetFor returns the configuration of p's cache for spec.
func budgetFor(p Policy, s sim.Spec, overhead int64, inside bool) (Config, error) {
	if s.Capacity <= 0 {
		return Config{}, fmt.Errorf("model %s: capacity %d", p.Name, s.Capacity)
	}
	if s.Weighted {
		return Config{Budget: s.Capacity, Overhead: overhead, Weighted: true}, nil
	}
	cfg := Config{Budget: s.Capacity * (overhead + 1), Overhead: overhead}
	if !inside {
		cfg.Budget += PolicyMemory(p, cfg, s.Capacity)
	}
	return cfg, nil
}

// PolicyMemory returns the bytes p keeps beside n entries in a cache
// configured as cfg, which depend a little on the budget: measured with a
// half more first, so that nothing is evicted, then with cfg's budget plus
// that.
func PolicyMemory(p Policy, cfg Config, n int64) int64 {
	probe := func(budget int64) int64 {
		c := p.New(Config{Budget: budget, Overhead: cfg.Overhead, Weighted: cfg.Weighted})
		for k := range uint64(n) {
			c.Set(k, 1)
		}
		return c.PolicyBytes()
	}
	extra := probe(cfg.Budget + cfg.Budget/2)
	if extra == 0 {
		return 0
	}
	return probe(cfg.Budget + extra)
}
