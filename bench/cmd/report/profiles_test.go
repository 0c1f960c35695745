package main

import (
	"strings"
	"testing"
	"time"
)

// A function's flat share counts the samples where it is innermost, its
// cum share those where it is anywhere, once per sample even when it
// recurses.
func TestShares(t *testing.T) {
	got := shares([]stackSample{
		{[]string{"a", "b", "a"}, 2},
		{[]string{"b"}, 1},
		{[]string{"c", "a"}, 1},
	})
	want := []funcShare{{"a", 0.5, 0.75}, {"b", 0.25, 0.75}, {"c", 0.25, 0.25}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("share %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := shares(nil); len(got) != 0 {
		t.Errorf("shares of no samples = %+v", got)
	}
}

// topBy ranks by the key, breaks ties by name, drops what skip names and
// zero shares, and keeps n.
func TestTopBy(t *testing.T) {
	fs := []funcShare{{"d", 0.1, 0.9}, {"c", 0.3, 0.3}, {"b", 0.3, 0.5}, {"main.loop", 0.2, 1}, {"e", 0, 0.2}}
	names := func(fs []funcShare) string {
		var s []string
		for _, f := range fs {
			s = append(s, f.Func)
		}
		return strings.Join(s, ",")
	}
	if got := names(topBy(fs, 3, func(f funcShare) float64 { return f.Flat }, func(string) bool { return false })); got != "b,c,main.loop" {
		t.Errorf("by flat = %s, want b,c,main.loop", got)
	}
	if got := names(topBy(fs, 10, func(f funcShare) float64 { return f.Flat }, func(string) bool { return false })); got != "b,c,main.loop,d" {
		t.Errorf("by flat, all = %s, want b,c,main.loop,d (e has no flat time)", got)
	}
	if got := names(topBy(fs, 2, func(f funcShare) float64 { return f.Cum }, harness)); got != "d,b" {
		t.Errorf("by cum = %s, want d,b", got)
	}
}

// The harness is the measuring loop, the adapters and the runtime's
// entry points; the cache's and the runtime's own work are not.
func TestHarness(t *testing.T) {
	for fn, want := range map[string]bool{
		"main.measureProfile.func1":                                     true,
		"github.com/maxmem/maxmem/bench/internal/peers.maxmemCache.Get": true,
		"runtime.main":   true,
		"runtime.goexit": true,
		"github.com/maxmem/maxmem.(*Cache[...]).Get": false,
		"runtime.mallocgc":                           false,
	} {
		if got := harness(fn); got != want {
			t.Errorf("harness(%q) = %v, want %v", fn, got, want)
		}
	}
}

// shortName keeps the last element of the import path and hides type
// arguments, nested or holding slashes.
func TestShortName(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/maxmem/maxmem.(*Cache[go.shape.string,go.shape.[]uint8]).Get": "maxmem.(*Cache[...]).Get",
		"github.com/maxmem/maxmem.getPacked[go.shape.[]uint8]":                    "maxmem.getPacked[...]",
		"x.F[go.shape.*github.com/a/b.T]":                                         "x.F[...]",
		"internal/runtime/maps.(*Map).getWithKey":                                 "maps.(*Map).getWithKey",
		"runtime.mallocgc": "runtime.mallocgc",
	} {
		if got := shortName(in); got != want {
			t.Errorf("shortName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The profile table puts the flat ranking next to the cum ranking, which
// leaves the harness out; the longer ranking sets the rows.
func TestProfileTable(t *testing.T) {
	got := profileTable([]funcShare{
		{"main.loop", 0.1, 1},
		{"github.com/maxmem/maxmem.(*Cache[go.shape.string]).Get", 0.2, 0.9},
		{"github.com/maxmem/maxmem.lookup", 0.7, 0.7},
	}, 15)
	want := "| # | function, by flat | flat | function, by cum | cum |\n|---:|---|---:|---|---:|\n" +
		"| 1 | `maxmem.lookup` | 70.0 % | `maxmem.(*Cache[...]).Get` | 90.0 % |\n" +
		"| 2 | `maxmem.(*Cache[...]).Get` | 20.0 % | `maxmem.lookup` | 70.0 % |\n" +
		"| 3 | `main.loop` | 10.0 % |  |  |\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A profile of an unknown operation or cache is refused before anything
// runs.
func TestMeasureProfileRejectsBadInput(t *testing.T) {
	if _, err := measureProfile("maxmem", "GetSomething", time.Millisecond); err == nil || !strings.Contains(err.Error(), "GetSomething") {
		t.Errorf("unknown op: err = %v", err)
	}
	if _, err := measureProfile("nocache", "GetHit", time.Millisecond); err == nil || !strings.Contains(err.Error(), "nocache") {
		t.Errorf("unknown cache: err = %v", err)
	}
}

// runFor numbers its calls from 0 and makes at least one batch, so a
// zero duration still yields a figure per operation.
func TestRunForMakesAtLeastOneBatch(t *testing.T) {
	next := 0
	n, _ := runFor(0, func(i int) {
		if i != next {
			t.Fatalf("call %d got index %d", next, i)
		}
		next++
	})
	if n != runBatch || next != runBatch {
		t.Errorf("runFor(0) made %d calls (counted %d), want %d", n, next, runBatch)
	}
}
