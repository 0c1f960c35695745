package main

import (
	"fmt"
	"log"
	"math"
	"path/filepath"
	"slices"
	"sync"

	"github.com/maxmem/maxmem/bench/internal/gen"
	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/suite"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// loadedTrace is a trace read into memory with the statistics sizing needs.
type loadedTrace struct {
	trace.Entry
	reqs     []trace.Request
	total    int   // requests in the file, before -limit
	distinct int   // distinct keys among the replayed requests
	bytes    int64 // sum of the sizes of distinct keys (first size seen)
	sizes    []int64
	// gen, for a generated trace, makes its requests for each size;
	// reqs, total, distinct and bytes are then unset.
	gen   *gen.Generator
	limit int // -limit, for a generated trace
	// member is the trace's family and side of the tuning/held-out split.
	member suite.Member
}

// weighted reports whether the trace is replayed with byte budgets.
func (t *loadedTrace) weighted() bool { return t.Format.Weighted() }

// capped reports whether -limit cut the trace short (a generated one: at
// its largest size).
func (t *loadedTrace) capped() bool {
	if t.gen != nil {
		return t.length(len(t.sizes)-1, t.limit) < t.length(len(t.sizes)-1, 0)
	}
	return len(t.reqs) < t.total
}

// loadTraces reads every selected trace of SOURCES.txt in parallel (none
// when -traces is empty).
func loadTraces(cfg config) ([]*loadedTrace, error) {
	if cfg.traces == "" {
		return nil, nil
	}
	entries, err := trace.LoadSources(cfg.traces)
	if err != nil {
		return nil, err
	}
	var out []*loadedTrace
	for _, e := range entries {
		m, ok := suite.Of(e.Name)
		if !ok {
			return nil, fmt.Errorf("trace %s is in neither set of internal/suite: add it to suite.Members", e.Name)
		}
		if cfg.selects(m) {
			out = append(out, &loadedTrace{Entry: e, member: m})
		}
	}
	errs := make([]error, len(out))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(cfg.workers, 1))
	for i, t := range out {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = t.load(cfg)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// load reads the trace, applies the limit and picks the cache sizes.
func (t *loadedTrace) load(cfg config) error {
	reqs, err := trace.ReadAll(filepath.Join(cfg.traces, t.File), t.Format)
	if err != nil {
		return err
	}
	t.total = len(reqs)
	if cfg.limit > 0 && len(reqs) > cfg.limit {
		reqs = slices.Clip(reqs[:cfg.limit])
	}
	t.reqs = reqs
	seen := make(map[uint64]struct{}, len(reqs)/4)
	for _, r := range reqs {
		if _, ok := seen[r.Key]; !ok {
			seen[r.Key] = struct{}{}
			t.bytes += r.Size
		}
	}
	t.distinct = len(seen)
	t.sizes = t.chooseSizes()
	log.Printf("loaded %s: %d requests, %d distinct keys, sizes %v", t.Name, len(reqs), t.distinct, t.sizes)
	if len(t.reqs) == 0 {
		return fmt.Errorf("%s: empty trace", t.Name)
	}
	return nil
}

// sizeFractions are the cache sizes, as fractions of a trace's footprint
// (distinct keys, or distinct bytes for weighted traces), used for traces
// without published figures: from 1% to 75%, roughly evenly on a log scale.
var sizeFractions = []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75}

// p3Sizes surround the ARC paper's single P3 figure at 32768 entries.
var p3Sizes = []int64{4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288}

// smallSizes are added below an entry-count trace's own sizes, each one
// that is under two thirds of its smallest: every entry-count trace is then
// replayed at 64 entries or fewer, where whatever a policy keeps as a
// minimum weighs most.
var smallSizes = []int64{64, 128}

// chooseSizes returns the cache sizes of the trace: the sizes of its
// published figures when there are 8, otherwise fractions of its footprint;
// for entry-count traces, smallSizes below them.
func (t *loadedTrace) chooseSizes() []int64 {
	sizes := t.ownSizes()
	if t.weighted() {
		return sizes
	}
	var small []int64
	for _, s := range smallSizes {
		if 3*s < 2*sizes[0] {
			small = append(small, s)
		}
	}
	return append(small, sizes...)
}

// ownSizes returns the trace's 8 sizes before smallSizes.
func (t *loadedTrace) ownSizes() []int64 {
	if p, ok := sim.LookupPublished(t.Name); ok && len(p.Sizes) == len(sizeFractions) {
		return p.Sizes
	}
	if t.Name == "P3" {
		return p3Sizes
	}
	// Entry counts are rounded to 2 significant digits, at least 10; byte
	// sizes likewise in MiB, at least 1 MiB.
	footprint, unit := float64(t.distinct), 1.0
	if t.weighted() {
		footprint, unit = float64(t.bytes)/sim.MiB, sim.MiB
	}
	minSize := 10.0
	if t.weighted() {
		minSize = 1
	}
	sizes := make([]int64, 0, len(sizeFractions))
	for _, f := range sizeFractions {
		s := int64(max(roundSig(footprint*f, 2), minSize) * unit)
		if len(sizes) == 0 || s > sizes[len(sizes)-1] {
			sizes = append(sizes, s)
		}
	}
	return sizes
}

// roundSig rounds v to n significant digits.
func roundSig(v float64, n int) float64 {
	if v <= 0 {
		return 0
	}
	scale := math.Pow(10, float64(n)-math.Ceil(math.Log10(v)))
	return math.Round(v*scale) / scale
}

// items estimates how many entries fit in capacity, for frequency
// sketches: capacity itself for entry-count traces, capacity over the mean
// object size for weighted ones.
func (t *loadedTrace) items(capacity int64) int64 {
	if !t.weighted() || t.bytes == 0 {
		return capacity
	}
	mean := float64(t.bytes) / float64(t.distinct)
	return max(int64(float64(capacity)/mean), 1)
}
