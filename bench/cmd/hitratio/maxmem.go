package main

import "github.com/maxmem/maxmem/bench/internal/sim"

// maxmemFactories returns maxmem under each of its policies, and
// allkeys-tinylfu once more with its sketch inside the budget of N entries.
func maxmemFactories() []sim.Factory {
	var fs []sim.Factory
	for _, p := range sim.MaxmemPolicies {
		fs = append(fs, sim.MaxmemFactory(p))
	}
	return append(fs, sim.MaxmemStrictFactory("allkeys-tinylfu"))
}
