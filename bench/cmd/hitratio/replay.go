package main

import (
	"cmp"
	"log"
	"slices"
	"sync"
	"time"

	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// cacheFactories returns every cache replayed, in report order: references,
// peers, then maxmem under each policy.
func cacheFactories() []sim.Factory {
	fs := append(sim.References(), sim.Peers()...)
	return append(fs, maxmemFactories()...)
}

// cell is the outcome of one replay; ran is false when the cache cannot
// run the trace (an entry-count cache on a weighted trace) or failed.
type cell struct {
	res sim.Result
	ran bool
}

// results[trace][cache][size] holds every replay's outcome.
type results [][][]cell

// job is one replay: a cache at one size on one trace.
type job struct{ t, c, s int }

// replayAll runs every (trace, cache, size) replay on cfg.workers
// goroutines, longest streams first, the caches of one stream together.
// Each replay owns its cache, so the results do not depend on scheduling.
func replayAll(traces []*loadedTrace, caches []sim.Factory, cfg config) results {
	res := make(results, len(traces))
	var jobs []job
	for t, tr := range traces {
		res[t] = make([][]cell, len(caches))
		for c := range caches {
			res[t][c] = make([]cell, len(tr.sizes))
		}
		for s := range tr.sizes {
			for c := range caches {
				jobs = append(jobs, job{t, c, s})
			}
		}
	}
	slices.SortStableFunc(jobs, func(a, b job) int {
		return cmp.Compare(traces[b.t].length(b.s, cfg.limit), traces[a.t].length(a.s, cfg.limit))
	})
	ch := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	left := make([]int, len(traces))
	for _, j := range jobs {
		left[j.t]++
	}
	start, ss := time.Now(), newStreams()
	for range max(cfg.workers, 1) {
		wg.Go(func() {
			for j := range ch {
				t := traces[j.t]
				reqs := ss.acquire(t, j.t, j.s, len(caches), cfg.limit)
				res[j.t][j.c][j.s] = replayOne(t, reqs, caches[j.c], j.s, cfg.seed)
				ss.release(t, j.t, j.s)
				mu.Lock()
				if left[j.t]--; left[j.t] == 0 {
					log.Printf("replayed %s (%v elapsed)", t.Name, time.Since(start).Round(time.Second))
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	return res
}

// replayOne replays reqs, trace t's requests, through a new cache of kind
// f at size index s.
func replayOne(t *loadedTrace, reqs []trace.Request, f sim.Factory, s int, seed uint64) cell {
	if t.weighted() && !f.Weighted {
		return cell{}
	}
	capacity := t.sizes[s]
	c, err := f.New(sim.Spec{Capacity: capacity, Weighted: t.weighted(), Items: t.items(capacity), Seed: seed})
	if err != nil {
		log.Printf("%s on %s at %d: %v", f.Name, t.Name, capacity, err)
		return cell{}
	}
	defer c.Close()
	res := sim.Replay(c, reqs)
	if b, ok := c.(sim.BudgetChecker); ok {
		if err := b.CheckBudget(); err != nil {
			log.Fatalf("%s on %s at %d: %v", f.Name, t.Name, capacity, err)
		}
	}
	return cell{res: res, ran: true}
}
