package maxmem

// The sweeper: active expiry in the background, ten times a second, as
// Redis's default hz. Expired entries are also reclaimed lazily, by the
// operations that meet them, and by writes (a few in their own shard) and
// evictions (which take expired entries first).

import (
	"runtime"
	"sync"
	"time"
	"weak"
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

// sweeper runs sweep in the background until stopped, or until its cache
// is garbage: it holds the cache only weakly, and a cleanup stops it when
// the cache is collected without Close.
type sweeper struct {
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func startSweeper[K comparable, V any](c *Cache[K, V]) *sweeper {
	sw := &sweeper{quit: make(chan struct{}), done: make(chan struct{})}
	ref := weak.Make(c)
	go sw.run(func() bool {
		c := ref.Value()
		if c == nil {
			return false
		}
		c.sweep()
		return true
	})
	runtime.AddCleanup(c, func(sw *sweeper) { sw.signal() }, sw)
	return sw
}

func (sw *sweeper) run(tick func() bool) {
	defer close(sw.done)
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-sw.quit:
			return
		case <-t.C:
			if !tick() {
				return
			}
		}
	}
}

func (sw *sweeper) signal() { sw.once.Do(func() { close(sw.quit) }) }

// stop ends the sweeper and waits until it has.
func (sw *sweeper) stop() {
	sw.signal()
	<-sw.done
}
