package policymodel

import (
	"fmt"

	"github.com/maxmem/maxmem/bench/internal/sim"
)

// sharded is a cache split into shards that share nothing: each holds an
// equal part of the budget under its own policy state, and a key always
// goes to the shard its hash picks. It models a core that evicts from the
// writer's shard only, with fixed leases: the least favourable case for a
// small budget, where every shard keeps its own sketch, ghosts, judge and
// window.
type sharded struct {
	shards []*Cache
}

// ShardedFactory is Factory with the budget split into shards equal parts
// (a shard of an entry-count trace holds capacity/shards entries, the
// remainder spread over the first ones).
func ShardedFactory(p Policy, overhead int64, inside bool, shards int) sim.Factory {
	f := Factory(p, overhead, inside)
	if shards <= 1 {
		return f
	}
	f.Name = fmt.Sprintf("%s ×%d shards", f.Name, shards)
	f.New = func(s sim.Spec) (sim.Cache, error) {
		c := &sharded{}
		for i := range int64(shards) {
			part := s
			part.Capacity = s.Capacity / int64(shards)
			if i < s.Capacity%int64(shards) {
				part.Capacity++
			}
			part.Items = max(part.Capacity, 1)
			if s.Weighted {
				part.Items = max(s.Items/int64(shards), 1)
			}
			cfg, err := budgetFor(p, part, overhead, inside)
			if err != nil {
				return nil, err
			}
			c.shards = append(c.shards, p.New(cfg))
		}
		return c, nil
	}
	return f
}

// of returns key's shard: the hash's high bits, so that the low bits a
// sketch uses stay independent of the shard.
func (c *sharded) of(key uint64) *Cache {
	return c.shards[(mix64(key)>>32)%uint64(len(c.shards))]
}

func (c *sharded) Get(key uint64) bool        { return c.of(key).Get(key) }
func (c *sharded) Set(key uint64, size int64) { c.of(key).Set(key, size) }
func (c *sharded) Close()                     {}
