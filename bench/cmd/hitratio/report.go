package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/suite"
	"github.com/maxmem/maxmem/bench/internal/svgplot"
)

// check compares the exact-LRU reference with one published figure.
type check struct {
	trace     string
	size      int64
	weighted  bool
	published float64
	got       float64
	capped    bool // the trace was cut by -limit: the figure is not comparable
}

// ok reports whether the figure is reproduced within sim.Tolerance.
func (c check) ok() bool {
	return c.capped || math.Abs(c.got-c.published) <= sim.Tolerance+1e-9
}

// selfCheck collects the published LRU figures of the replayed traces and
// what the exact-LRU reference (cache index 0) measured at those sizes.
func selfCheck(traces []*loadedTrace, res results) []check {
	var out []check
	for ti, t := range traces {
		p, ok := sim.LookupPublished(t.Name)
		if !ok {
			continue
		}
		for pi, size := range p.Sizes {
			for si, s := range t.sizes {
				if s == size {
					out = append(out, check{
						trace: t.Name, size: size, weighted: t.weighted(),
						published: p.LRU[pi], got: res[ti][0][si].res.HitRatio(), capped: t.capped(),
					})
				}
			}
		}
	}
	return out
}

// writeReport writes hitratio.md and one chart per trace into cfg.out.
func writeReport(cfg config, traces []*loadedTrace, caches []sim.Factory, res results, checks []check) error {
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	if cfg.charts {
		if err := writeCharts(cfg, traces, caches, res); err != nil {
			return err
		}
	}
	f, err := os.Create(filepath.Join(cfg.out, "hitratio.md"))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	writeMarkdown(w, cfg, traces, caches, res, checks)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeCharts writes one chart per trace into cfg.out/charts.
func writeCharts(cfg config, traces []*loadedTrace, caches []sim.Factory, res results) error {
	chartDir := filepath.Join(cfg.out, "charts")
	if err := os.MkdirAll(chartDir, 0o755); err != nil {
		return err
	}
	for ti, t := range traces {
		if err := writeChart(filepath.Join(chartDir, t.Name+".svg"), t, caches, res[ti]); err != nil {
			return err
		}
	}
	return nil
}

// writeMarkdown renders the whole report.
func writeMarkdown(w io.Writer, cfg config, traces []*loadedTrace, caches []sim.Factory, res results, checks []check) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("# Hit ratios on real traces and adversarial generators\n\n")
	p("Generated on %s by:\n\n```\n%s\n```\n\n", time.Now().UTC().Format("2006-01-02"), cfg.command())
	p("%s\n", methodText)
	if cfg.limit > 0 {
		p("**-limit %d**: traces longer than this were cut to their first %d requests (marked *capped*).\n\n", cfg.limit, cfg.limit)
	}
	writeSplit(p, traces)
	writeSummary(p, traces, caches, res)
	writeTargets(p, traces, caches, res)
	writeVersus(p, traces, caches, res)
	writeMisses(p, traces, caches, res, cfg.notes)
	writeChecks(p, checks)
	for ti, t := range traces {
		writeTrace(p, t, caches, res[ti], cfg.charts)
	}
}

