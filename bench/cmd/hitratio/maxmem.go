package main

import (
	"fmt"
	"strings"

	"github.com/maxmem/maxmem/bench/internal/policymodel"
	"github.com/maxmem/maxmem/bench/internal/sim"
)

// maxmemFactories returns maxmem under each of its policies, and
// allkeys-tinylfu once more with its sketch and judge inside the budget of N
// entries.
func maxmemFactories() []sim.Factory {
	var fs []sim.Factory
	for _, p := range sim.MaxmemPolicies {
		fs = append(fs, sim.MaxmemFactory(p))
	}
	return append(fs, sim.MaxmemStrictFactory("allkeys-tinylfu"))
}

// modelFactories returns the policy models -models names ("all": every
// one), each with its memory beside N entries' budget and inside it, with
// maxmem's per-entry overhead.
func modelFactories(cfg config) ([]sim.Factory, error) {
	if cfg.models == "" {
		return nil, nil
	}
	overhead, err := sim.MaxmemOverhead()
	if err != nil {
		return nil, err
	}
	var fs []sim.Factory
	for _, p := range selectModels(cfg.models) {
		fs = append(fs, policymodel.ShardedFactory(p, overhead, false, cfg.modelShards),
			policymodel.ShardedFactory(p, overhead, true, cfg.modelShards))
	}
	if len(fs) == 0 {
		return nil, fmt.Errorf("-models %q names no model (have %s)", cfg.models, modelNames())
	}
	return fs, nil
}

// selectModels returns the models named in the comma-separated list.
func selectModels(list string) []policymodel.Policy {
	var out []policymodel.Policy
	for _, p := range policymodel.Policies() {
		for _, want := range strings.Split(list, ",") {
			if want = strings.TrimSpace(want); want == "all" || want == p.Name {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// modelNames lists the models' names.
func modelNames() string {
	var names []string
	for _, p := range policymodel.Policies() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ",")
}
