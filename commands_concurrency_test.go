package maxmem

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The key commands and the loaders under concurrency, beside every other
// call (hammer), with refresh-ahead on: the budget holds throughout, and
// at rest the shards are consistent and used_memory is the sum of the
// entries' charges once the remembered absences are forgotten.
func TestConcurrentCommandsAndLoads(t *testing.T) {
	for _, p := range []Policy{NoEviction, AllKeysLRU, AllKeysLFU, VolatileTTL, AllKeysTinyLFU} {
		t.Run(p.Name(), func(t *testing.T) {
			clock := newFakeClock()
			c := mustNew(t, Options[string, []byte]{MaxMemory: 64 * 200, Policy: p, Clock: clock, Shards: 4,
				Seed: 1, RefreshAfter: 100 * time.Millisecond}) // one step of the hammer's clock
			value := func(i int) []byte { return make([]byte, i%150) }
			var notFound atomic.Int64
			var workers sync.WaitGroup
			stop := watchBudget(t, c)
			for g := range 3 {
				workers.Go(func() { hammer(c, clock, uint64(g), 2000, false, value) })
				workers.Go(func() { notFound.Add(commandHammer(c, clock, uint64(g), 2000, value)) })
			}
			workers.Wait()
			waitUntil(t, "the refreshes end", func() bool { return c.loads.Idle() })
			stop()
			if st := c.Stats(); st.Loads == 0 || st.Refreshes == 0 || st.UncachedLoads == 0 {
				t.Errorf("loads %d, refreshes %d, uncached %d: a kind of load was not exercised", st.Loads, st.Refreshes, st.UncachedLoads)
			}
			if notFound.Load() == 0 {
				t.Error("no load reported a key missing")
			}
			c.forgetAbsences() // charged to the leases beside the entries
			checkInvariants(t, c)
			checkAccounting(t, c)
		})
	}
}

// commandHammer runs n random key commands and loads against c, and
// returns how many loads answered ErrNotFound.
func commandHammer(c *Cache[string, []byte], clock *fakeClock, seed uint64, n int, value func(int) []byte) (notFound int64) {
	r := rand.New(rand.NewPCG(seed, 22))
	load := func(_ context.Context, k string) ([]byte, time.Duration, error) {
		switch k[len(k)-1] {
		case '7':
			return nil, time.Second, ErrNotFound
		case '8':
			return nil, 0, errors.New("source down")
		case '9':
			return value(len(k)), -1, nil // served, not cached
		}
		return value(len(k)), time.Duration(len(k)%3) * time.Second, nil // the loader runs in refreshes too: no r here
	}
	bulk := func(ctx context.Context, keys []string) (map[string][]byte, time.Duration, error) {
		m := map[string][]byte{}
		for _, k := range keys {
			if v, _, err := load(ctx, k); err == nil {
				m[k] = v
			}
		}
		return m, time.Second, nil
	}
	ctx := context.Background()
	for i := range n {
		k := fmt.Sprint(r.IntN(200))
		at := clock.Now().Add(time.Duration(r.IntN(4)-1) * time.Second)
		switch r.IntN(11) {
		case 0:
			c.SetArgs(k, value(i), SetArgs{Cond: Cond(r.IntN(3)), KeepTTL: r.IntN(2) == 0})
		case 1:
			c.SetArgs(k, value(i), SetArgs{Cond: Cond(r.IntN(3)), ExpireAt: at})
		case 2:
			c.GetEx(k, GetExArgs{ExpireAt: at})
		case 3:
			c.GetEx(k, GetExArgs{Persist: r.IntN(2) == 0})
		case 4:
			c.GetDel(k)
		case 5:
			c.ExpireIf(k, time.Duration(r.IntN(4)-1)*time.Second, Cond(r.IntN(5)))
		case 6:
			c.ExpireAt(k, at, Cond(r.IntN(5)))
		case 7:
			c.Touch(k, fmt.Sprint(r.IntN(200)))
			c.RandomKey()
			c.ObjectFreq(k)
			c.ObjectIdleTime(k)
			c.ExpireTime(k)
		case 8, 9:
			if _, err := c.GetOrLoad(ctx, k, load); errors.Is(err, ErrNotFound) {
				notFound++
			}
		case 10:
			c.GetOrLoadAll(ctx, []string{k, fmt.Sprint(r.IntN(200)), fmt.Sprint(r.IntN(200))}, bulk)
		}
	}
	return notFound
}
