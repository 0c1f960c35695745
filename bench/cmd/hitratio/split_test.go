package main

import (
	"slices"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/suite"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// TestSmallSizes: an entry-count trace gets 64 and 128 entries below its
// own sizes when they are under two thirds of its smallest; a weighted
// trace keeps its own.
func TestSmallSizes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		distinct int
		format   trace.Format
		first    []int64
	}{
		{"OLTP", 0, trace.ARC, []int64{64, 128, 250}},         // published sizes from 250
		{"big", 90_000, trace.Int64BE, []int64{64, 128, 900}}, // 1 % is 900
		{"mid", 10_000, trace.LIRS, []int64{64, 100}},         // 128 is not under 2/3 of 100
		{"small", 7_100, trace.LIRS, []int64{71}},             // 64 is not under 2/3 of 71
		{"weighted", 1000, trace.AdaptSize, nil},
	} {
		lt := &loadedTrace{Entry: trace.Entry{Name: tc.name, Format: tc.format}, distinct: tc.distinct, bytes: 1 << 30}
		got := lt.chooseSizes()
		if tc.first == nil {
			if got[0] < 1<<20 {
				t.Errorf("%s: sizes %v: a weighted trace got entry sizes", tc.name, got)
			}
			continue
		}
		if !slices.Equal(got[:len(tc.first)], tc.first) || !slices.IsSorted(got) {
			t.Errorf("%s: sizes %v, want them to start %v", tc.name, got, tc.first)
		}
	}
}

// TestSetFlag: -set keeps one side of the split, with -only on top.
func TestSetFlag(t *testing.T) {
	for _, tr := range generatedTraces(config{generators: true, set: suite.HeldOut}) {
		if tr.member.Set != suite.HeldOut {
			t.Errorf("-set held-out kept %s (%s)", tr.Name, tr.member.Set)
		}
	}
	both := generatedTraces(config{generators: true, only: map[string]bool{"reuse": true, "reuse-hot": true}, set: suite.Tuning})
	if len(both) != 1 || both[0].Name != "reuse" {
		t.Errorf("-only reuse,reuse-hot -set tuning kept %d traces", len(both))
	}
}
