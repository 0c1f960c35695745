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
		tinyPolicy("judge-sketch", "issue 24, first step: +hint and the duel judge deciding the duels, "+
			"its margin 2 both ways", stepJudge),
		tinyPolicy("judge-hint", "+judge-sketch, and the judge's hint: a climber period that ends while the judge "+
			"admits ties grows the window by at least 25 %", stepJudgeHint),
		tinyPolicy("judge-refuse", "+judge-hint, and the judge refuses a candidate estimated above its victim "+
			"on a plain majority of victims coming back first", stepJudgeRefuse),
		Judged,
		tinyPolicy("judge-every", "side: judge-sketch recording every duel (1/8 of the entries in flight) and "+
			"deciding on a plain majority", with(stepJudge, func(o *tinyOptions) {
			o.judge.share, o.judge.every, o.judge.margin = 1.0/8, 1, 1
		})),
		tinyPolicy("judge-loosen", "side: judge-sketch that may only admit more (a candidate estimated above "+
			"its victim always wins), on a plain majority", with(stepJudge, func(o *tinyOptions) {
			o.judge.loosenOnly, o.judge.margin = true, 1
		})),
		tinyPolicy("judge-arc", "side: judge-sketch whose window moves by one entry per write that finds a "+
			"rejected ghost (up) or the ghost of a main-space eviction (down), as ARC's target", with(stepJudge, func(o *tinyOptions) {
			o.arcStep = 1
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
	stepJudgeHint   = with(stepJudge, func(o *tinyOptions) { o.judgeHint, o.judgeLeap = true, 0.25 })
	stepJudgeRefuse = with(stepJudgeHint, func(o *tinyOptions) { o.judge.refuseMargin = 1 })
	stepJudgeOnly   = with(stepJudgeRefuse, func(o *tinyOptions) { o.ghostShare, o.ghostHint = 0, 0 })
)

// Recommended is the design issue 13's research recommended for maxmem's
// allkeys-tinylfu (the core's today): the steps up to +hint.
var Recommended = tinyPolicy("tinylfu+hint", "+aging5, and the ghost hint: a climber period in which "+
	"1.5 % of the misses or more found a rejected candidate's ghost grows the window, "+
	"unless such a growth lowered the hit ratio in the last 8 periods", stepHint)

// Judged is the design issue 24's research recommends: every step above,
// and no rejected ghosts: the judge's remembered duels replace them, for
// the admission and for the window's growth.
var Judged = tinyPolicy("tinylfu+judge", "+judge-refuse without the rejected ghosts (their bypass and hint): "+
	"the judge alone decides the duels it has evidence for and forces the window's growth", stepJudgeOnly)

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
