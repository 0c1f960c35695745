package policymodel

// judge learns, from the duels themselves, where the sketch's admission
// is wrong. It remembers a sample of recent duels, each as the pair of
// key hashes (candidate, victim) and the difference of their estimates;
// the first of the two to be requested again is the one that should have
// stayed (Belady's rule for that pair). Per difference of estimates it
// counts which side came back first, halving the counts now and then; at
// each difference the sketch's own rule (admit above 0) holds unless the
// other side came back first margin times as often, pseudo-counts (prior)
// on the rule's side included. A rejected key that comes back soon thus teaches the
// policy to admit its like, and an admitted one whose victim comes back
// first teaches it to stop.
type judge struct {
	c *Cache
	// pending maps a hash to the duel it is in (index into ring) and its
	// side: slot<<1 | 1 for the candidate.
	pending map[uint64]int32
	ring    []duelRecord
	next    int
	// first[d][s]: duels at difference d-diffBias that side s (0: victim,
	// 1: candidate) won, decayed.
	first    [2*diffBias + 1][2]float64
	resolved int
	opt      judgeOptions
	sampled  uint64 // duels seen, for sampling
	fitting  bool   // fit is evicting for the ring's bytes
}

// judgeOptions are a judge's parameters.
type judgeOptions struct {
	// share: the judge keeps at most share × capacity duels in flight
	// (0: no judge).
	share float64
	// minRecords: at least this many duels in flight.
	minRecords int
	// every: one duel in every is recorded.
	every int
	// halfLife: the counts halve after this many resolved duels.
	halfLife int
	// prior: pseudo-counts for the sketch's own rule (admit above 0).
	prior float64
	// loosenOnly: a candidate estimated above its victim is always
	// admitted; the judge only decides the others.
	loosenOnly bool
	// margin: the judge overrules the sketch's rule only when the other
	// side came back first margin times as often (1: a plain majority).
	margin float64
	// refuseMargin, when set, is the margin for refusing a candidate
	// estimated above its victim (margin then only applies to admitting
	// the others).
	refuseMargin float64
}

// diffBias offsets a difference of estimates (-15..15) into first.
const diffBias = 15

// duelRecord is one remembered duel.
type duelRecord struct {
	cand, victim uint64
	diff         int8
	live         bool
	// weight is what a candidate that comes back first counts for: the
	// victim's charge over the candidate's, at most 1 (a candidate that
	// takes the room of several victims must be worth several).
	weight float32
}

// recordBytes is what one duel in flight is charged: a ring slot of two
// 4-byte fingerprints, and the two keys' entries in an open-addressing
// table two-thirds full (three 4-byte slots per record, each entry the
// ring position, the side and the difference of estimates packed in 32
// bits: 26 + 1 + 5).
const recordBytes = 20

func newJudge(c *Cache, o judgeOptions) *judge {
	return &judge{c: c, pending: map[uint64]int32{}, opt: o}
}

// admit returns the judged decision for a duel at difference diff.
func (j *judge) admit(diff int) bool {
	if j.opt.loosenOnly && diff > 0 {
		return true
	}
	d := min(max(diff, -diffBias), diffBias) + diffBias
	candW, vicW := j.first[d][1], j.first[d][0]
	m := max(j.opt.margin, 1)
	if diff > 0 {
		if j.opt.refuseMargin > 0 {
			return candW+j.opt.prior >= vicW/j.opt.refuseMargin
		}
		return candW+j.opt.prior >= vicW/m
	}
	return candW > m*(vicW+j.opt.prior)
}

// record remembers a duel, sampled, dropping the oldest in flight when
// the ring is full.
func (j *judge) record(cand, victim uint64, diff int, weight float32) {
	j.sampled++
	if j.opt.every > 1 && j.sampled%uint64(j.opt.every) != 0 {
		return
	}
	if _, ok := j.pending[cand]; ok {
		return
	}
	if _, ok := j.pending[victim]; ok {
		return
	}
	if len(j.ring) == 0 {
		return
	}
	if r := &j.ring[j.next]; r.live {
		j.drop(r)
	}
	j.ring[j.next] = duelRecord{cand: cand, victim: victim, diff: int8(min(max(diff, -diffBias), diffBias)), live: true, weight: weight}
	j.pending[cand] = int32(j.next)<<1 | 1
	j.pending[victim] = int32(j.next) << 1
	j.next = (j.next + 1) % len(j.ring)
}

// fit sizes the ring for capacity entries, charging its bytes (evicting
// entries for them); a ring that cannot be paid for stays as it is.
func (j *judge) fit(capacity int) {
	n := max(int(j.opt.share*float64(capacity)), j.opt.minRecords)
	if j.fitting || capacity == 0 || n == len(j.ring) || n < len(j.ring) && 4*n > len(j.ring) {
		return
	}
	grow := int64(n-len(j.ring)) * recordBytes
	if grow > 0 {
		j.fitting = true
		ok := j.c.reserve(grow)
		j.fitting = false
		if !ok {
			return
		}
	}
	if grow < 0 {
		j.c.release(-grow)
	}
	for i := range j.ring {
		if j.ring[i].live {
			j.drop(&j.ring[i])
		}
	}
	j.ring, j.next = make([]duelRecord, n), 0
}

// drop forgets a duel unresolved.
func (j *judge) drop(r *duelRecord) {
	delete(j.pending, r.cand)
	delete(j.pending, r.victim)
	r.live = false
}

// seen is told of every request, hit or miss: a key in a duel in flight
// resolves it.
func (j *judge) seen(h uint64) {
	v, ok := j.pending[h]
	if !ok {
		return
	}
	r := &j.ring[v>>1]
	w := 1.0
	if v&1 == 1 {
		w = float64(r.weight)
	}
	j.first[int(r.diff)+diffBias][v&1] += w
	j.drop(r)
	if j.resolved++; j.resolved >= j.opt.halfLife {
		j.resolved = 0
		for d := range j.first {
			j.first[d][0] /= 2
			j.first[d][1] /= 2
		}
	}
}
