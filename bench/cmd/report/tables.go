package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/maxmem/maxmem/bench/internal/peers"
	"github.com/maxmem/maxmem/bench/internal/svgplot"
)

// readShares are the read percentages of BenchmarkThroughput.
var readShares = []int{100, 90, 75, 50, 25, 0}

// throughputName is the benchmark name of one throughput run.
func throughputName(run, cache string) string {
	return "BenchmarkThroughput/" + run + "/cache=" + cache
}

// latencyName is the benchmark name of one latency run.
func latencyName(op, cache string) string {
	return "BenchmarkLatency/op=" + op + "/cache=" + cache
}

// throughputRuns are the columns of the throughput table.
func throughputRuns() []string {
	var runs []string
	for _, r := range readShares {
		runs = append(runs, fmt.Sprintf("reads=%d%%", r))
	}
	return append(runs, "insert-evict", "ttl-reads=75%")
}

// benchSections reads -bench output and prints the throughput and
// latency tables, and writes the plot.
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
	r.throughputTable()
	r.latencyTable()
	return r.writePlot()
}

// throughputTable prints median Mops/s per cache and run, and
// maxmem's ratio to otter.
func (r *report) throughputTable() {
	runs := throughputRuns()
	r.printf("## Throughput\n\nMillions of operations per second (median of runs), GOMAXPROCS goroutines, capacity 2^14, Zipf keys.\n\n")
	r.printf("| cache | %s |\n|---|%s\n", strings.Join(runs, " | "), strings.Repeat("---:|", len(runs)))
	for _, f := range peers.All() {
		cells := make([]string, len(runs))
		for i, run := range runs {
			cells[i] = "–"
			if v, ok := r.bench.median(throughputName(run, f.Name), "ops/s"); ok {
				cells[i] = fmt.Sprintf("%.1f", v/1e6)
			}
		}
		r.printf("| %s | %s |\n", f.Name, strings.Join(cells, " | "))
	}
	cells := make([]string, len(runs))
	for i, run := range runs {
		cells[i] = r.ratioCell(throughputName(run, "maxmem"), throughputName(run, "otter"), "ops/s")
	}
	r.printf("| **maxmem / otter** | %s |\n", strings.Join(cells, " | "))
	for i, run := range runs {
		cells[i] = r.ratioCell(throughputName(run, "maxmem-tinylfu"), throughputName(run, "maxmem"), "ops/s")
	}
	r.printf("| **maxmem-tinylfu / maxmem** | %s |\n\n", strings.Join(cells, " | "))
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

// latencyOps are the columns of the latency table.
var latencyOps = []string{"GetHit", "GetMiss", "SetUpdate", "SetInsertEvict"}

// latencyTable prints median ns/op and allocs/op per cache and op.
func (r *report) latencyTable() {
	r.printf("## Latency\n\nOne goroutine, capacity 2^14, prefilled; ns/op (allocs/op), medians. `map` is a built-in map read without a lock.\n\n")
	r.printf("| cache | %s |\n|---|%s\n", strings.Join(latencyOps, " | "), strings.Repeat("---:|", len(latencyOps)))
	names := []string{"map"}
	for _, f := range peers.All() {
		names = append(names, f.Name)
	}
	for _, name := range names {
		cells := make([]string, len(latencyOps))
		for i, op := range latencyOps {
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
	cells := make([]string, len(latencyOps))
	for i, op := range latencyOps {
		cells[i] = r.ratioCell(latencyName(op, "maxmem"), latencyName(op, "otter"), "ns/op")
	}
	r.printf("| **maxmem / otter** | %s |\n", strings.Join(cells, " | "))
	r.printf("| **maxmem / map** | %s | | | |\n\n", r.ratioCell(latencyName("GetHit", "maxmem"), latencyName("GetHit", "map"), "ns/op"))
}

// writePlot draws median ops/s against read share, one line per cache.
func (r *report) writePlot() error {
	chart := svgplot.Chart{
		Title:  "Throughput by read share (capacity 2^14, Zipf keys)",
		XLabel: "reads (%)",
		YLabel: "million ops/s",
	}
	for _, f := range peers.All() {
		s := svgplot.Series{Name: f.Name}
		for _, share := range readShares {
			if v, ok := r.bench.median(throughputName(fmt.Sprintf("reads=%d%%", share), f.Name), "ops/s"); ok {
				s.X = append(s.X, float64(share))
				s.Y = append(s.Y, v/1e6)
			}
		}
		if len(s.X) > 0 {
			chart.Series = append(chart.Series, s)
		}
	}
	out, err := os.Create(r.o.svgFile)
	if err != nil {
		return err
	}
	if err := chart.WriteSVG(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
