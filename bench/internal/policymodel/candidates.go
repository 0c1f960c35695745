package policymodel

// Policies returns every model policy, in report order: exact LRU,
// maxmem's allkeys-tinylfu as it is, the steps of the research for issue 13
// (each adds one change to the one before it; a name's "+" lists what it
// adds), side experiments, then S3-FIFO and ARC. Recommended is issue 13's
// design (maxmem's allkeys-tinylfu today); Judged is issue 24's.
func Policies() []Policy {
	return []Policy{
		LRU,
		tinyPolicy("tinylfu", "maxmem's allkeys-tinylfu as of 2026-11-29: window LRU + SLRU, "+
			"2 B/entry sketch grown into free room only, aged every 10 × capacity, hill climber every 10 × capacity", maxmemTiny),
		tinyPolicy("tinylfu-buffered", "tinylfu with maxmem's read buffering: hits applied 16 at a time "+
			"and before a write, misses counted first", with(maxmemTiny, func(o *tinyOptions) { o.bufferReads = true })),
		tinyPolicy("tinylfu+evict", "tinylfu whose sketch takes its bytes by evicting entries "+
			"(the run-time switch gets a sketch)", stepEvict),
		tinyPolicy("tinylfu+evict+cu", "side: +evict with conservative update of the sketch", with(stepEvict, func(o *tinyOptions) {
			o.freq.sketch.conservative = true
		})),
		tinyPolicy("tinylfu+evict+4B", "side: +evict with a 4 B/entry sketch", with(stepEvict, func(o *tinyOptions) {
			o.freq.sketch.perEntry = 4
		})),
		tinyPolicy("tinylfu+evict+dk", "side: +evict with a doorkeeper of 8 bits/entry in front of the sketch", with(stepEvict, func(o *tinyOptions) {
			o.freq.sketch.doorkeeper = 8
		})),
		tinyPolicy("tinylfu+otter", "+evict, and otter's admission details: one in 128 candidates estimated "+
			"at 6 or more admitted against a victim as frequent; the sketch ignores the warm-up (below half full)", stepOtter),
		tinyPolicy("tinylfu+ghosts", "+otter, and ghosts of rejected candidates (N/32, 12 B each): "+
			"a key written while its ghost is kept enters probation", stepGhosts),
		tinyPolicy("tinylfu+1B", "+ghosts with a 1 B/entry sketch", step1B),
		tinyPolicy("tinylfu+aging5", "+1B with the sketch aged every 5 × capacity requests", stepAging),
		Recommended,
		Judged,
		tinyPolicy("jNB", "judge, no bypass", with(stepJudge, func(o *tinyOptions) { o.noBypass = true })),
		tinyPolicy("jARC", "judge, arc window", with(stepJudge, func(o *tinyOptions) { o.arcStep = 1 })),
		tinyPolicy("jARC4", "judge, arc window x4", with(stepJudge, func(o *tinyOptions) { o.arcStep = 4 })),
		tinyPolicy("jStep125", "judge, climber step 12.5 %", with(stepJudge, func(o *tinyOptions) { o.climber.step = 0.125 })),
		tinyPolicy("jStep25", "judge, climber step 25 %", with(stepJudge, func(o *tinyOptions) { o.climber.step = 0.25 })),
		tinyPolicy("jSketch2", "judge, 2 B/entry sketch", with(stepJudge, func(o *tinyOptions) { o.freq.sketch.perEntry = 2 })),
		tinyPolicy("jHint", "judge, the judge's ties grow the window", with(stepJudge, func(o *tinyOptions) { o.judgeHint = true })),
		tinyPolicy("jHintNB", "judge, the judge's ties grow the window, no bypass", with(stepJudge, func(o *tinyOptions) { o.judgeHint, o.noBypass = true, true })),
		tinyPolicy("jLeap25", "jHint, growth at least 25 %", with(stepJudge, func(o *tinyOptions) { o.judgeHint, o.judgeLeap = true, 0.25 })),
		tinyPolicy("jLeap50", "jHint, growth at least 50 %", with(stepJudge, func(o *tinyOptions) { o.judgeHint, o.judgeLeap = true, 0.5 })),
		tinyPolicy("jLeapR1", "jLeap25, refusing on a plain majority", with(stepJudge, func(o *tinyOptions) {
			o.judgeHint, o.judgeLeap, o.judge.refuseMargin = true, 0.25, 1
		})),
		tinyPolicy("jLeapR15", "jLeap25, refusing at margin 1.5", with(stepJudge, func(o *tinyOptions) {
			o.judgeHint, o.judgeLeap, o.judge.refuseMargin = true, 0.25, 1.5
		})),
		tinyPolicy("jR1min8", "jLeapR1, at least 8 duels in flight", with(stepJudge, func(o *tinyOptions) {
			o.judgeHint, o.judgeLeap, o.judge.refuseMargin, o.judge.minRecords = true, 0.25, 1, 8
		})),
		tinyPolicy("jR1e2", "jLeapR1, one duel in 2, N/16 in flight", with(stepJudge, func(o *tinyOptions) {
			o.judgeHint, o.judgeLeap, o.judge.refuseMargin, o.judge.every, o.judge.share = true, 0.25, 1, 2, 1.0/16
		})),
		tinyPolicy("jR1bj", "jLeapR1, ghost bypass only while the judge admits ties", with(stepJudge, func(o *tinyOptions) {
			o.judgeHint, o.judgeLeap, o.judge.refuseMargin, o.bypassJudged = true, 0.25, 1, true
		})),
		tinyPolicy("jR1nb", "jLeapR1, no ghost bypass", with(stepJudge, func(o *tinyOptions) {
			o.judgeHint, o.judgeLeap, o.judge.refuseMargin, o.noBypass = true, 0.25, 1, true
		})),
		tinyPolicy("jR1ng", "jLeapR1 without the rejected ghosts (no bypass, no ghost hint)", with(stepJudge, func(o *tinyOptions) {
			o.judgeHint, o.judgeLeap, o.judge.refuseMargin, o.ghostShare, o.ghostHint = true, 0.25, 1, 0, 0
		})),
		tinyPolicy("jR1ngA10", "jR1ng, sketch halved every 10 capacities", with(stepJudge, func(o *tinyOptions) {
			o.judgeHint, o.judgeLeap, o.judge.refuseMargin, o.ghostShare, o.ghostHint = true, 0.25, 1, 0, 0
			o.freq.sketch.aging = 10
		})),
		tinyPolicy("jR1ngL50", "jR1ng, growth at least 50 %", with(stepJudge, func(o *tinyOptions) {
			o.judgeHint, o.judgeLeap, o.judge.refuseMargin, o.ghostShare, o.ghostHint = true, 0.5, 1, 0, 0
		})),
		tinyPolicy("judge-every", "side: tinylfu+judge recording every duel (1/8 of the entries in flight) and "+
			"overruling the sketch on a plain majority", with(stepJudge, func(o *tinyOptions) {
			o.judge.share, o.judge.every, o.judge.margin = 1.0/8, 1, 1
		})),
		tinyPolicy("judge-loosen", "side: tinylfu+judge that may only admit more (a candidate estimated above "+
			"its victim always wins), on a plain majority", with(stepJudge, func(o *tinyOptions) {
			o.judge.loosenOnly, o.judge.margin = true, 1
		})),
		tinyPolicy("tinylfu+climb5", "side: +aging5 with the climber's period at 5 × capacity", with(stepAging, func(o *tinyOptions) {
			o.climber.ratio = 5
		})),
		duelPolicy("duel", "side: +otter's frequency side, the window set by dueling leader partitions "+
			"(1/16 of keys each, window ÷2 and ×2) instead of a climber", duelOptions{
			freq: stepOtter.freq, protectedShare: 0.8, leaderShare: 1.0 / 16, factor: 2, step: 1.25,
			initial: 0.01, minWindow: 0.002, period: 1,
		}),
		s3fifoPolicy("s3fifo", 0.1),
		ARC,
	}
}

