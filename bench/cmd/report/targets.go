package main

import (
	"fmt"
	"strings"
)

// target is one goal of the "Core v2" issue and its outcome.
type target struct {
	goal     string
	measured string
	met      bool
	known    bool
}

// targetSection prints each goal, what was measured and whether it is
// met; goals whose inputs were not measured say so.
func (r *report) targetSection() error {
	r.printf("## Targets\n\n| goal | measured | met |\n|---|---|---|\n")
	for _, t := range r.targets() {
		verdict := "not measured"
		if t.known {
			verdict = map[bool]string{true: "yes", false: "**no**"}[t.met]
		}
		r.printf("| %s | %s | %s |\n", t.goal, t.measured, verdict)
	}
	r.printf("\n")
	return nil
}

// targets lists the goals in the order: throughput of both
// variants, one goroutine, memory and GC, scale, and allkeys-tinylfu's
// cost.
func (r *report) targets() []target {
	ts := r.throughputTargets("prefilled", "", insertEvict)
	ts = append(ts, r.throughputTargets("look-aside", lookAside)...)
	return append(ts,
		r.ttlTarget(),
		r.latencyTarget("Get hit", "GetHit", "map", "built-in map", 1.5),
		r.latencyTarget("Set of an existing key", "SetUpdate", "golang-lru", "golang-lru", 1.5),
		r.latencyTarget("Set that evicts", "SetInsertEvict", "otter", "otter", 1.0),
		r.allocsTarget(),
		r.overheadRatioTarget(),
		r.overheadBytesTarget(),
		r.forcedGCTarget(),
		r.gcWritesTarget(),
		r.scaleTarget(),
		r.tinyLFUCostTarget(),
	)
}

// check is what a target compares: maxmem's figure over a comparand's
// in each cell the target spans, and the bound every ratio must keep.
type check struct {
	cells   []cell   // the ratios measured
	missing []string // cells of the span with no figures
	bound   float64
	atMost  bool // ratios must be ≤ bound (costs); otherwise ≥ bound (speeds)
}

// keeps tells whether a ratio keeps the bound.
func (c check) keeps(v float64) bool {
	if c.atMost {
		return v <= c.bound
	}
	return v >= c.bound
}

// worst returns the cell furthest on the wrong side: the highest ratio
// of a cost, the lowest of a speed.
func (c check) worst() (cell, bool) {
	if c.atMost {
		return highest(c.cells)
	}
	return lowest(c.cells)
}

// judge turns a check into a target row. One cell that breaks the bound
// misses the target; it is met only when every cell of the span was
// measured and keeps the bound. The figure shown is the worst cell (the
// only one, with its detail, when the target spans one cell).
func (c check) judge(goal string) target {
	t := target{goal: goal, measured: "–"}
	w, ok := c.worst()
	if !ok {
		return t
	}
	switch {
	case len(c.cells)+len(c.missing) > 1:
		t.measured = fmt.Sprintf("%.2fx at worst (%s)", w.v, w.at)
	case w.at != "":
		t.measured = fmt.Sprintf("%.2fx (%s)", w.v, w.at)
	default:
		t.measured = fmt.Sprintf("%.2fx", w.v)
	}
	if len(c.missing) > 0 {
		t.measured += "; not measured: " + strings.Join(c.missing, ", ")
	}
	t.met = c.keeps(w.v)
	t.known = !t.met || len(c.missing) == 0
	return t
}

// throughputTargets returns the four throughput goals of a variant
// (runs named with prefix): ≥ 1.0x otter and every other cache at 100,
// 90 and 75 % reads; ≥ 1.5x otter and ≥ 1.0x every other cache at 50,
// 25 and 0 % reads and the extra runs.
func (r *report) throughputTargets(variant, prefix string, extra ...string) []target {
	readHeavy := readRuns(prefix, 100, 90, 75)
	writeHeavy := append(readRuns(prefix, 50, 25, 0), extra...)
	span := "50, 25, 0 % reads"
	if len(extra) > 0 {
		span += " and " + strings.Join(extra, ", ")
	}
	goal := func(span, bound string) string {
		return fmt.Sprintf("%s: throughput at %s ≥ %s", variant, span, bound)
	}
	others := otherCaches()
	return []target{
		r.speedCheck(readHeavy, []string{"otter"}, 1.0).judge(goal("100, 90, 75 % reads", "1.0x otter")),
		r.speedCheck(readHeavy, others, 1.0).judge(goal("100, 90, 75 % reads", "1.0x every other cache")),
		r.speedCheck(writeHeavy, []string{"otter"}, 1.5).judge(goal(span, "1.5x otter")),
		r.speedCheck(writeHeavy, others, 1.0).judge(goal(span, "1.0x every other cache")),
	}
}

