package tinylfu

import (
	"container/heap"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// With no evidence the judge follows the sketch (admit above 0); it
// overrules it at 0 or below only when candidates came back first more
// than twice as often as victims, two pseudo-counts added to the victims,
// and above 0 when victims came back first more often than candidates,
// two added to the candidates.
func TestJudgeRule(t *testing.T) {
	var j judge
	if j.admits(0) || !j.admits(1) || j.admits(-3) || !j.admits(20) || j.admits(-20) {
		t.Fatal("without evidence the judge must follow the sketch")
	}
	j.first[maxDiff][candidateSide] = 4 // 4 against 2 × (0 + 2): not more
	if j.admits(0) {
		t.Error("4 candidates first against a prior of 2 overruled the sketch at margin 2")
	}
	j.first[maxDiff][candidateSide] = 5
	if !j.admits(0) {
		t.Error("5 candidates first against a prior of 2 did not overrule the sketch at margin 2")
	}
	j.first[maxDiff+1][victimSide] = 2 // 0 + 2 ≥ 2: still admitted
	if !j.admits(1) {
		t.Error("a tie of evidence stopped admissions at +1")
	}
	j.first[maxDiff+1][victimSide] = 3
	if j.admits(1) {
		t.Error("victims coming back first did not stop admissions at +1")
	}
}

// The judge records one duel in judgeEvery; the first of a duel's keys
// to come back is counted at the duel's difference, its side first, and
// the duel is gone; the counts halve after judgeHalfLife resolutions.
func TestJudgeCountsWhoComesBackFirst(t *testing.T) {
	var j judge
	j.resize(100 * judgeShare)
	var recorded []uint32 // the candidates of the duels recorded
	for i := range uint32(4 * judgeEvery) {
		if j.record(hash32(2*i+1), hash32(2*i+2), -2) {
			recorded = append(recorded, 2*i+1)
		}
	}
	if len(recorded) != 4 || recorded[0] != 2*judgeEvery-1 {
		t.Fatalf("recorded the duels of candidates %v of %d, want one in %d", recorded, 4*judgeEvery, judgeEvery)
	}
	j.seen(hash32(recorded[0]))     // a candidate first
	j.seen(hash32(recorded[0] + 1)) // its victim: the duel is resolved already
	j.seen(hash32(recorded[1] + 1)) // a victim first
	if f := j.first[maxDiff-2]; f[candidateSide] != 1 || f[victimSide] != 1 || j.resolved != 2 {
		t.Fatalf("counts at -2: %v, %d resolved", f, j.resolved)
	}
	if err := j.duels.check(); err != nil {
		t.Fatal(err)
	}
	j.first[maxDiff][candidateSide] = 101
	j.resolved = judgeHalfLife - 1
	j.seen(hash32(recorded[2])) // a candidate first: 2 at -2, then halved
	if f := j.first[maxDiff-2]; j.first[maxDiff][candidateSide] != 50 || f[candidateSide] != 1 || f[victimSide] != 0 || j.resolved != 0 {
		t.Fatalf("after %d resolutions: %v at 0, %v at -2", judgeHalfLife, j.first[maxDiff], f)
	}
}

// The ring and table of duels agree with a map through adds, resolutions
// and the ring coming round, with fingerprints that crowd the table.
func TestDuelsAgainstAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var d duels
	d.resize(50)
	type party struct{ side, diff, pos int }
	model := map[uint32]party{} // fingerprint to its side, difference and ring position
	ring := make([][2]uint32, 50)
	next := 0
	forget := func(pos int) {
		for _, fp := range ring[pos] {
			delete(model, fp)
		}
		ring[pos] = [2]uint32{}
	}
	for i := range 100_000 {
		cand, victim := 1+r.Uint32N(300), 1+r.Uint32N(300) // crowded: many share a home
		if r.IntN(2) == 0 {
			side, diff, ok := d.resolve(cand)
			p, want := model[cand]
			if ok != want || ok && (side != p.side || diff != p.diff) {
				t.Fatalf("op %d: resolve(%d) = %d, %d, %v; want %+v, %v", i, cand, side, diff, ok, p, want)
			}
			if ok {
				forget(p.pos)
			}
		} else {
			diff := r.IntN(41) - 20
			_, inC := model[cand]
			_, inV := model[victim]
			want := cand != victim && !inC && !inV
			if got := d.add(cand, victim, diff); got != want {
				t.Fatalf("op %d: add(%d, %d) = %v, want %v", i, cand, victim, got, want)
			}
			if want {
				forget(next)
				c := min(max(diff, -maxDiff), maxDiff)
				model[victim], model[cand] = party{victimSide, c, next}, party{candidateSide, c, next}
				ring[next] = [2]uint32{victim, cand}
				next = (next + 1) % len(ring)
			}
		}
		if i%100 == 0 {
			if err := d.check(); err != nil {
				t.Fatalf("op %d: %v", i, err)
			}
			for fp := range model {
				if !d.contains(fp) {
					t.Fatalf("op %d: %d lost", i, fp)
				}
			}
		}
	}
}

