package tinylfu

// The judge learns, from the duels themselves, where the sketch's
// admission is wrong. A duel has a right answer that shows itself later:
// of its two keys, the one requested again first is the one that should
// have stayed (Belady's rule for the pair). The judge records one duel in
// judgeEvery (duels.go) and, when one of its keys is requested again,
// counts which side came back first at that duel's difference of
// estimates (the candidate's less the victim's). Per difference it then
// overrules the sketch's own rule (admit above 0) where the evidence is
// clear:
//
//   - at a difference of 0 or below, it admits the candidate when
//     candidates came back first more than judgeMargin times as often as
//     victims, judgePrior pseudo-counts added to the victims' side;
//   - above 0, it refuses the candidate when victims came back first more
//     often than candidates, judgePrior pseudo-counts added to theirs.
//
// So a rejected key that comes back soon (steady reuse, recency) teaches
// the policy to admit its like, and where the sketch's counters collide
// (small caches, sweeps) a victim that comes back first teaches it to
// refuse. A loop just longer than the shard sends its victims back first
// and keeps the sketch's rule. The counts halve every judgeHalfLife
// resolved duels, so the judge follows the traffic.
//
// While the judge admits ties, recent keys come back before the main
// space's: the window is too small, and the climber hears it (climber.go).

// The judge's constants (bench/policy-research.md, issue 24): one duel in
// judgeEvery is recorded, one record per judgeShare entries of capacity
// (at least one); the counts halve after judgeHalfLife resolutions;
// judgePrior pseudo-counts back the sketch's rule, and admitting at a
// difference of 0 or below takes judgeMargin times as many candidates
// back first.
const (
	judgeEvery    = 4
	judgeShare    = 32
	judgeHalfLife = 1000
	judgePrior    = 2
	judgeMargin   = 2
)

// judge decides the duels it has evidence for. The zero judge has no
// ring: it records nothing and follows the sketch.
type judge struct {
	duels    duels
	first    [2*maxDiff + 1][2]uint16 // by difference+maxDiff and side: which came back first
	resolved int                      // resolutions since the last halving
	duelled  uint32                   // duels seen, to record one in judgeEvery
}

// judgeRecords returns the records a judge keeps for capacity entries.
func judgeRecords(capacity int) int { return max(capacity/judgeShare, 1) }

// judgeBytesFor returns the memory of a judge for capacity entries.
func judgeBytesFor(capacity int) int64 { return duelBytesFor(judgeRecords(capacity)) }

// resize sizes the judge for capacity entries: the duels in flight are
// forgotten, what the judge learnt is kept.
func (j *judge) resize(capacity int) { j.duels.resize(judgeRecords(capacity)) }

// bytes returns the judge's memory.
func (j *judge) bytes() int64 { return j.duels.bytes() }

// admits reports whether a candidate diff above its victim (the sketch's
// estimates) should win the duel.
func (j *judge) admits(diff int) bool {
	diff = min(max(diff, -maxDiff), maxDiff)
	f := j.first[diff+maxDiff]
	cand, victim := int(f[candidateSide]), int(f[victimSide])
	if diff > 0 {
		return cand+judgePrior >= victim
	}
	return cand > judgeMargin*(victim+judgePrior)
}

// record is told of every duel, between the keys hashed cand and victim at
// a difference of estimates diff, and records one in judgeEvery whose keys
// are in no duel in flight. It reports whether it recorded this one: the
// caller then marks the party that stays resident (inDuel).
func (j *judge) record(cand, victim uint32, diff int) bool {
	if j.duelled++; j.duelled%judgeEvery != 0 {
		return false
	}
	return j.duels.add(fingerprint(cand), fingerprint(victim), diff)
}

// seen is told of a request for the key hashed h that may be a party to a
// duel in flight: if it is, the duel is resolved, h's side first.
func (j *judge) seen(h uint32) {
	side, diff, ok := j.duels.resolve(fingerprint(h))
	if !ok {
		return
	}
	j.first[diff+maxDiff][side]++
	if j.resolved++; j.resolved >= judgeHalfLife {
		j.resolved = 0
		for d := range j.first {
			j.first[d][0] /= 2
			j.first[d][1] /= 2
		}
	}
}
