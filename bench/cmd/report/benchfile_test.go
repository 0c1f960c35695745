package main

import (
	"strings"
	"testing"
)

// TestParseBench checks names lose their -N suffix and medians are
// taken per unit.
func TestParseBench(t *testing.T) {
	in := `goos: linux
BenchmarkLatency/op=GetHit/cache=otter-2   	 100	 80.0 ns/op	 0 B/op	 0 allocs/op
BenchmarkLatency/op=GetHit/cache=otter-2   	 100	 90.0 ns/op	 0 B/op	 0 allocs/op
BenchmarkLatency/op=GetHit/cache=otter-2   	 100	 70.0 ns/op	 0 B/op	 0 allocs/op
BenchmarkThroughput/reads=90%/cache=lru-expirable-2 	 5	 100 ns/op	 2e+07 ops/s
PASS
`
	b, err := parseBench(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := b.median("BenchmarkLatency/op=GetHit/cache=otter", "ns/op"); !ok || m != 80 {
		t.Errorf("median ns/op = %v, %v; want 80", m, ok)
	}
	if m, ok := b.median("BenchmarkThroughput/reads=90%/cache=lru-expirable", "ops/s"); !ok || m != 2e7 {
		t.Errorf("median ops/s = %v, %v; want 2e7", m, ok)
	}
	if _, ok := b.median("BenchmarkNope", "ns/op"); ok {
		t.Error("median of a missing benchmark")
	}
}
