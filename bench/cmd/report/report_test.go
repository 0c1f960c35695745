package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBench writes benchmark lines to a file in dir.
func writeBench(t *testing.T, dir string, lines []string) string {
	t.Helper()
	path := filepath.Join(dir, "bench.txt")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// From a bench file with both variants the report prints both tables and
// both variants' targets, and draws both plots.
func TestReportPrintsBothVariants(t *testing.T) {
	dir := t.TempDir()
	lines := everyCache(append(prefilledRuns(), lookAsideRuns()...), 2e6, 1e6, nil)
	o := options{benchFile: writeBench(t, dir, lines), svgFile: filepath.Join(dir, "a.svg"),
		svgAside: filepath.Join(dir, "b.svg"), sections: "bench,targets", scaleMax: 10_000_000, gcN: 5_000_000}
	var out strings.Builder
	if err := runReport(o, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### Look-aside",
		"| **maxmem / best other cache** | 2.00x (otter) |",
		"| look-aside: throughput at 50, 25, 0 % reads ≥ 1.5x otter | 2.00x at worst (lookaside-reads=50%) | yes |",
		"| prefilled: throughput at 50, 25, 0 % reads and insert-evict ≥ 1.5x otter | 2.00x at worst (reads=50%) | yes |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	for _, f := range []string{o.svgFile, o.svgAside} {
		if b, err := os.ReadFile(f); err != nil || !strings.Contains(string(b), "<svg") {
			t.Errorf("%s: %v, %.40q", f, err, b)
		}
	}
}

// A bench file of the prefilled runs only draws no look-aside plot and
// leaves the look-aside targets not measured.
func TestReportWithoutLookAsideRuns(t *testing.T) {
	dir := t.TempDir()
	o := options{benchFile: writeBench(t, dir, everyCache(prefilledRuns(), 2e6, 1e6, nil)),
		svgFile: filepath.Join(dir, "a.svg"), svgAside: filepath.Join(dir, "b.svg"), sections: "bench,targets"}
	var out strings.Builder
	if err := runReport(o, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(o.svgAside); !os.IsNotExist(err) {
		t.Errorf("look-aside plot written without look-aside runs (stat: %v)", err)
	}
	want := "| look-aside: throughput at 100, 90, 75 % reads ≥ 1.0x otter | – | not measured |"
	if !strings.Contains(out.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, out.String())
	}
}
