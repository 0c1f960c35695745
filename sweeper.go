package maxmem

// The sweeper: active expiry in the background, ten times a second, as
// Redis's default hz. Expired entries are also reclaimed lazily, by the
// operations that meet them, and by writes (a few in their own shard) and
// evictions (which take expired entries first).

import (
	"runtime"
	"time"
	"weak"

	"github.com/maxmem/maxmem/internal/sweep"
)

// sweepInterval is how often the background sweeper reclaims expired
// entries: ten times a second, as Redis's default hz.
const sweepInterval = 100 * time.Millisecond

// sweepBatch bounds how many entries a sweep removes under one lock hold.
const sweepBatch = 128

// sweep removes every expired entry, a batch at a time per shard.
func (c *Cache[K, V]) sweep() {
	now := c.now()
	for i := range c.shards {
		s := &c.shards[i]
		for s.Soonest() <= now {
			var fx effects[K, V]
			s.Lock()
			n := c.expireSome(s, now, sweepBatch, &fx)
			s.Unlock()
			fx.report(c)
			if n == 0 {
				break
			}
		}
	}
}

// startSweeper starts c's background sweep. It holds the cache only
// weakly, and a cleanup stops it when the cache is collected without
// Close.
func startSweeper[K comparable, V any](c *Cache[K, V]) *sweep.Loop {
	ref := weak.Make(c)
	l := sweep.Start(sweepInterval, func() bool {
		c := ref.Value()
		if c != nil {
			c.sweep()
		}
		return c != nil
	})
	runtime.AddCleanup(c, func(l *sweep.Loop) { l.Signal() }, l)
	return l
}
