package main

import (
	"slices"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/gen"
)

// TestGeneratedTraces: -only picks generators by name, -generators=false
// drops them, and each gets the generators' sizes and -limit.
func TestGeneratedTraces(t *testing.T) {
	got := generatedTraces(config{generators: true, only: map[string]bool{"loop-1.2x": true, "gli": true}, limit: 1000})
	if len(got) != 1 || got[0].Name != "loop-1.2x" || got[0].gen == nil || !slices.Equal(got[0].sizes, gen.Sizes) {
		t.Fatalf("got %+v, want loop-1.2x alone at gen.Sizes", got)
	}
	if !got[0].capped() || got[0].length(0, got[0].limit) != 1000 {
		t.Errorf("-limit 1000 not applied: capped %v, length %d", got[0].capped(), got[0].length(0, got[0].limit))
	}
	if all := generatedTraces(config{generators: true}); len(all) != len(gen.All()) {
		t.Errorf("%d generated traces, want %d", len(all), len(gen.All()))
	}
	if none := generatedTraces(config{}); len(none) != 0 {
		t.Errorf("-generators=false gave %d traces", len(none))
	}
}

// TestStreams: every user of a generated stream gets the same requests,
// made once, and the stream is dropped after its last user.
func TestStreams(t *testing.T) {
	tr := generatedTraces(config{generators: true, only: map[string]bool{"shift-2x": true}, limit: 5000})[0]
	ss := newStreams()
	a := ss.acquire(tr, 0, 1, 2, tr.limit)
	b := ss.acquire(tr, 0, 1, 2, tr.limit)
	if len(a) != 5000 || &a[0] != &b[0] {
		t.Fatalf("two users got different streams (%d, %d requests)", len(a), len(b))
	}
	if want := tr.gen.Requests(int(tr.sizes[1]))[:5000]; !slices.Equal(a, want) {
		t.Error("stream differs from the generator's requests")
	}
	ss.release(tr, 0, 1)
	if len(ss.live) != 1 {
		t.Fatalf("stream dropped before its last user")
	}
	ss.release(tr, 0, 1)
	if len(ss.live) != 0 {
		t.Errorf("stream kept after its last user")
	}
}
