package bench_test

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// tracesDir returns the trace directory: $HITRATIO_TRACES, or the default
// of cmd/hitratio relative to this directory.
func tracesDir() string {
	if d := os.Getenv("HITRATIO_TRACES"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "traces")
}

// checkPublishedLRU replays a trace through the exact-LRU reference at the
// published sizes and compares the hit ratios with the published ones.
func checkPublishedLRU(t *testing.T, name string) {
	t.Helper()
	pub, ok := sim.LookupPublished(name)
	if !ok {
		t.Fatalf("no published figures for %s", name)
	}
	entries, err := trace.LoadSources(tracesDir())
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no traces in %s (set HITRATIO_TRACES): %v", tracesDir(), err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var entry *trace.Entry
	for i := range entries {
		if entries[i].Name == name {
			entry = &entries[i]
		}
	}
	if entry == nil {
		t.Fatalf("%s is not listed in SOURCES.txt", name)
	}
	reqs, err := trace.ReadAll(filepath.Join(tracesDir(), entry.File), entry.Format)
	if err != nil {
		t.Fatal(err)
	}
	for i, size := range pub.Sizes {
		got := sim.Replay(sim.NewLRU(size), reqs).HitRatio()
		if d := math.Abs(got - pub.LRU[i]); d > sim.Tolerance+1e-9 {
			t.Errorf("%s at %d: exact LRU %.2f%%, published %.2f%% (%s)", name, size, got, pub.LRU[i], pub.Source)
		}
	}
}

// TestHitRatioSelfCheck checks the simulator's exact LRU against the
// published LRU curve of gli, the smallest trace with published figures
// (6015 requests): every figure must match within 0.05 points.
func TestHitRatioSelfCheck(t *testing.T) {
	checkPublishedLRU(t, "gli")
}

// TestHitRatioSelfCheckAll checks the other published curves (OLTP, loop,
// P3, cloudPhysicsIO); it takes a few seconds and is skipped with -short.
func TestHitRatioSelfCheckAll(t *testing.T) {
	if testing.Short() {
		t.Skip("long traces; run without -short")
	}
	for _, p := range sim.PublishedLRU {
		if p.Trace != "gli" {
			t.Run(p.Trace, func(t *testing.T) { checkPublishedLRU(t, p.Trace) })
		}
	}
}
