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

// recorder is a peers.Cache that remembers the last key it was asked for
// and the last value it was given.
type recorder struct {
	key   string
	value []byte
	gets  int
	sets  int
}

func (c *recorder) Name() string                               { return "recorder" }
func (c *recorder) Get(k string) ([]byte, bool)                { c.key, c.gets = k, c.gets+1; return nil, false }
func (c *recorder) Set(k string, v []byte)                     { c.key, c.value, c.sets = k, v, c.sets+1 }
func (c *recorder) SetTTL(k string, v []byte, _ time.Duration) { c.Set(k, v) }
func (c *recorder) Len() int                                   { return 0 }
func (c *recorder) Close()                                     {}

// The profiled operations are BenchmarkLatency's: Get hit reads the Zipf
// keys, Get miss keys never stored, Set update alternates a stored key's
// value with its update, and Set-evict writes keys never in the prefill.
func TestLatencyOps(t *testing.T) {
	x := newLatencyFixture()
	c := &recorder{}
	call := func(op string, i int) {
		t.Helper()
		run, err := x.op(op, c)
		if err != nil {
			t.Fatal(err)
		}
		run(i)
	}
	call("GetHit", latKeySpace+3)
	if c.key != x.keys[3] || c.gets != 1 {
		t.Errorf("GetHit read %q, want the Zipf key %q", c.key, x.keys[3])
	}
	call("GetMiss", 5)
	if c.key != x.missKeys[5] {
		t.Errorf("GetMiss read %q, want %q", c.key, x.missKeys[5])
	}
	call("SetUpdate", 7)
	if c.key != x.fillKeys[7] || string(c.value) != string(x.updates[7]) {
		t.Errorf("SetUpdate, first pass: %q=%q, want %q=%q", c.key, c.value, x.fillKeys[7], x.updates[7])
	}
	call("SetUpdate", latCapacity+7)
	if c.key != x.fillKeys[7] || string(c.value) != string(x.values[7]) {
		t.Errorf("SetUpdate, second pass: %q=%q, want %q=%q", c.key, c.value, x.fillKeys[7], x.values[7])
	}
	call("SetInsertEvict", 9)
	if c.key != x.insertKeys[9] || c.sets != 3 {
		t.Errorf("SetInsertEvict wrote %q, want %q", c.key, x.insertKeys[9])
	}
	if _, err := x.op("SetBogus", c); err == nil {
		t.Error("no error for an unknown operation")
	}
}

// The update values differ from the prefill's, and insert and miss keys
// are never prefilled.
func TestLatencyFixtureKeysAreDisjoint(t *testing.T) {
	x := newLatencyFixture()
	filled := map[string]bool{}
	for _, k := range x.fillKeys {
		filled[k] = true
	}
	for _, k := range x.keys {
		if !filled[k] {
			t.Fatalf("Zipf key %q is not prefilled", k)
		}
	}
	for _, ks := range [][]string{x.insertKeys, x.missKeys} {
		for _, k := range ks {
			if filled[k] {
				t.Fatalf("key %q is prefilled", k)
			}
		}
	}
	for i, u := range x.updates {
		if string(u) == string(x.values[i]) {
			t.Fatalf("update %d equals the prefilled value", i)
		}
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
