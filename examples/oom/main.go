// Command oom shows the ways an application copes with maxmem's OOM error,
// the patterns the Redis OOM literature recommends:
//
//  1. fall back to the source of truth when the cache refuses a write;
//  2. throttle writers: a bounded number wait for room (SetWait) instead
//     of failing;
//  3. retry with exponential backoff and a deadline;
//  4. alert on total_oom_errors, and ask Doctor for the fix.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/maxmem/maxmem"
)

func main() {
	cache, err := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 16 << 10, Policy: maxmem.NoEviction})
	if err != nil {
		log.Fatal(err)
	}
	defer cache.Close()
	stopAlerts := alertOnOOM(cache, 20*time.Millisecond)
	defer stopAlerts()

	fallBackToSource(cache)
	throttledWriters(cache)
	retryWithBackoff(cache)
	time.Sleep(50 * time.Millisecond) // let the alert loop see the last refusals
	fmt.Print("\n", cache.Doctor())
}

// source stands for the database the cache fronts.
func source(key string) []byte { return []byte("row " + key + fmt.Sprintf("%0900d", 0)) }

// fallBackToSource reads through the cache; when the cache is full the
// value is served from the source and simply not cached: GetOrLoad
// returns it with no error, and counts it in total_uncached_loads.
func fallBackToSource(cache *maxmem.Cache[string, []byte]) {
	load := func(_ context.Context, key string) ([]byte, time.Duration, error) {
		return source(key), time.Minute, nil
	}
	served := 0
	for i := range 30 {
		v, err := cache.GetOrLoad(context.Background(), fmt.Sprint("user:", i), load)
		if err != nil {
			log.Fatal(err)
		}
		served += len(v)
	}
	fmt.Printf("1. fall back: served 30 reads (%d bytes), %d of them uncached because the cache was full\n",
		served, cache.Stats().UncachedLoads)
}

// throttledWriters lets at most two writers wait for room at a time; the
// others give up at once and use the source. Room appears when keys expire.
func throttledWriters(cache *maxmem.Cache[string, []byte]) {
	cache.Clear()
	for i := range 10 {
		cache.SetWithTTL(fmt.Sprint("temp:", i), source("t"), time.Duration(20*(i+1))*time.Millisecond)
	}
	slots := make(chan struct{}, 2)
	results := make(chan string, 6)
	for i := range 6 {
		go func() { results <- throttledWrite(cache, slots, fmt.Sprint("job:", i)) }()
	}
	counts := map[string]int{}
	for range 6 {
		counts[<-results]++
	}
	fmt.Printf("2. throttle: %d writes waited for room and succeeded, %d were shed to the source\n",
		counts["written"], counts["shed"])
}

func throttledWrite(cache *maxmem.Cache[string, []byte], slots chan struct{}, key string) string {
	select {
	case slots <- struct{}{}:
		defer func() { <-slots }()
	default:
		if cache.Set(key, source(key)) != nil {
			return "shed"
		}
		return "written"
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := cache.SetWait(ctx, key, source(key)); err != nil {
		return "shed"
	}
	return "written"
}

// retryWithBackoff retries a refused write with exponential backoff until
// a deadline; another goroutine frees room meanwhile.
func retryWithBackoff(cache *maxmem.Cache[string, []byte]) {
	for cache.Set(fmt.Sprint("fill:", cache.Len()), source("f")) == nil {
	}
	go func() {
		time.Sleep(30 * time.Millisecond)
		for k := range cache.All() {
			cache.Delete(k) // e.g. an operator deletes stale keys
			break
		}
	}()
	attempts, err := 0, error(nil)
	for delay, deadline := 5*time.Millisecond, time.Now().Add(time.Second); time.Now().Before(deadline); delay *= 2 {
		attempts++
		if err = cache.Set("report", source("r")); !errors.Is(err, maxmem.ErrOOM) {
			break
		}
		time.Sleep(delay)
	}
	fmt.Printf("3. backoff: the write succeeded after %d attempts (err %v)\n", attempts, err)
}

// alertOnOOM watches total_oom_errors and reports each increase with the
// fix, as a monitoring rule on the INFO field would. It returns a stop func.
func alertOnOOM(cache *maxmem.Cache[string, []byte], every time.Duration) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var last uint64
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if st := cache.Stats(); st.OOMRejections > last {
				fmt.Printf("   ALERT total_oom_errors rose by %d to %d (used_memory %d of maxmemory %d, policy %s): see Doctor\n",
					st.OOMRejections-last, st.OOMRejections, st.UsedMemory, st.MaxMemory, st.Policy)
				last = st.OOMRejections
			}
		}
	}()
	return func() { close(done); <-stopped }
}