// methodText describes how the figures were produced.
const methodText = `Each trace is replayed from a cold cache as a look-aside cache is used:
every request is a Get, and a miss is followed by a Set of the key.
The hit ratio is hits / all requests, in percent.
Entry-count traces bound every cache to N entries; maxmem gets a byte budget of
N times what it charges one entry (MemoryUsage after inserting one, which includes
its per-entry overhead, and under allkeys-tinylfu its 12-byte place in the
policy's lists), with a Sizer that charges every entry the same, plus what the
policy keeps for N entries at that very budget (allkeys-tinylfu's sketch and duel
judge, about 1.6 bytes per entry and at least 28 bytes a shard; otter's and
theine's sketches are outside their N too). The row "(policy memory inside N)"
gives allkeys-tinylfu N entries' bytes only.
Weighted traces (oracleGeneral, AdaptSize) bound total bytes: the references and
peers count object sizes only; maxmem charges its per-entry overhead on top.
golang-lru only counts entries and is not run on weighted traces.
Entry-count traces are replayed at 8 sizes (the published ones, or 1 % to 75 %
of their distinct keys) and also at 64 and 128 entries where these are under two
thirds of the smallest, so that every one reaches 64 entries or fewer.
Adversarial generators (bench/internal/gen, their tables after the real traces')
make their requests for each cache size, so that a workload keeps its shape at
every size (a loop is always 1.2 times the cache, a hot set always moves every 2
cache-sizes of requests): unit-size keys, 8 sizes from 16 to 40,000 entries,
50 cache-sizes of requests (at least 200,000, at most 2,000,000), fixed seeds.
Every trace and generator belongs to a workload family and to the tuning or the
held-out set (internal/suite, listed below): policy parameters are chosen on the
tuning set only; the held-out set reports how they carry over.

* **LRU (exact)**: a list-based LRU, checked against the published figures below.
* **Redis sampled LRU / LFU**: Redis's approximation as in src/evict.c:
  maxmemory-samples merged into the 16-entry eviction pool (stale scores and
  ghost entries included). Sampled LRU runs twice, with Redis's default of 5
  samples and with the 10 redis.conf suggests for an eviction close to true
  LRU; sampled LFU with 5 samples, the 8-bit log counter, LFU_INIT_VAL 5,
  lfu-log-factor 10 and lfu-decay-time 1 minute. Traces have no usable time, so a
  logical clock advances 1 ms per request: one decay minute is 60 000 requests, and
  LRU idle time is counted in requests (finer than Redis's 1 s clock).
* **maxmem**: every policy, the shards New would choose on 2 CPUs
  (DefaultShards: 8, one per 64 KiB of budget below 512 KiB), seed 1, the same
  logical clock (Options.Clock);
  volatile-* policies write every key with SetWithTTL(10 000 h) so all keys are
  evictable; noeviction fills up and then refuses Sets (counted as misses).
  Every maxmem replay ends by checking that used_memory_peak never passed
  MaxMemory (the run stops if it did).
* **Peers**: otter v2 (synchronous Executor, CleanUp after Set), ristretto v2
  (cost = size, IgnoreInternalCost, NumCounters = 10 x entries, Wait after Set),
  theine (cost = size, Wait after Set), golang-lru v2.

Rows named "model ..." are policy models of bench/internal/policymodel
(-models): single-threaded, one shard, given the budget maxmem is given; the
"(policy memory inside N)" row of each gives it N entries' bytes only. A model
charges its ghosts as they appear, inside N in both rows; maxmem sizes its judge
with its sketch, so its first row has room for both.

A full run replays about 18 million requests of real traces (at 8 to 10 sizes)
and 88 million of generated ones through every cache; -limit N replays only the first
N requests of each trace (w106, orm-busy and P3 hold 3.9 to 5.3 million), e.g.
-limit 1000000.

Fixed seeds make the references and maxmem deterministic. otter and theine seed
their hash functions randomly per process and ristretto samples victims in Go map
order, so their figures can move by a few hundredths between runs.
`

// writeSplit lists the replayed traces and generators by family and side
// of the split.
func writeSplit(p func(string, ...any), traces []*loadedTrace) {
	p("## The split: tuning and held-out sets\n\n")
	p("Every trace and generator belongs to a workload family and to one side of the split (internal/suite): ")
	p("a policy's parameters are chosen on the tuning set only, and the held-out set reports how the choice ")
	p("carries over. Every family of more than one member has members on both sides.\n\n")
	p("| family | tuning | held-out |\n|---|---|---|\n")
	for _, f := range []suite.Family{suite.Database, suite.FileSystem, suite.Storage, suite.Web, suite.Synthetic} {
		names := map[suite.Set][]string{}
		for _, t := range traces {
			if t.member.Family == f {
				names[t.member.Set] = append(names[t.member.Set], t.Name)
			}
		}
		if len(names) > 0 {
			p("| %s | %s | %s |\n", f, strings.Join(names[suite.Tuning], ", "), strings.Join(names[suite.HeldOut], ", "))
		}
	}
	cells := map[suite.Set]int{}
	for _, t := range traces {
		cells[t.member.Set] += len(t.sizes)
	}
	p("\nCells (trace × size): %d tuning, %d held-out.\n\n", cells[suite.Tuning], cells[suite.HeldOut])
}

// writeSummary prints the mean hit ratio of each cache over traces and sizes.
func writeSummary(p func(string, ...any), traces []*loadedTrace, caches []sim.Factory, res results) {
	p("## Summary: mean hit ratio over all traces and sizes\n\n")
	p("| cache | all | tuning set | held-out set | real traces | real, entry-count | real, weighted | generated |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for c, f := range caches {
		p("| %s |", f.Name)
		for _, keep := range traceGroups {
			p(" %s |", pct(mean(traces, res, c, keep)))
		}
		p("\n")
	}
	p("\nA mean is shown only when the cache ran every trace of the group at every size.\n\n")
}

// traceGroups select the traces of the summary's columns: all, tuning,
// held-out, real, real entry-count, real weighted, generated.
var traceGroups = []func(*loadedTrace) bool{
	func(*loadedTrace) bool { return true },
	inSet(suite.Tuning),
	inSet(suite.HeldOut),
	func(t *loadedTrace) bool { return t.gen == nil },
	func(t *loadedTrace) bool { return t.gen == nil && !t.weighted() },
	func(t *loadedTrace) bool { return t.gen == nil && t.weighted() },
	func(t *loadedTrace) bool { return t.gen != nil },
}

// inSet selects the traces of one side of the split.
func inSet(s suite.Set) func(*loadedTrace) bool {
	return func(t *loadedTrace) bool { return t.member.Set == s }
}

