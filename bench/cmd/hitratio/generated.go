package main

import (
	"log"
	"sync"

	"github.com/maxmem/maxmem/bench/internal/gen"
	"github.com/maxmem/maxmem/bench/internal/suite"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// generatedTraces returns a loadedTrace for every generator -only selects
// (none with -generators=false). Their requests are made per cache size
// when a replay needs them (see streams).
func generatedTraces(cfg config) []*loadedTrace {
	if !cfg.generators {
		return nil
	}
	var out []*loadedTrace
	for _, g := range gen.All() {
		m, ok := suite.Of(g.Name)
		if !ok {
			log.Fatalf("generator %s is in neither set of internal/suite: add it to suite.Members", g.Name)
		}
		if cfg.selects(m) {
			out = append(out, &loadedTrace{Entry: trace.Entry{Name: g.Name}, gen: &g, sizes: gen.Sizes, limit: cfg.limit, member: m})
		}
	}
	return out
}

// streams holds the requests of generated traces while replays need them:
// each (trace, size) stream is made once, on first use, and dropped when
// every cache has replayed it. Jobs of one stream run one after another,
// so few are held at once.
type streams struct {
	mu   sync.Mutex
	live map[streamKey]*stream
}

// streamKey names a generated trace and a size index.
type streamKey struct{ t, s int }

// stream is one generated request stream and the replays still to use it.
type stream struct {
	once  sync.Once
	reqs  []trace.Request
	users int
}

// newStreams returns streams for traces replayed by caches caches each.
func newStreams() *streams { return &streams{live: map[streamKey]*stream{}} }

// acquire returns the requests of trace t (index ti) at size index si;
// users is how many replays will release them.
func (ss *streams) acquire(t *loadedTrace, ti, si, users int, limit int) []trace.Request {
	if t.gen == nil {
		return t.reqs
	}
	ss.mu.Lock()
	st, ok := ss.live[streamKey{ti, si}]
	if !ok {
		st = &stream{users: users}
		ss.live[streamKey{ti, si}] = st
	}
	ss.mu.Unlock()
	st.once.Do(func() {
		st.reqs = t.gen.Requests(int(t.sizes[si]))
		if limit > 0 && len(st.reqs) > limit {
			st.reqs = st.reqs[:limit]
		}
		log.Printf("generated %s at %d: %d requests", t.Name, t.sizes[si], len(st.reqs))
	})
	return st.reqs
}

// release drops a replay's hold on a generated stream.
func (ss *streams) release(t *loadedTrace, ti, si int) {
	if t.gen == nil {
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	k := streamKey{ti, si}
	if st := ss.live[k]; st != nil {
		if st.users--; st.users <= 0 {
			delete(ss.live, k)
		}
	}
}

// length returns how many requests trace t replays at size index si.
func (t *loadedTrace) length(si int, limit int) int {
	if t.gen == nil {
		return len(t.reqs)
	}
	n := gen.Length(int(t.sizes[si]))
	if limit > 0 {
		n = min(n, limit)
	}
	return n
}