// ttlTarget checks the TTL mix against otter.
func (r *report) ttlTarget() target {
	return r.speedCheck([]string{ttlRun}, []string{"otter"}, 1.0).judge("throughput with a TTL on every entry (" + ttlRun + ") ≥ 1.0x otter")
}

// speedCheck compares maxmem's ops/s in each run with each of against
// that has a figure in the run. A cell names the run, and the cache
// when there are several. A run is missing when maxmem or every one of
// against lacks a figure in it.
func (r *report) speedCheck(runs, against []string, bound float64) check {
	c := check{bound: bound}
	for _, run := range runs {
		mm, ok := r.bench.median(throughputName(run, "maxmem"), "ops/s")
		found := false
		for _, other := range against {
			v, ok2 := r.bench.median(throughputName(run, other), "ops/s")
			if !ok || !ok2 || v == 0 {
				continue
			}
			at := run
			if len(against) > 1 {
				at = other + " at " + run
			}
			c.cells, found = append(c.cells, cell{mm / v, at}), true
		}
		if !found {
			c.missing = append(c.missing, run)
		}
	}
	return c
}

// latencyTarget checks maxmem's one-goroutine ns/op in op against a
// comparand's: at most bound times it. label names the comparand.
func (r *report) latencyTarget(what, op, against, label string, bound float64) target {
	goal := fmt.Sprintf("one goroutine: %s ≤ %.1fx %s", what, bound, label)
	c := check{bound: bound, atMost: true}
	mm, ok1 := r.bench.median(latencyName(op, "maxmem"), "ns/op")
	other, ok2 := r.bench.median(latencyName(op, against), "ns/op")
	if !ok1 || !ok2 || other == 0 {
		return target{goal: goal, measured: "–"}
	}
	c.cells = []cell{{mm / other, fmt.Sprintf("%.1f ns vs %.1f ns", mm, other)}}
	return c.judge(goal)
}

// allocsTarget checks that maxmem's Get hit, Set update and Set
// insert+evict allocate nothing, and names those that do.
func (r *report) allocsTarget() target {
	t := target{goal: "one goroutine: 0 allocs/op for Get hit, Set of an existing key and Set that evicts", measured: "–"}
	var allocating []string
	for _, op := range []string{"GetHit", "SetUpdate", "SetInsertEvict"} {
		v, ok := r.bench.median(latencyName(op, "maxmem"), "allocs/op")
		if !ok {
			return t
		}
		if v != 0 {
			allocating = append(allocating, fmt.Sprintf("%s %.0f", op, v))
		}
	}
	t.measured, t.met, t.known = "0 in each", len(allocating) == 0, true
	if !t.met {
		t.measured = strings.Join(allocating, ", ")
	}
	return t
}

// tinyLFUCostTarget checks the hit-ratio issue's bound on the cost of
// allkeys-tinylfu: on every throughput run of both variants, at least
// 0.9x allkeys-lru's ops/s. It reports the worst run.
func (r *report) tinyLFUCostTarget() target {
	c := check{bound: 0.9}
	for _, run := range append(prefilledRuns(), lookAsideRuns()...) {
		v, ok := r.ratio(throughputName(run, "maxmem-tinylfu"), throughputName(run, "maxmem"), "ops/s")
		if !ok {
			c.missing = append(c.missing, run)
			continue
		}
		c.cells = append(c.cells, cell{v, run})
	}
	return c.judge("allkeys-tinylfu throughput ≥ 0.9x allkeys-lru on every run, both variants")
}

// scaleTarget checks that from the smallest to the largest size of the
// scale table maxmem's Get and Set grow no faster than the built-in
// map's lookup of the same keys: cost at the largest size over cost at
// the smallest, maxmem's at most the map's.
func (r *report) scaleTarget() target {
	lo, hi, ok := sizeRange(r.scale)
	if !ok {
		return target{goal: fmt.Sprintf("scale: Get and Set grow no faster than a built-in map's lookup from 10,000 to %s entries", commas(r.o.scaleMax)), measured: "–"}
	}
	t := target{goal: fmt.Sprintf("scale: Get and Set grow no faster than a built-in map's lookup from %s to %s entries", commas(lo.N), commas(hi.N))}
	get, set, m := hi.GetNs/lo.GetNs, hi.SetNs/lo.SetNs, hi.MapGetNs/lo.MapGetNs
	t.measured = fmt.Sprintf("Get %.1fx, Set %.1fx; map %.1fx", get, set, m)
	t.met, t.known = get <= m && set <= m, true
	return t
}

