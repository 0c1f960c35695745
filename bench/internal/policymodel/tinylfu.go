package policymodel

import "math"

// tinyLFU is maxmem's allkeys-tinylfu for one shard (admission.go in the
// core), and the variants researched from it: one layout (window, then
// probation and protected) whose window share a hill climber sets, and a
// frequency sketch that decides the duel between the window's least recent
// entry and the main space's.
type tinyLFU struct {
	c     *Cache
	opt   tinyOptions
	lay   layout
	freq  frequency
	climb climber
	// rejected holds ghosts of candidates the window lost (ghostShare).
	rejected *ghostList
	// ghostHits and missed count, this period, the writes that found a
	// ghost and the misses (ghostHint).
	ghostHits, missed int
	// forced says the last period's move was the ghost hint's; blocked
	// counts the periods the hint stays off after one that lowered the
	// hit ratio.
	forced  bool
	blocked int
	prev    float64
	// pending and misses are the reads not yet applied (bufferReads).
	pending []int32
	misses  int
	// judge learns the admission from the duels (opt.judge).
	judge *judge
	// evictedMain holds ghosts of entries evicted from the main space
	// (arcStep).
	evictedMain *ghostList
}

// tinyOptions are a tinyLFU's parameters.
type tinyOptions struct {
	freq    frequencyOptions
	climber climberOptions
	// protectedShare is protected's share of the main space (maxmem: 0.8).
	protectedShare float64
	// ghostShare keeps ghosts of rejected candidates, as many as this
	// share of the entries the cache holds; a key written while its ghost
	// is kept skips the window's duel and enters probation (0: none).
	ghostShare float64
	// ghostHint grows the window at the end of a period in which at
	// least this share of the misses found a rejected candidate's ghost,
	// whatever the hit ratio did (0: never).
	ghostHint float64
	// bufferReads applies hits and counts misses as maxmem's read rings
	// do: in batches, misses first, when 16 hits are pending and before
	// a write.
	bufferReads bool
	// judge, when its share is set, decides the duels by what recent
	// duels at the same difference of estimates showed (judge.go).
	judge judgeOptions
	// judgeHint also forces the climber's growth at a period's end when
	// the judge admits ties: recent keys have been coming back before the
	// main space's.
	judgeHint bool
	// judgeLeap: a growth the judge forces is at least this share.
	judgeLeap float64
	// arcStep moves the window's share, as ARC moves its target: by
	// arcStep entries' worth up when a write finds a rejected candidate's
	// ghost, down when it finds the ghost of an entry evicted from the
	// main space (as many of those are kept as rejected ones) (0: never).
	arcStep float64
}

// maxmemTiny are the options of maxmem's allkeys-tinylfu.
var maxmemTiny = tinyOptions{freq: maxmemFrequency, climber: maxmemClimber, protectedShare: 0.8}

// tinyPolicy returns a Policy running a tinyLFU with options o.
func tinyPolicy(name, about string, o tinyOptions) Policy {
	return Policy{Name: name, About: about, make: func(c *Cache) policy {
		p := &tinyLFU{c: c, opt: o, climb: newClimber(o.climber), freq: frequency{c: c, opt: o.freq}, rejected: newGhostList(c)}
		p.lay = layout{c: c, nominal: c.budget, window: p.climb.window, protectedShare: o.protectedShare}
		if o.judge.share > 0 {
			p.judge = newJudge(c, o.judge)
		}
		if o.arcStep > 0 {
			p.evictedMain = newGhostList(c)
		}
		return p
	}}
}

func (p *tinyLFU) hit(i int32) {
	if p.opt.bufferReads {
		if p.pending = append(p.pending, i); len(p.pending) == ringDrain {
			p.drain()
		}
		return
	}
	p.apply(i)
}

// apply records a hit on the entry at slot i.
func (p *tinyLFU) apply(i int32) {
	if p.judge != nil {
		p.judge.seen(p.c.ents[i].hash)
	}
	p.freq.hit(i)
	p.count(1)
	p.lay.access(i)
}

func (p *tinyLFU) miss(h uint64) {
	if p.judge != nil {
		p.judge.seen(h)
	}
	if p.opt.bufferReads {
		p.misses++
		p.drain() // the Set that follows drains before it writes
		return
	}
	p.count(0)
}

// ringDrain is how many buffered hits make maxmem drain a read ring (half
// its 32 events).
const ringDrain = 16

// drain applies the buffered reads: the misses' count, then each hit.
func (p *tinyLFU) drain() {
	if p.misses > 0 {
		p.countN(0, p.misses)
		p.misses = 0
	}
	for _, i := range p.pending {
		p.apply(i)
	}
	p.pending = p.pending[:0]
}

