package maxmem

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Rule 1 under concurrency: many goroutines call every method while a
// watcher checks that used_memory never passes maxmemory; at rest, used
// memory equals the sum of MemoryUsage. In both layouts.
func TestConcurrentBudget(t *testing.T) {
	for _, p := range policies {
		t.Run(p.Name(), func(t *testing.T) {
			c, clock := newTestCache(t, 64, p)
			concurrentBudget(t, c, clock, func(i int) int { return i })
		})
		t.Run(p.Name()+"/packed", func(t *testing.T) {
			clock := newFakeClock()
			c, err := New(Options[string, []byte]{MaxMemory: 64 * 200, Policy: p, Clock: clock, Shards: 4, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			concurrentBudget(t, c, clock, func(i int) []byte { return make([]byte, i%200) })
		})
	}
}

// concurrentBudget hammers c from eight goroutines while a watcher checks
// the budget, then checks the accounting at rest.
func concurrentBudget[V any](t *testing.T, c *Cache[string, V], clock *fakeClock, value func(int) V) {
	stop := watchBudget(t, c)
	var workers sync.WaitGroup
	for g := range 8 {
		workers.Go(func() { hammer(c, clock, uint64(g), 3000, false, value) })
	}
	workers.Wait()
	stop()
	checkAccounting(t, c)
}

// watchBudget checks on a goroutine of its own, until stop is called,
// that c's used memory never passes its limit.
func watchBudget[V any](t *testing.T, c *Cache[string, V]) (stop func()) {
	var done atomic.Bool
	var watcher sync.WaitGroup
	watcher.Go(func() {
		for !done.Load() {
			if st := c.Stats(); st.UsedMemory > st.MaxMemory {
				t.Errorf("used_memory %d > maxmemory %d", st.UsedMemory, st.MaxMemory)
				return
			}
		}
	})
	return func() { done.Store(true); watcher.Wait() }
}

// hammer runs n random operations of every kind against c, writing the
// values value makes; resize adds SetMaxMemory, which may leave used
// memory above a lowered limit.
func hammer[V any](c *Cache[string, V], clock *fakeClock, seed uint64, n int, resize bool, value func(int) V) {
	r := rand.New(rand.NewPCG(seed, 99))
	for i := range n {
		k := fmt.Sprint(r.IntN(200))
		switch r.IntN(14) {
		case 0, 1, 2:
			c.Get(k)
		case 3, 4:
			c.Set(k, value(i))
		case 5, 6:
			c.SetWithTTL(k, value(i), time.Duration(1+r.IntN(5))*time.Second)
		case 7:
			c.Delete(k)
		case 8:
			c.Expire(k, time.Duration(r.IntN(3))*time.Second)
		case 9:
			c.Persist(k)
		case 10:
			c.TTL(k)
			c.MemoryUsage(k)
		case 11:
			clock.Advance(100 * time.Millisecond)
			c.sweep()
		case 12:
			for range c.All() {
				break
			}
			c.Len()
		case 13:
			if resize && r.IntN(50) == 0 {
				c.SetMaxMemory(int64(32+r.IntN(64)) * unit)
			}
		}
	}
}

// Clear and policy changes race with writers without breaking the budget.
func TestConcurrentClearAndConfig(t *testing.T) {
	c, clock := newTestCache(t, 32, AllKeysLRU)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() { hammer(c, clock, uint64(g), 2000, true, func(i int) int { return i }) })
	}
	wg.Go(func() {
		for i := range 200 {
			c.SetPolicy(policies[i%len(policies)])
			if i%20 == 0 {
				c.Clear()
			}
		}
	})
	wg.Wait()
	c.SetMaxMemory(0) // a lowered limit may stand above usage under noeviction
	checkAccounting(t, c)
}
