package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/maxmem/maxmem/bench"
	"github.com/maxmem/maxmem/bench/internal/peers"
	"github.com/maxmem/maxmem/bench/internal/svgplot"
)

// lookAside prefixes the read-share runs of the look-aside variant:
// "lookaside-reads=90%" is the look-aside twin of "reads=90%".
const lookAside = "lookaside-"

// Runs of BenchmarkThroughput that are not read shares.
const (
	insertEvict = "insert-evict"
	ttlRun      = "ttl-reads=75%"
)

// floors are the peers that are not caches: map+mutex keeps no recency
// and evicts an arbitrary entry. The tables show it as the floor; the
// targets against "every other cache" leave it out.
var floors = map[string]bool{"map+mutex": true}

// otherCaches returns the caches maxmem's targets compare with: every
// peer but the floors, in table order.
func otherCaches() []string {
	var names []string
	for _, f := range peers.Peers() {
		if !floors[f.Name] {
			names = append(names, f.Name)
		}
	}
	return names
}

// throughputName is the benchmark name of one throughput run.
func throughputName(run, cache string) string {
	return "BenchmarkThroughput/" + run + "/cache=" + cache
}

// latencyName is the benchmark name of one latency run.
func latencyName(op, cache string) string {
	return "BenchmarkLatency/op=" + op + "/cache=" + cache
}

// readRun names the run of the variant with the given prefix ("" or
// lookAside) at reads % reads.
func readRun(prefix string, reads int) string {
	return fmt.Sprintf("%sreads=%d%%", prefix, reads)
}

// readRuns returns the variant's run at each of the given read shares.
func readRuns(prefix string, shares ...int) []string {
	runs := make([]string, len(shares))
	for i, s := range shares {
		runs[i] = readRun(prefix, s)
	}
	return runs
}

// prefilledRuns are the columns of the prefilled throughput table.
func prefilledRuns() []string {
	return append(readRuns("", bench.ReadShares...), insertEvict, ttlRun)
}

// lookAsideRuns are the columns of the look-aside throughput table.
func lookAsideRuns() []string { return readRuns(lookAside, bench.ReadShares...) }

// benchSections reads -bench output and prints the throughput and
// latency tables, and writes the plots.
func (r *report) benchSections() error {
	if r.o.benchFile == "" {
		return nil
	}
	f, err := os.Open(r.o.benchFile)
	if err != nil {
		return err
	}
	defer f.Close()
	if r.bench, err = parseBench(f); err != nil {
		return err
	}
	r.printf("## Throughput\n\nMillions of operations per second (median of runs), GOMAXPROCS goroutines, capacity 2^14, Zipf keys. The cache is prefilled with 2^14 keys; the keys are drawn over 2^15/3 items, so the read-share runs never evict.\n\n")
	r.throughputTable(prefilledRuns())
	r.printf("### Look-aside\n\nThe same, with keys drawn over 4x the capacity (2^16 items): each Get that misses is followed by a Set of its key, the other operations are Sets, so every cache evicts all along.\n\n")
	r.throughputTable(lookAsideRuns())
	r.latencyTable()
	if err := r.writePlot(r.o.svgFile, "Throughput by read share (capacity 2^14, Zipf keys)", ""); err != nil {
		return err
	}
	return r.writePlot(r.o.svgAside, "Look-aside throughput by read share (capacity 2^14, Zipf keys over 4x that)", lookAside)
}

// throughputTable prints median Mops/s per cache and run, then maxmem's
// ratio to otter, to the best other cache and allkeys-tinylfu's to
// allkeys-lru.
func (r *report) throughputTable(runs []string) {
	labels := make([]string, len(runs))
	for i, run := range runs {
		labels[i] = strings.TrimPrefix(run, lookAside)
	}
	r.printf("| cache | %s |\n|---|%s\n", strings.Join(labels, " | "), strings.Repeat("---:|", len(runs)))
	for _, f := range peers.All() {
		r.printf("| %s | %s |\n", f.Name, r.rowCells(runs, func(run string) string { return r.mopsCell(run, f.Name) }))
	}
	r.printf("| **maxmem / otter** | %s |\n", r.rowCells(runs, func(run string) string {
		return r.ratioCell(throughputName(run, "maxmem"), throughputName(run, "otter"), "ops/s")
	}))
	r.printf("| **maxmem / best other cache** | %s |\n", r.rowCells(runs, r.bestOtherCell))
	r.printf("| **maxmem-tinylfu / maxmem** | %s |\n\n", r.rowCells(runs, func(run string) string {
		return r.ratioCell(throughputName(run, "maxmem-tinylfu"), throughputName(run, "maxmem"), "ops/s")
	}))
}

