package main

import (
	"fmt"
	"strings"
	"testing"
)

// benchOf parses benchmark lines, failing the test on error.
func benchOf(t *testing.T, lines ...string) benchResults {
	t.Helper()
	b, err := parseBench(strings.NewReader(strings.Join(lines, "\n") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tput is a BenchmarkThroughput line of a cache's ops/s in a run.
func tput(run, cache string, opsPerSec float64) string {
	return fmt.Sprintf("%s-2 1 10 ns/op %g ops/s", throughputName(run, cache), opsPerSec)
}

// lat is a BenchmarkLatency line of a cache's ns/op and allocs/op.
func lat(op, cache string, ns, allocs float64) string {
	return fmt.Sprintf("%s-2 1 %g ns/op %g allocs/op", latencyName(op, cache), ns, allocs)
}

// everyCache returns throughput lines for every cache in each run: maxmem
// at mm ops/s, the others at others ops/s, unless set overrides them.
func everyCache(runs []string, mm, others float64, set map[string]float64) []string {
	var lines []string
	for _, run := range runs {
		lines = append(lines, tput(run, "maxmem", mm))
		for _, c := range append(otherCaches(), "map+mutex", "maxmem-tinylfu") {
			v := others
			if o, ok := set[c+" "+run]; ok {
				v = o
			}
			lines = append(lines, tput(run, c, v))
		}
	}
	return lines
}

// findTarget returns the target whose goal starts with prefix.
func findTarget(t *testing.T, ts []target, prefix string) target {
	t.Helper()
	for _, x := range ts {
		if strings.HasPrefix(x.goal, prefix) {
			return x
		}
	}
	t.Fatalf("no target %q", prefix)
	return target{}
}

// map+mutex is not a cache: being slower than it misses no "every other
// cache" target, while being slower than a real cache does, and the row
// names that cache and run with the figure.
func TestEveryOtherCacheLeavesOutTheMutexMap(t *testing.T) {
	runs := readRuns("", 100, 90, 75)
	b := benchOf(t, everyCache(runs, 10e6, 8e6, map[string]float64{"map+mutex reads=90%": 40e6})...)
	got := (&report{bench: b}).throughputTargets("prefilled", "")[1]
	if got.measured != "1.25x at worst (otter at reads=100%)" || !got.met || !got.known {
		t.Errorf("map+mutex 4x faster: %+v, want met at 1.25x", got)
	}
	b = benchOf(t, everyCache(runs, 10e6, 8e6, map[string]float64{"golang-lru reads=90%": 40e6})...)
	got = (&report{bench: b}).throughputTargets("prefilled", "")[1]
	if got.measured != "0.25x at worst (golang-lru at reads=90%)" || got.met || !got.known {
		t.Errorf("golang-lru 4x faster: %+v, want missed at 0.25x", got)
	}
}

// The table's best-other-cache row leaves out map+mutex too.
func TestBestOtherLeavesOutTheMutexMap(t *testing.T) {
	b := benchOf(t, tput("reads=0%", "maxmem", 3e6), tput("reads=0%", "otter", 2e6),
		tput("reads=0%", "golang-lru", 4e6), tput("reads=0%", "map+mutex", 9e6))
	if got := (&report{bench: b}).bestOtherCell("reads=0%"); got != "0.75x (golang-lru)" {
		t.Errorf("best other cell = %q, want 0.75x (golang-lru)", got)
	}
}

// A write-heavy span needs 1.5x otter: one cell under it (insert-evict
// at 1.2x) misses the target and is the figure shown, though every other
// cell keeps the bound.
func TestMissedCellIsReportedWithItsFigure(t *testing.T) {
	runs := append(readRuns("", 50, 25, 0), insertEvict)
	b := benchOf(t, everyCache(runs, 10e6, 5e6, map[string]float64{"otter insert-evict": 10e6 / 1.2})...)
	got := (&report{bench: b}).throughputTargets("prefilled", "", insertEvict)[2]
	want := "prefilled: throughput at 50, 25, 0 % reads and insert-evict ≥ 1.5x otter"
	if got.goal != want || got.measured != "1.20x at worst (insert-evict)" || got.met || !got.known {
		t.Errorf("got %+v, want %q missed at 1.20x (insert-evict)", got, want)
	}
}

// The look-aside variant has its own rows, read from the lookaside- runs
// only: a prefilled run that misses does not touch them.
func TestLookAsideTargetsReadTheirOwnRuns(t *testing.T) {
	lines := everyCache(lookAsideRuns(), 20e6, 10e6, nil)
	lines = append(lines, everyCache(prefilledRuns(), 1e6, 10e6, nil)...)
	ts := (&report{bench: benchOf(t, lines...)}).targets()
	for _, goal := range []string{"look-aside: throughput at 100, 90, 75 % reads ≥ 1.0x otter",
		"look-aside: throughput at 50, 25, 0 % reads ≥ 1.5x otter",
		"look-aside: throughput at 50, 25, 0 % reads ≥ 1.0x every other cache"} {
		if got := findTarget(t, ts, goal); got.goal != goal || !got.met || !got.known || !strings.Contains(got.measured, "lookaside-reads=") {
			t.Errorf("%s: %+v, want met on lookaside runs", goal, got)
		}
	}
	if got := findTarget(t, ts, "prefilled: throughput at 100"); got.met || !got.known {
		t.Errorf("prefilled read-heavy: %+v, want missed", got)
	}
}

// A span with cells that keep the bound but with a run missing is not
// measured, and names the run; a cell that breaks the bound misses the
// target whatever is missing.
func TestMissingRunsLeaveATargetOpen(t *testing.T) {
	b := benchOf(t, tput("reads=100%", "maxmem", 2e6), tput("reads=100%", "otter", 1e6))
	got := (&report{bench: b}).throughputTargets("prefilled", "")[0]
	if got.known || got.measured != "2.00x at worst (reads=100%); not measured: reads=90%, reads=75%" {
		t.Errorf("partial span: %+v", got)
	}
	b = benchOf(t, tput("reads=100%", "maxmem", 1e6), tput("reads=100%", "otter", 2e6))
	if got := (&report{bench: b}).throughputTargets("prefilled", "")[0]; !got.known || got.met {
		t.Errorf("partial span with a miss: %+v, want missed", got)
	}
	if got := (&report{}).ttlTarget(); got.known || got.measured != "–" {
		t.Errorf("no bench file: %+v, want not measured", got)
	}
}

// The one-goroutine targets compare Get hit with the map, Set update with
// golang-lru and the evicting Set with otter, each with its own bound.
func TestLatencyTargets(t *testing.T) {
	b := benchOf(t,
		lat("GetHit", "maxmem", 90, 0), lat("GetHit", "map", 60, 0), lat("GetHit", "otter", 10, 0),
		lat("SetUpdate", "maxmem", 160, 0), lat("SetUpdate", "golang-lru", 100, 0), lat("SetUpdate", "otter", 1000, 0),
		lat("SetInsertEvict", "maxmem", 500, 0), lat("SetInsertEvict", "otter", 600, 0), lat("SetInsertEvict", "golang-lru", 100, 0))
	ts := (&report{bench: b}).targets()
	for _, tc := range []struct {
		goal, measured string
		met            bool
	}{
		{"one goroutine: Get hit ≤ 1.5x built-in map", "1.50x (90.0 ns vs 60.0 ns)", true},
		{"one goroutine: Set of an existing key ≤ 1.5x golang-lru", "1.60x (160.0 ns vs 100.0 ns)", false},
		{"one goroutine: Set that evicts ≤ 1.0x otter", "0.83x (500.0 ns vs 600.0 ns)", true},
	} {
		got := findTarget(t, ts, tc.goal)
		if got.goal != tc.goal || got.measured != tc.measured || got.met != tc.met || !got.known {
			t.Errorf("%s: %+v, want %q met=%v", tc.goal, got, tc.measured, tc.met)
		}
	}
}

// The allocation target names every operation that allocates, and is met
// only when none does.
func TestAllocsTarget(t *testing.T) {
	for _, tc := range []struct {
		setUpdate float64
		measured  string
		met       bool
	}{
		{0, "0 in each", true},
		{2, "SetUpdate 2", false},
	} {
		b := benchOf(t, lat("GetHit", "maxmem", 10, 0), lat("SetUpdate", "maxmem", 10, tc.setUpdate), lat("SetInsertEvict", "maxmem", 10, 0))
		got := (&report{bench: b}).allocsTarget()
		if got.measured != tc.measured || got.met != tc.met || !got.known {
			t.Errorf("SetUpdate %v allocs: %+v, want %q met=%v", tc.setUpdate, got, tc.measured, tc.met)
		}
	}
}

// The tinylfu target spans every run of both variants and reports the
// worst, here a look-aside one.
func TestTinyLFUCostTargetReportsTheWorstRun(t *testing.T) {
	var lines []string
	for _, run := range append(prefilledRuns(), lookAsideRuns()...) {
		lfu := 9.5e6
		if run == "lookaside-reads=50%" {
			lfu = 5e6
		}
		lines = append(lines, tput(run, "maxmem", 1e7), tput(run, "maxmem-tinylfu", lfu))
	}
	got := (&report{bench: benchOf(t, lines...)}).tinyLFUCostTarget()
	if got.measured != "0.50x at worst (lookaside-reads=50%)" || got.met || !got.known {
		t.Errorf("got %+v", got)
	}
}

// The scale target compares maxmem's growth from the smallest size to
// the largest with the built-in map's over the same sizes, whatever the
// order of the sizes and whatever happens in between.
func TestScaleTargetComparesWithTheMap(t *testing.T) {
	for _, tc := range []struct {
		name           string
		get, set, mapN float64 // costs at 1M; every cost is 100 at 10k
		measured       string
		met            bool
	}{
		{"slower growth than the map", 300, 400, 500, "Get 3.0x, Set 4.0x; map 5.0x", true},
		{"Set grows faster", 300, 600, 500, "Get 3.0x, Set 6.0x; map 5.0x", false},
		{"Get grows faster", 700, 400, 500, "Get 7.0x, Set 4.0x; map 5.0x", false},
	} {
		r := &report{o: options{scaleMax: 1_000_000}, scale: []scaleResult{
			{N: 1_000_000, GetNs: tc.get, SetNs: tc.set, MapGetNs: tc.mapN},
			{N: 100_000, GetNs: 9000, SetNs: 9000, MapGetNs: 100},
			{N: 10_000, GetNs: 100, SetNs: 100, MapGetNs: 100},
		}}
		got := r.scaleTarget()
		want := "scale: Get and Set grow no faster than a built-in map's lookup from 10,000 to 1,000,000 entries"
		if got.goal != want || got.measured != tc.measured || got.met != tc.met || !got.known {
			t.Errorf("%s: %+v, want %q met=%v", tc.name, got, tc.measured, tc.met)
		}
	}
	if got := (&report{o: options{scaleMax: 1_000_000}, scale: []scaleResult{{N: 10_000, GetNs: 1, SetNs: 1, MapGetNs: 1}}}).scaleTarget(); got.known {
		t.Errorf("one size: %+v, want not measured", got)
	}
}

// The evicting-writes GC target is maxmem's cycles per million writes
// over otter's, at most 0.1x; when otter ran no cycle it takes no ratio:
// maxmem running some misses, neither running any is not measured.
func TestGCWritesTarget(t *testing.T) {
	for _, tc := range []struct {
		mm, ot     uint64 // cycles in 10M writes
		measured   string
		met, known bool
	}{
		{1, 20, "0.05x (0.10 vs 2.00 cycles per million writes)", true, true},
		{3, 20, "0.15x (0.30 vs 2.00 cycles per million writes)", false, true},
		{2, 0, "otter ran no GC cycle, maxmem 0.20 per million writes", false, true},
		{0, 0, "neither ran a GC cycle (more writes: -gcw-writes)", false, false},
	} {
		r := &report{gcw: map[string]gcWritesResult{
			"maxmem": {Writes: 10_000_000, GCCycles: tc.mm},
			"otter":  {Writes: 10_000_000, GCCycles: tc.ot},
		}}
		got := findTarget(t, r.targets(), "GC cycles per million evicting writes")
		if got.goal != "GC cycles per million evicting writes ≤ 0.1x otter" || got.measured != tc.measured || got.met != tc.met || got.known != tc.known {
			t.Errorf("maxmem %d, otter %d cycles: %+v, want %q met=%v known=%v", tc.mm, tc.ot, got, tc.measured, tc.met, tc.known)
		}
	}
	if got := (&report{gcw: map[string]gcWritesResult{"maxmem": {Writes: 1}}}).gcWritesTarget(); got.known || got.measured != "–" {
		t.Errorf("otter not measured: %+v", got)
	}
}
