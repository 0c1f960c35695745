// Command hitratio replays cache access traces through maxmem (under every
// maxmemory policy), reference policies (exact LRU, Redis's sampled LRU and
// LFU) and peer caches (otter, ristretto, theine, golang-lru), and writes
// hit-ratio tables (hitratio.md) and charts (charts/*.svg).
//
// Usage, from the bench directory:
//
//	go run ./cmd/hitratio [-traces dir] [-generators=false] [-only a,b] [-set tuning|held-out] [-out dir] [-limit n] [-workers n]
//
// Every trace listed in the traces directory's SOURCES.txt, and every
// adversarial generator of internal/gen, is replayed at 8 cache sizes, cold,
// as a look-aside cache (a generator makes its requests for each size): each request is a Get and a miss
// is followed by a Set. The hit ratio is hits over all requests. The exact
// LRU reference is checked against published LRU figures; the command exits
// with status 1 if it strays by more than 0.05 points.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/suite"
)

// config holds the command-line flags.
type config struct {
	traces  string
	only    map[string]bool
	out     string
	limit   int
	workers int
	// generators adds the adversarial generators of internal/gen to the
	// traces.
	generators bool
	// models lists the policy models (internal/policymodel) to replay.
	models string
	// charts writes charts/*.svg and links them from the report.
	charts bool
	seed   uint64
	args   []string
	// caches, when set, keeps only the caches whose name contains one of
	// these substrings.
	caches []string
	// set, when set, keeps only the traces of one side of the split.
	set suite.Set
	// modelShards splits each model's budget into this many shards that
	// share nothing (policymodel.ShardedFactory).
	modelShards int
	// notes is a markdown file of the misses' reasons and a closing note,
	// included after the lists of misses ("" or missing: none).
	notes string
}

// selects reports whether -only and -set keep the trace or generator m.
func (c config) selects(m suite.Member) bool {
	return (c.only == nil || c.only[m.Name]) && (c.set == "" || c.set == m.Set)
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("hitratio: ")
	cfg := parseFlags()
	start := time.Now()
	ok, err := run(cfg)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("done in %v", time.Since(start).Round(time.Second))
	if !ok {
		log.Print("self-check FAILED: exact LRU does not reproduce the published figures")
		os.Exit(1)
	}
}

// parseFlags reads the command line.
func parseFlags() config {
	var cfg config
	var only string
	flag.StringVar(&cfg.traces, "traces", filepath.Join("..", "..", "shared", "traces"), "directory holding the traces and their SOURCES.txt (empty: no real traces)")
	flag.BoolVar(&cfg.generators, "generators", true, "also replay the adversarial generators (bench/internal/gen) at their sizes")
	flag.StringVar(&only, "only", "", "comma-separated trace and generator names to run (e.g. OLTP,gli,shift-scan); empty runs all")
	flag.StringVar(&cfg.out, "out", ".", "directory to write hitratio.md and charts/ into")
	flag.IntVar(&cfg.limit, "limit", 0, "replay at most this many requests of each trace (0: whole traces); a capped trace is marked in the report")
	flag.IntVar(&cfg.workers, "workers", runtime.GOMAXPROCS(0), "replays run in parallel")
	flag.Uint64Var(&cfg.seed, "seed", 1, "seed of every seeded cache")
	flag.StringVar(&cfg.models, "models", "", "comma-separated policy models of internal/policymodel to replay as well, or all ("+modelNames()+")")
	flag.BoolVar(&cfg.charts, "charts", true, "write charts/*.svg and link them from hitratio.md")
	flag.StringVar(&cfg.notes, "notes", "hitratio-notes.md", "markdown file of the misses' reasons and a closing note, included in the report after the lists of misses")
	flag.IntVar(&cfg.modelShards, "model-shards", 1, "replay each model split into this many shards, each with an equal part of the budget")
	var set string
	flag.StringVar(&set, "set", "", "replay only one side of the split of internal/suite: tuning or held-out (empty: both)")
	var caches string
	flag.StringVar(&caches, "caches", "", "comma-separated substrings: replay only the caches whose name contains one (e.g. 'LRU (exact),otter,tinylfu'), or, after =, is it ('=maxmem allkeys-tinylfu'); empty runs all")
	flag.Parse()
	switch cfg.set = suite.Set(set); cfg.set {
	case "", suite.Tuning, suite.HeldOut:
	default:
		log.Fatalf("-set %q: want tuning or held-out", set)
	}
	if caches != "" {
		cfg.caches = strings.Split(caches, ",")
	}
	if only != "" {
		cfg.only = map[string]bool{}
		for _, name := range strings.Split(only, ",") {
			cfg.only[strings.TrimSpace(name)] = true
		}
	}
	cfg.args = os.Args[1:]
	return cfg
}

// command returns the command line that reproduces this run.
func (c config) command() string {
	s := "cd bench && go run ./cmd/hitratio"
	for _, a := range c.args {
		s += " " + a
	}
	return s
}

// run loads the traces, replays them and writes the report. It reports
// whether the self-check passed.
func run(cfg config) (bool, error) {
	traces, err := loadTraces(cfg)
	if err != nil {
		return false, err
	}
	traces = append(traces, generatedTraces(cfg)...)
	if len(traces) == 0 {
		return false, fmt.Errorf("no traces selected in %s", cfg.traces)
	}
	models, err := modelFactories(cfg)
	if err != nil {
		return false, err
	}
	caches := selectCaches(append(cacheFactories(), models...), cfg)
	results := replayAll(traces, caches, cfg)
	checks := selfCheck(traces, results)
	if err := writeReport(cfg, traces, caches, results, checks); err != nil {
		return false, err
	}
	ok := true
	for _, c := range checks {
		ok = ok && c.ok()
	}
	return ok, nil
}

// selectCaches keeps only the caches named by -caches, and always the
// exact LRU, which the self-check reads.
func selectCaches(fs []sim.Factory, cfg config) []sim.Factory {
	if len(cfg.caches) == 0 {
		return fs
	}
	out := fs[:1] // the exact LRU stays first: the self-check reads it
	for _, f := range fs[1:] {
		for _, want := range cfg.caches {
			if want = strings.TrimSpace(want); f.Name == strings.TrimPrefix(want, "=") || !strings.HasPrefix(want, "=") && strings.Contains(f.Name, want) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}