// rowCells joins cell(run) for every run into a table row's cells.
func (r *report) rowCells(runs []string, cell func(run string) string) string {
	cells := make([]string, len(runs))
	for i, run := range runs {
		cells[i] = cell(run)
	}
	return strings.Join(cells, " | ")
}

// mopsCell formats a cache's median ops/s in a run, in millions.
func (r *report) mopsCell(run, cache string) string {
	if v, ok := r.bench.median(throughputName(run, cache), "ops/s"); ok {
		return fmt.Sprintf("%.1f", v/1e6)
	}
	return "–"
}

// bestOther returns maxmem's ops/s in run over that of the fastest
// other cache (floors left out), named in the cell.
func (r *report) bestOther(run string) (cell, bool) {
	best, name := 0.0, ""
	for _, c := range otherCaches() {
		if v, ok := r.bench.median(throughputName(run, c), "ops/s"); ok && v > best {
			best, name = v, c
		}
	}
	mm, ok := r.bench.median(throughputName(run, "maxmem"), "ops/s")
	if !ok || best == 0 {
		return cell{}, false
	}
	return cell{mm / best, name}, true
}

// bestOtherCell formats bestOther for the table.
func (r *report) bestOtherCell(run string) string {
	if c, ok := r.bestOther(run); ok {
		return fmt.Sprintf("%.2fx (%s)", c.v, c.at)
	}
	return "–"
}

// ratioCell formats the ratio of two benchmarks' medians in unit.
func (r *report) ratioCell(num, den, unit string) string {
	if v, ok := r.ratio(num, den, unit); ok {
		return fmt.Sprintf("%.2fx", v)
	}
	return "–"
}

// ratio is the ratio of two benchmarks' medians in unit.
func (r *report) ratio(num, den, unit string) (float64, bool) {
	a, ok1 := r.bench.median(num, unit)
	b, ok2 := r.bench.median(den, unit)
	if !ok1 || !ok2 || b == 0 {
		return 0, false
	}
	return a / b, true
}

// latencyColumns are the latency table's operations: those LatencyOp
// knows, then DeleteSet, which only latency_test.go runs (so it cannot
// be profiled).
func latencyColumns() []string {
	return append(slices.Clone(bench.LatencyOps), "DeleteSet")
}

// latencyTable prints median ns/op and allocs/op per cache and op.
func (r *report) latencyTable() {
	ops := latencyColumns()
	r.printf("## Latency\n\nOne goroutine, capacity 2^14, prefilled; ns/op (allocs/op), medians. `map` is a built-in map read without a lock. DeleteSet deletes a stored key and sets it back.\n\n")
	r.printf("| cache | %s |\n|---|%s\n", strings.Join(ops, " | "), strings.Repeat("---:|", len(ops)))
	names := []string{"map"}
	for _, f := range peers.All() {
		names = append(names, f.Name)
	}
	for _, name := range names {
		cells := make([]string, len(ops))
		for i, op := range ops {
			cells[i] = "–"
			ns, ok := r.bench.median(latencyName(op, name), "ns/op")
			if !ok {
				continue
			}
			allocs, _ := r.bench.median(latencyName(op, name), "allocs/op")
			cells[i] = fmt.Sprintf("%.1f (%.0f)", ns, allocs)
		}
		r.printf("| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	cells := make([]string, len(ops))
	for i, op := range ops {
		cells[i] = r.ratioCell(latencyName(op, "maxmem"), latencyName(op, "otter"), "ns/op")
	}
	r.printf("| **maxmem / otter** | %s |\n", strings.Join(cells, " | "))
	r.printf("| **maxmem / map** | %s |%s\n\n", r.ratioCell(latencyName("GetHit", "maxmem"), latencyName("GetHit", "map"), "ns/op"),
		strings.Repeat(" |", len(ops)-1))
}

// writePlot draws median ops/s against read share, one line per cache,
// for the variant with the given run prefix. It writes nothing when file
// is empty or no run of the variant was measured.
func (r *report) writePlot(file, title, prefix string) error {
	chart := svgplot.Chart{Title: title, XLabel: "reads (%)", YLabel: "million ops/s"}
	for _, f := range peers.All() {
		s := svgplot.Series{Name: f.Name}
		for _, share := range bench.ReadShares {
			if v, ok := r.bench.median(throughputName(readRun(prefix, share), f.Name), "ops/s"); ok {
				s.X = append(s.X, float64(share))
				s.Y = append(s.Y, v/1e6)
			}
		}
		if len(s.X) > 0 {
			chart.Series = append(chart.Series, s)
		}
	}
	if file == "" || len(chart.Series) == 0 {
		return nil
	}
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := chart.WriteSVG(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