// count records a request for the climber.
func (p *tinyLFU) count(hits int) { p.countN(hits, 1) }

// countN records requests, hits of them, for the climber, and moves the
// window when a period is over.
func (p *tinyLFU) countN(hits, requests int) {
	p.missed += requests - hits
	if p.climb.count(hits, requests) {
		p.climb.startPeriodGrowing(p.capacity(), p.hint())
		p.ghostHits, p.missed = 0, 0
		p.lay.window = p.climb.window
	}
}

// hint reports whether the period ending calls for a larger window: a
// share of the misses at least ghostHint found a rejected candidate's
// ghost, and no forced growth lowered the hit ratio in the last
// hintBlock periods.
func (p *tinyLFU) hint() bool {
	rate := float64(p.climb.hits) / float64(max(p.climb.requests, 1))
	if p.forced && rate < p.prev {
		p.blocked = hintBlock
	}
	p.prev = rate
	if p.blocked > 0 {
		p.blocked--
		p.forced = false
		return false
	}
	p.forced = p.opt.ghostHint > 0 && float64(p.ghostHits) >= p.opt.ghostHint*float64(p.missed)
	if p.opt.judgeHint && p.judge != nil && p.judge.admit(0) {
		p.forced = true
		if p.opt.judgeLeap > 0 {
			p.climb.step = math.Max(math.Abs(p.climb.step), p.opt.judgeLeap)
		}
	}
	return p.forced
}

// hintBlock is how many periods the ghost hint stays off after a forced
// growth lowered the hit ratio.
const hintBlock = 8

// capacity estimates the entries the cache holds when full: the budget
// over the average charge, at least what it holds; 0 when empty.
func (p *tinyLFU) capacity() int {
	n := int64(p.c.Len())
	if n == 0 {
		return 0
	}
	return int(max(p.c.budget/max(p.lay.total()/n, 1), n))
}

// victim drains the buffered reads, then runs the layout's duel.
func (p *tinyLFU) victim() int32 {
	p.drain()
	return p.lay.victim(p.admit)
}

// admit asks the sketch whether the candidate at slot cand beats the
// victim.
func (p *tinyLFU) admit(cand, victim int32) bool {
	if p.judge == nil {
		return p.freq.admit(cand, victim)
	}
	ch, vh := p.c.ents[cand].hash, p.c.ents[victim].hash
	diff := p.freq.estimate(ch) - p.freq.estimate(vh)
	p.judge.record(ch, vh, diff, float32(min(float64(p.c.ents[victim].charge)/float64(p.c.ents[cand].charge), 1)))
	return p.judge.admit(diff) || p.freq.warmDraw(diff, p.freq.estimate(ch))
}

func (p *tinyLFU) removed(i int32) {
	e := &p.c.ents[i]
	if p.opt.ghostShare > 0 && e.list == window {
		p.rejected.push(e.hash, e.charge)
		p.rejected.trim(int(p.opt.ghostShare * float64(p.capacity())))
	}
	if p.evictedMain != nil && e.list != window {
		p.evictedMain.push(e.hash, e.charge)
		p.evictedMain.trim(int(p.opt.ghostShare * float64(p.capacity())))
	}
	p.lay.remove(i)
}

func (p *tinyLFU) evicted() { p.freq.fit(p.capacity) }

// fitJudge sizes the judge's ring for the cache's capacity.
func (p *tinyLFU) fitJudge() {
	if p.judge != nil {
		p.judge.fit(p.capacity())
	}
}

func (p *tinyLFU) inserted(i int32) {
	h := p.c.ents[i].hash
	p.freq.write(i) // a write is a request too
	switch {
	case p.opt.ghostShare > 0 && p.rejected.remove(h):
		p.ghostHits++
		p.arcMove(+1)
		p.lay.adopt(i) // a rejected candidate back soon: into probation
	case p.evictedMain != nil && p.evictedMain.remove(h):
		p.arcMove(-1)
		p.lay.insert(i)
	default:
		p.lay.insert(i)
	}
	p.freq.fit(p.capacity)
	p.fitJudge()
}

// arcMove moves the window's share by arcStep entries' worth in the
// direction dir.
func (p *tinyLFU) arcMove(dir float64) {
	if p.opt.arcStep == 0 {
		return
	}
	w := p.climb.window + dir*p.opt.arcStep/float64(max(p.capacity(), 1))
	p.climb.window = min(max(w, 0), p.opt.climber.max)
	p.lay.window = p.climb.window
}

func (p *tinyLFU) order() []int32 { return p.lay.order() }

func (p *tinyLFU) adopt(i int32) { p.lay.adopt(i) }

// adopted sizes the sketch for the adopted entries.
func (p *tinyLFU) adopted() { p.freq.fit(p.capacity) }