// mean averages cache c's hit ratios over the traces selected by keep; ok
// is false if there are none or the cache skipped one.
func mean(traces []*loadedTrace, res results, c int, keep func(*loadedTrace) bool) (float64, bool) {
	var sum float64
	n := 0
	for ti, t := range traces {
		if !keep(t) {
			continue
		}
		for _, cl := range res[ti][c] {
			if !cl.ran {
				return 0, false
			}
			sum += cl.res.HitRatio()
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// pct formats a percentage, or a dash when absent.
func pct(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// writeChecks prints the self-check table.
func writeChecks(p func(string, ...any), checks []check) {
	p("## Self-check: exact LRU vs published LRU figures\n\n")
	if len(checks) == 0 {
		p("No trace with published figures was replayed.\n\n")
		return
	}
	p("Tolerance %.2f points.\n\n| trace | size | published | exact LRU | diff | |\n|---|---:|---:|---:|---:|---|\n", sim.Tolerance)
	for _, c := range checks {
		status := "ok"
		switch {
		case c.capped:
			status = "capped, not comparable"
		case !c.ok():
			status = "**FAIL**"
		}
		p("| %s | %s | %.2f | %.2f | %+.2f | %s |\n", c.trace, formatSize(c.size, c.weighted), c.published, c.got, round2(c.got-c.published), status)
	}
	p("\nSources: ")
	for i, pub := range sim.PublishedLRU {
		if i > 0 {
			p("; ")
		}
		p("%s: %s", pub.Trace, pub.Source)
	}
	p(".\n\n")
}

// round2 rounds to 2 decimals without a negative zero.
func round2(v float64) float64 { return math.Round(v*100)/100 + 0 }

// writeTrace prints one trace's table and links its chart.
func writeTrace(p func(string, ...any), t *loadedTrace, caches []sim.Factory, res [][]cell, chart bool) {
	link := func() {
		if chart {
			p("![%s](charts/%s.svg)\n\n", t.Name, t.Name)
		}
	}
	p("## %s\n\n", t.Name)
	p("Family: %s; %s set. ", t.member.Family, t.member.Set)
	unit := "entries"
	if t.weighted() {
		unit = "MiB"
	}
	if t.gen != nil {
		p("Generated (`internal/gen`): %s. ", t.gen.About)
		p("Requests per size: %s", generatedLengths(t))
		p(". Cache size in %s.\n\n", unit)
		link()
		writeTable(p, t, caches, res)
		return
	}
	p("`%s`, %s format, %d requests", t.File, t.Format, len(t.reqs))
	if t.capped() {
		p(" (*capped* from %d by -limit)", t.total)
	}
	p(", %d distinct keys", t.distinct)
	if t.weighted() {
		p(", %s distinct bytes", formatSize(t.bytes, true))
	}
	p(". Cache size in %s.\n\n", unit)
	link()
	writeTable(p, t, caches, res)
}

// generatedLengths lists a generated trace's request counts per size.
func generatedLengths(t *loadedTrace) string {
	var parts []string
	for si, size := range t.sizes {
		parts = append(parts, fmt.Sprintf("%d at %d", t.length(si, t.limit), size))
	}
	return strings.Join(parts, ", ")
}

// writeTable prints one trace's hit ratios, a row per cache.
func writeTable(p func(string, ...any), t *loadedTrace, caches []sim.Factory, res [][]cell) {
	p("| cache |")
	for _, s := range t.sizes {
		p(" %s |", formatSize(s, t.weighted()))
	}
	p("\n|---|%s\n", strings.Repeat("---:|", len(t.sizes)))
	for c, f := range caches {
		p("| %s |", f.Name)
		for _, cl := range res[c] {
			p(" %s |", pct(cl.res.HitRatio(), cl.ran))
		}
		p("\n")
	}
	p("\n")
}

// formatSize prints an entry count, or bytes in MiB for weighted traces.
func formatSize(n int64, weighted bool) string {
	if !weighted {
		return strconv.FormatInt(n, 10)
	}
	return strconv.FormatFloat(float64(n)/sim.MiB, 'g', 4, 64) + " MiB"
}

// writeChart draws hit ratio against cache size, one line per cache.
func writeChart(path string, t *loadedTrace, caches []sim.Factory, res [][]cell) error {
	xlabel, div := "cache size (entries)", 1.0
	if t.weighted() {
		xlabel, div = "cache size (MiB)", sim.MiB
	}
	chart := svgplot.Chart{Title: "Hit ratio: " + t.Name, XLabel: xlabel, YLabel: "hit ratio (%)", LogX: true}
	for c, f := range caches {
		s := svgplot.Series{Name: f.Name}
		for si, cl := range res[c] {
			if cl.ran {
				s.X = append(s.X, float64(t.sizes[si])/div)
				s.Y = append(s.Y, cl.res.HitRatio())
			}
		}
		if len(s.X) > 0 {
			chart.Series = append(chart.Series, s)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := chart.WriteSVG(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