// sizeRange returns the smallest and the largest size measured, or false
// when there are not two sizes with every cost measured.
func sizeRange(rs []scaleResult) (lo, hi scaleResult, ok bool) {
	for i, s := range rs {
		if s.GetNs <= 0 || s.SetNs <= 0 || s.MapGetNs <= 0 {
			return lo, hi, false
		}
		if i == 0 || s.N < lo.N {
			lo = s
		}
		if i == 0 || s.N > hi.N {
			hi = s
		}
	}
	return lo, hi, lo.N < hi.N
}

// cell is one compared figure of a target and where it was measured.
type cell struct {
	v  float64
	at string
}

// lowest returns the cell with the lowest figure, or false if there is
// none.
func lowest(cells []cell) (cell, bool) {
	return extreme(cells, func(a, b float64) bool { return a < b })
}

// highest returns the cell with the highest figure, or false if there
// is none.
func highest(cells []cell) (cell, bool) {
	return extreme(cells, func(a, b float64) bool { return a > b })
}

// extreme returns the first cell no other cell beats, or false if there
// is none.
func extreme(cells []cell, beats func(a, b float64) bool) (cell, bool) {
	if len(cells) == 0 {
		return cell{}, false
	}
	w := cells[0]
	for _, c := range cells[1:] {
		if beats(c.v, w.v) {
			w = c
		}
	}
	return w, true
}

// ttlOverhead returns a cache's overhead per entry with TTL.
func (r *report) ttlOverhead(name string) (float64, bool) {
	m, ok := r.mem[name]
	if !ok || m[1].N == 0 {
		return 0, false
	}
	return m[1].PerEntry - keyLen - valueLen, true
}

// overheadRatioTarget checks maxmem's TTL overhead against otter's.
func (r *report) overheadRatioTarget() target {
	t := target{goal: "memory: overhead per entry with TTL ≤ 0.5x otter", measured: "–"}
	mm, ok1 := r.ttlOverhead("maxmem")
	ot, ok2 := r.ttlOverhead("otter")
	if ok1 && ok2 && ot > 0 {
		v := mm / ot
		t.measured = fmt.Sprintf("%.2fx (%.0f B vs %.0f B)", v, mm, ot)
		t.met, t.known = v <= 0.5, true
	}
	return t
}

// overheadBytesTarget checks maxmem's TTL overhead in bytes.
func (r *report) overheadBytesTarget() target {
	t := target{goal: "memory: overhead per entry with TTL ≤ 64 B", measured: "–"}
	if mm, ok := r.ttlOverhead("maxmem"); ok {
		t.measured, t.met, t.known = fmt.Sprintf("%.0f B", mm), mm <= 64, true
	}
	return t
}

// forcedGCTarget checks maxmem's forced GC time against otter's.
func (r *report) forcedGCTarget() target {
	t := target{goal: fmt.Sprintf("GC: forced GC at %s entries ≤ 0.5x otter", commas(r.o.gcN)), measured: "–"}
	mm, ok1 := r.gc["maxmem"]
	ot, ok2 := r.gc["otter"]
	if ok1 && ok2 && ot.ForcedGC > 0 {
		v := float64(mm.ForcedGC) / float64(ot.ForcedGC)
		t.measured = fmt.Sprintf("%.2fx (%.1f ms vs %.1f ms)", v, ms(mm.ForcedGC.Seconds()), ms(ot.ForcedGC.Seconds()))
		t.met, t.known = v <= 0.5, true
	}
	return t
}

// gcWritesGoal is the goal of the evicting-writes GC target, and
// gcWritesBound its bound on maxmem's GC cycles over otter's.
const (
	gcWritesGoal  = "GC cycles per million evicting writes ≤ 0.1x otter"
	gcWritesBound = 0.1
)

// gcWritesTarget checks maxmem's GC cycles per million evicting writes
// against otter's.
func (r *report) gcWritesTarget() target {
	mm, ok1 := r.gcw["maxmem"]
	ot, ok2 := r.gcw["otter"]
	if !ok1 || !ok2 {
		return target{goal: gcWritesGoal, measured: "–"}
	}
	return judgeCycles(mm.cyclesPerMillion(), ot.cyclesPerMillion())
}

// judgeCycles compares maxmem's GC cycles per million writes with
// otter's. When otter ran none the ratio is not taken: maxmem running
// some misses the target, neither running any leaves it not measured.
func judgeCycles(mm, ot float64) target {
	t := target{goal: gcWritesGoal}
	switch {
	case ot > 0:
		v := mm / ot
		t.measured = fmt.Sprintf("%.2fx (%.2f vs %.2f cycles per million writes)", v, mm, ot)
		t.met, t.known = v <= gcWritesBound, true
	case mm > 0:
		t.measured = fmt.Sprintf("otter ran no GC cycle, maxmem %.2f per million writes", mm)
		t.known = true
	default:
		t.measured = "neither ran a GC cycle (more writes: -gcw-writes)"
	}
	return t
}