// The steps of the research, each the one before plus one change.
var (
	stepEvict  = with(maxmemTiny, func(o *tinyOptions) { o.freq.evictForSketch = true })
	stepOtter  = with(stepEvict, func(o *tinyOptions) { o.freq.warmOdds, o.freq.warmFloor, o.freq.lazy = 128, 6, true })
	stepGhosts = with(stepOtter, func(o *tinyOptions) { o.ghostShare = 1.0 / 32 })
	step1B     = with(stepGhosts, func(o *tinyOptions) { o.freq.sketch.perEntry = 1 })
	stepAging  = with(step1B, func(o *tinyOptions) { o.freq.sketch.aging = 5 })
	stepHint   = with(stepAging, func(o *tinyOptions) { o.ghostHint = 0.015 })
	stepJudge  = with(stepHint, func(o *tinyOptions) {
		o.judge = judgeOptions{share: 1.0 / 32, minRecords: 1, every: 4, halfLife: 1000, prior: 2, margin: 2}
	})
)

// Judged is the design issue 24's research recommends: tinylfu+hint whose
// duels a judge decides, learning per difference of estimates which side
// of recent duels came back first (judge.go).
var Judged = tinyPolicy("tinylfu+judge", "+hint, and the duel judge: one duel in 4 is remembered (N/32 in flight, "+
	"20 B each); per difference of estimates, the side that came back first twice as often as the other decides", stepJudge)

// Recommended is the design this research recommends for maxmem's
// allkeys-tinylfu: every step above.
var Recommended = tinyPolicy("tinylfu+hint", "+aging5, and the ghost hint: a climber period in which "+
	"1.5 % of the misses or more found a rejected candidate's ghost grows the window, "+
	"unless such a growth lowered the hit ratio in the last 8 periods", stepHint)

// with returns o changed by f.
func with(o tinyOptions, f func(*tinyOptions)) tinyOptions {
	f(&o)
	return o
}

// Lookup returns the model policy named name.
func Lookup(name string) (Policy, bool) {
	for _, p := range Policies() {
		if p.Name == name {
			return p, true
		}
	}
	return Policy{}, false
}
