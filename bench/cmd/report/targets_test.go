package main

import (
	"fmt"
	"strings"
	"testing"
)

// The allocation target names every operation that allocates, and is met
// only when none does.
func TestAllocsTarget(t *testing.T) {
	for _, tc := range []struct {
		setUpdate string
		measured  string
		met       bool
	}{
		{"0", "0 in each", true},
		{"2", "SetUpdate 2", false},
	} {
		in := "BenchmarkLatency/op=GetHit/cache=maxmem-2 1 10 ns/op 0 allocs/op\n" +
			"BenchmarkLatency/op=SetUpdate/cache=maxmem-2 1 10 ns/op " + tc.setUpdate + " allocs/op\n" +
			"BenchmarkLatency/op=SetInsertEvict/cache=maxmem-2 1 10 ns/op 0 allocs/op\n"
		b, err := parseBench(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		got := (&report{bench: b}).allocsTarget()
		if got.measured != tc.measured || got.met != tc.met || !got.known {
			t.Errorf("SetUpdate %s allocs: %+v, want %q met=%v", tc.setUpdate, got, tc.measured, tc.met)
		}
	}
}

// The tinylfu target reports its worst read share.
func TestTinyLFUCostTargetReportsTheWorstShare(t *testing.T) {
	var in strings.Builder
	for _, reads := range readShares {
		lfu := "9e6"
		if reads == 50 {
			lfu = "5e6"
		}
		in.WriteString("BenchmarkThroughput/" + fmt.Sprintf("reads=%d%%", reads) + "/cache=maxmem-2 1 10 ns/op 1e7 ops/s\n")
		in.WriteString("BenchmarkThroughput/" + fmt.Sprintf("reads=%d%%", reads) + "/cache=maxmem-tinylfu-2 1 10 ns/op " + lfu + " ops/s\n")
	}
	b, err := parseBench(strings.NewReader(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	got := (&report{bench: b}).tinyLFUCostTarget()
	if got.measured != "0.50x at worst (reads=50%)" || got.met {
		t.Errorf("got %+v", got)
	}
}

// The scale target compares the dearest size with the cheapest, whichever
// they are.
func TestScaleTarget(t *testing.T) {
	r := &report{o: options{scaleMax: 1_000_000}, scale: []scaleResult{
		{N: 10_000, GetNs: 100, SetNs: 200},
		{N: 100_000, GetNs: 900, SetNs: 900},
		{N: 1_000_000, GetNs: 120, SetNs: 300},
	}}
	got := r.scaleTarget()
	if got.measured != "Get 9.0x, Set 4.5x" || got.met || !got.known {
		t.Errorf("got %+v", got)
	}
}

// The table's best-other-cache row leaves out map+mutex, which is not a
// cache.
func TestBestOtherLeavesOutTheMutexMap(t *testing.T) {
	in := "BenchmarkThroughput/reads=0%/cache=maxmem-2 1 10 ns/op 3e6 ops/s\n" +
		"BenchmarkThroughput/reads=0%/cache=otter-2 1 10 ns/op 2e6 ops/s\n" +
		"BenchmarkThroughput/reads=0%/cache=golang-lru-2 1 10 ns/op 4e6 ops/s\n" +
		"BenchmarkThroughput/reads=0%/cache=map+mutex-2 1 10 ns/op 9e6 ops/s\n"
	b, err := parseBench(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := (&report{bench: b}).bestOtherCell("reads=0%"); got != "0.75x (golang-lru)" {
		t.Errorf("best other cell = %q, want 0.75x (golang-lru)", got)
	}
}
