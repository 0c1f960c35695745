package policymodel

import (
	"testing"

	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// TestJudgeAdmitsWhatComesBack: on steady reuse, where half the new keys
// come back within half a cache-size and the victims rarely do, the judge
// learns to admit candidates that tie with their victims, and the hit
// ratio rises well above the sketch's own rule; the judge's bytes are
// charged with the rest.
func TestJudgeAdmitsWhatComesBack(t *testing.T) {
	reqs := mustGen(t, "reuse", 2000)
	judged, c := replayModel(Judged, 2000, reqs)
	plain, _ := replayModel(Recommended, 2000, reqs)
	j := c.pol.(*tinyLFU).judge
	if !j.admit(0) {
		t.Errorf("after steady reuse the judge rejects ties: %v", j.first[diffBias])
	}
	if judged < plain+2 {
		t.Errorf("reuse@2000: with the judge %.2f %%, without %.2f %%", judged, plain)
	}
	if want := int64(len(j.ring)) * recordBytes; len(j.ring) == 0 || c.PolicyBytes() < want {
		t.Errorf("judge ring of %d records, policy bytes %d", len(j.ring), c.PolicyBytes())
	}
}

// TestJudgeKeepsALoop: in a loop just longer than the cache the victim
// (probation's least recent key) always comes back before the candidate
// (the key just read): the judge goes on rejecting ties and the loop stays
// cached.
func TestJudgeKeepsALoop(t *testing.T) {
	loop := make([]trace.Request, 300_000)
	for i := range loop {
		loop[i] = trace.Request{Key: uint64(i % 1010), Size: 1}
	}
	h, c := replayModel(Judged, 1000, loop)
	if h < 90 {
		t.Errorf("loop of 1010 keys in 1000 entries: %.2f %%", h)
	}
	if j := c.pol.(*tinyLFU).judge; j.admit(0) {
		t.Errorf("the judge admits ties on a loop: %v", j.first[diffBias])
	}
}

// TestJudgeRule: with no evidence the sketch's rule holds (admit above
// 0); the judge overrules it only when the other side came back first
// margin times as often, pseudo-counts included.
func TestJudgeRule(t *testing.T) {
	j := newJudge(newCache(Config{Budget: 1 << 20, Overhead: DefaultOverhead}), stepJudge.judge)
	if j.admit(0) || !j.admit(1) || j.admit(-3) {
		t.Fatal("without evidence the judge must follow the sketch")
	}
	j.first[diffBias][1] = 4 // candidates first 4 times at a tie, victims never: not above 2 × (0 + 2)
	if j.admit(0) {
		t.Error("4 against a prior of 2 overruled the sketch at margin 2")
	}
	j.first[diffBias][1] = 5
	if !j.admit(0) {
		t.Error("5 against a prior of 2 did not overrule the sketch at margin 2")
	}
	j.first[diffBias+1][0] = 7 // victims first 7 times at +1: 0 + 2 < 7/2
	if j.admit(1) {
		t.Error("victims coming back first did not stop admissions at +1")
	}
}

// TestShardedSplitsTheBudget: a sharded model is shards caches whose
// budgets add up to the whole one's, each key in one shard.
func TestShardedSplitsTheBudget(t *testing.T) {
	f := ShardedFactory(LRU, DefaultOverhead, true, 4)
	c, err := f.New(sim.Spec{Capacity: 1001, Items: 1001})
	if err != nil {
		t.Fatal(err)
	}
	s := c.(*sharded)
	var sum int64
	for _, sh := range s.shards {
		sum += sh.Budget()
	}
	if len(s.shards) != 4 || sum != 1001*(DefaultOverhead+1) {
		t.Fatalf("%d shards, budgets summing to %d", len(s.shards), sum)
	}
	sim.Replay(c, zipfTrace(20_000, 5000, 1, 3))
	for k := range uint64(5000) {
		in := 0
		for _, sh := range s.shards {
			if sh.Contains(k) {
				in++
			}
		}
		if in > 1 || in == 1 && !s.of(k).Contains(k) {
			t.Fatalf("key %d in %d shards", k, in)
		}
	}
}

// TestJudgeHintGrowsTheWindow: on recency-biased traffic the judge admits
// ties, and the periods that end so grow the window by at least a quarter:
// it ends far larger than without the judge's hint, and the hit ratio
// with it.
func TestJudgeHintGrowsTheWindow(t *testing.T) {
	reqs := mustGen(t, "recency-log", 400)
	hj, cj := replayModel(Judged, 400, reqs)
	noHint := tinyPolicy("no hint", "", with(stepJudgeOnly, func(o *tinyOptions) { o.judgeHint = false }))
	h, c := replayModel(noHint, 400, reqs)
	wj, w := cj.pol.(*tinyLFU).climb.window, c.pol.(*tinyLFU).climb.window
	if wj < 0.25 || wj < 2*w || hj <= h {
		t.Errorf("recency-log@400: with the judge's hint window %.3f, %.2f %%; without %.3f, %.2f %%", wj, hj, w, h)
	}
}
