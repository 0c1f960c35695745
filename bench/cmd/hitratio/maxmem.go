package main

import "github.com/maxmem/maxmem/bench/internal/sim"

// maxmemFactories returns maxmem under each of its ten policies.
func maxmemFactories() []sim.Factory {
	var fs []sim.Factory
	for _, p := range sim.MaxmemPolicies {
		fs = append(fs, sim.MaxmemFactory(p))
	}
	return fs
}
