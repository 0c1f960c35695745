// Command report measures what the go test benchmarks cannot: heap
// retained per entry, forced-GC time and GC CPU share at millions of
// entries, the GC that evicting writes cause, and how maxmem's latency
// scales with its size. It runs each measurement in a subprocess of
// itself so heaps never mix, and prints markdown tables. Given go test
// -bench output (-bench FILE), it also tabulates throughput (prefilled
// and look-aside) and latency as medians with ratios to otter and the
// best other cache, draws ops/s by read share as two SVGs, and checks
// the targets of the "Core v2" issue. With -profiles it also runs
// maxmem's Get hit and evicting Set under the CPU profiler and lists
// where the time goes.
//
// It is a manual tool, not part of CI:
//
//	cd bench
//	go test -run '^$' -bench . -count 6 -timeout 60m | tee bench.txt
//	go run ./cmd/report -bench bench.txt -profiles > report.md
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// options are the command-line flags.
type options struct {
	child     string // internal: the measurement a subprocess runs
	cache     string // internal: the cache a subprocess measures
	ttl       bool   // internal: whether entries get a TTL
	n         int    // internal: entries for the subprocess
	op        string // internal: the BenchmarkLatency operation to profile
	benchFile string
	svgFile   string
	svgAside  string // the look-aside plot
	profiles  bool
	profTime  time.Duration // how long each profiled operation runs
	profOps   string        // the BenchmarkLatency operations to profile
	profTop   int           // functions listed per ranking
	memN      int
	gcN       int
	gcOps     int
	gcGarbage int
	gcwN      int // entries resident for the evicting-writes GC table
	gcwWrites int // evicting writes of that table
	scaleMax  int
	sections  string
	caches    string // caches the measured sections run, comma-separated; all when empty
}

func main() {
	var o options
	flag.StringVar(&o.child, "child", "", "internal: run one measurement (mem, gc, gcwrites, scale, profile) and print JSON")
	flag.StringVar(&o.cache, "cache", "", "internal: cache to measure")
	flag.BoolVar(&o.ttl, "ttl", false, "internal: write entries with a TTL")
	flag.IntVar(&o.n, "n", 0, "internal: number of entries")
	flag.StringVar(&o.op, "op", "", "internal: BenchmarkLatency operation to profile")
	flag.StringVar(&o.benchFile, "bench", "", "go test -bench output to tabulate (optional)")
	flag.StringVar(&o.svgFile, "svg", "throughput.svg", "where to write the throughput plot (with -bench)")
	flag.StringVar(&o.svgAside, "svg-lookaside", "throughput-lookaside.svg", "where to write the look-aside throughput plot (with -bench)")
	flag.BoolVar(&o.profiles, "profiles", false, "also profile maxmem's operations (the profiles section)")
	flag.DurationVar(&o.profTime, "profile-time", 5*time.Second, "how long each operation runs under the CPU profiler")
	flag.StringVar(&o.profOps, "profile-ops", "GetHit,SetInsertEvict", "BenchmarkLatency operations to profile, comma-separated")
	flag.IntVar(&o.profTop, "profile-top", 15, "functions listed in each ranking of the profiles section")
	flag.IntVar(&o.memN, "mem-n", 1_000_000, "entries for the memory table")
	flag.IntVar(&o.gcN, "gc-n", 5_000_000, "entries resident for the GC table")
	flag.IntVar(&o.gcOps, "gc-ops", 10_000_000, "operations of the mixed workload in the GC table")
	flag.IntVar(&o.gcGarbage, "gc-garbage", 512, "bytes of pointer-free garbage each workload operation allocates")
	flag.IntVar(&o.gcwN, "gcw-n", 1_000_000, "entries resident for the GC table of evicting writes")
	flag.IntVar(&o.gcwWrites, "gcw-writes", 10_000_000, "evicting writes in the GC table of evicting writes")
	flag.IntVar(&o.scaleMax, "scale-max", 10_000_000, "largest size of the scale table")
	flag.StringVar(&o.sections, "sections", "env,bench,mem,gc,gcwrites,scale,targets", "sections to print, comma-separated (profiles runs only with -profiles or when named here)")
	flag.StringVar(&o.caches, "caches", "", "caches the mem, gc and gcwrites sections measure, comma-separated (default all)")
	flag.Parse()

	var err error
	if o.child != "" {
		err = runChild(o, os.Stdout)
	} else {
		err = runReport(o, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// runReport prints the requested sections to w.
func runReport(o options, w io.Writer) error {
	r := &report{o: o, w: w}
	return r.run()
}