// reuse returns steady reuse for a cache of n entries, as in the Corda
// vault-service trace (bench's reuse generator): fresh keys, half of which
// come back once, after 1 % to half a cache-size of requests drawn
// log-uniformly. LRU hits every return, a third of the requests; the
// sketch sees every key at most twice.
func reuse(n, requests int) []uint32 {
	r := rand.New(rand.NewPCG(24, 1))
	lo, hi := math.Log(max(0.01*float64(n), 2)), math.Log(max(0.5*float64(n), 4))
	var due returns
	keys := make([]uint32, requests)
	fresh := uint32(1 << 20)
	for i := range keys {
		if len(due) > 0 && due[0].at <= i {
			keys[i] = heap.Pop(&due).(ret).key
			continue
		}
		fresh++
		keys[i] = fresh
		if r.IntN(2) == 0 {
			heap.Push(&due, ret{at: i + int(math.Exp(lo+r.Float64()*(hi-lo))), key: fresh})
		}
	}
	return keys
}

// ret is a key due back at request at.
type ret struct {
	at  int
	key uint32
}

// returns orders keys by when they come back.
type returns []ret

func (h returns) Len() int           { return len(h) }
func (h returns) Less(i, j int) bool { return h[i].at < h[j].at }
func (h returns) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *returns) Push(x any)        { *h = append(*h, x.(ret)) }
func (h *returns) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// recencyLog returns recency-biased requests for a cache of n entries
// (bench's recency-log generator): each the key at an LRU stack depth
// drawn log-uniformly from 1 to 4n, or, one time in ten (or when the stack
// is not that deep yet), a fresh key. How often a key was requested says
// little of its future; how recently, much.
func recencyLog(n, requests int) []uint32 {
	r := rand.New(rand.NewPCG(24, 2))
	var stack []uint32 // most recent last
	keys := make([]uint32, requests)
	fresh := uint32(1 << 20)
	for i := range keys {
		d := int(math.Exp(r.Float64() * math.Log(float64(4*n))))
		if r.Float64() < 0.1 || d > len(stack) || d < 1 {
			fresh++
			keys[i] = fresh
		} else {
			at := len(stack) - d
			keys[i] = stack[at]
			stack = slices.Delete(stack, at, at+1)
		}
		if stack = append(stack, keys[i]); len(stack) > 5*n {
			stack = slices.Delete(stack, 0, n)
		}
	}
	return keys
}

// loop returns requests cycling over keys keys.
func loop(keys, requests int) []uint32 {
	out := make([]uint32, requests)
	for i := range out {
		out[i] = uint32(1 + i%keys)
	}
	return out
}

// replayWithoutJudge replays keys in a shard of n entries whose judge has
// no ring (it records nothing: the sketch's rule and the climber alone),
// and returns the hit ratio and the shard.
func replayWithoutJudge(n int64, keys []uint32) (float64, *shard) {
	s := newShard(n)
	s.noJudge = true
	return s.replay(keys), s
}

// On steady reuse, where half the new keys come back within half a
// cache-size and the victims rarely do, the judge learns to admit
// candidates that tie with their victims, and the hit ratio rises well
// above that of the sketch's own rule.
func TestJudgeAdmitsWhatComesBack(t *testing.T) {
	const n = 2000
	keys := reuse(n, 50*n)
	s := newShard(n)
	judged := s.replay(keys)
	plain, _ := replayWithoutJudge(n, keys)
	t.Logf("reuse@%d: with the judge %.2f %% (window %.3f), without %.2f %%", n, judged, s.p.climb.window, plain)
	if !s.p.judge.admits(0) {
		t.Errorf("after steady reuse the judge rejects ties: %v", s.p.judge.first[maxDiff])
	}
	if judged < plain+2 {
		t.Errorf("reuse@%d: with the judge %.2f %%, without %.2f %%", n, judged, plain)
	}
	if err := s.p.Check(); err != nil {
		t.Fatal(err)
	}
}

// In a loop just longer than the shard the victim (probation's least
// recent key) always comes back before the candidate (the key just read):
// the judge goes on rejecting ties, the window is not forced, and the loop
// stays cached.
func TestJudgeKeepsALoop(t *testing.T) {
	s := newShard(1000)
	if h := s.replay(loop(1010, 300_000)); h < 90 {
		t.Errorf("loop of 1010 keys in 1000 entries: %.2f %%", h)
	}
	if s.p.judge.admits(0) {
		t.Errorf("the judge admits ties on a loop: %v", s.p.judge.first[maxDiff])
	}
}

// On recency-biased traffic the judge admits ties, and the periods that
// end so grow the window by at least a quarter: it ends far larger than
// without the judge's hint, and the hit ratio with it.
func TestJudgeHintGrowsTheWindowOnRecency(t *testing.T) {
	const n = 400
	keys := recencyLog(n, 50*n)
	s := newShard(n)
	hj := s.replay(keys)
	off := newShard(n)
	off.p.climb.noHint = true
	h := off.replay(keys)
	wj, w := s.p.climb.window, off.p.climb.window
	t.Logf("recency-log@%d: with the hint window %.3f, %.2f %%; without %.3f, %.2f %%", n, wj, hj, w, h)
	if wj < 0.25 || wj < 2*w || hj <= h {
		t.Errorf("recency-log@%d: with the judge's hint window %.3f, %.2f %%; without %.3f, %.2f %%", n, wj, hj, w, h)
	}
}
