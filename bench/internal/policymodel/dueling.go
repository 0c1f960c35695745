package policymodel

import "math"

// duelLFU is W-TinyLFU whose window share is chosen by set dueling, as CPU
// caches choose between insertion policies: the keys are split by hash
// into a follower layout, which serves most of them, and two small leader
// layouts, each with its share of the keys and of the budget, which run
// the follower's window divided and multiplied by a factor. The leaders
// see the same traffic at the same time, so their hit ratios compare the
// two windows without the noise of comparing one period with the next;
// every period the follower's window moves one step towards the better
// leader's. The layouts share one frequency sketch.
type duelLFU struct {
	c      *Cache
	opt    duelOptions
	freq   frequency
	lays   [3]layout // follower, low leader, high leader
	window float64   // the follower's window share
	hits   [3]int    // this period's hits per layout
	reqs   [3]int    // this period's requests per layout
	home   int       // the layout of the key being missed, whose Set follows
}

// duelOptions are a duelLFU's parameters.
type duelOptions struct {
	freq           frequencyOptions
	protectedShare float64
	// leaderShare is each leader's share of the keys and the budget.
	leaderShare float64
	// factor: the leaders run window/factor and window×factor.
	factor float64
	// step: the follower's window is multiplied or divided by step per
	// period.
	step float64
	// initial and minWindow bound the follower's window share (at most 1).
	initial, minWindow float64
	// period is how many requests the leaders see between decisions, per
	// entry they hold together.
	period float64
}

// Indices of the layouts.
const (
	follower = iota
	lowLeader
	highLeader
)

// duelPolicy returns a Policy running a duelLFU with options o.
func duelPolicy(name, about string, o duelOptions) Policy {
	return Policy{Name: name, About: about, make: func(c *Cache) policy {
		p := &duelLFU{c: c, opt: o, freq: frequency{c: c, opt: o.freq}, window: o.initial}
		for i := range p.lays {
			p.lays[i] = layout{c: c, protectedShare: o.protectedShare}
		}
		p.setWindows()
		return p
	}}
}

// partition returns the layout of the key hashed h.
func (p *duelLFU) partition(h uint64) int {
	u := float64(h>>40) / (1 << 24)
	switch {
	case u < p.opt.leaderShare:
		return lowLeader
	case u < 2*p.opt.leaderShare:
		return highLeader
	}
	return follower
}

// share returns layout i's share of keys and budget.
func (p *duelLFU) share(i int) float64 {
	if i == follower {
		return 1 - 2*p.opt.leaderShare
	}
	return p.opt.leaderShare
}

// setWindows gives each layout its window share and its share of the
// bytes the entries may use.
func (p *duelLFU) setWindows() {
	w := p.window
	p.lays[follower].window = w
	p.lays[lowLeader].window = w / p.opt.factor
	p.lays[highLeader].window = min(w*p.opt.factor, 1)
	room := p.c.budget - p.c.policyBytes
	for i := range p.lays {
		p.lays[i].nominal = int64(p.share(i) * float64(room))
	}
}

func (p *duelLFU) hit(i int32) {
	h := p.c.ents[i].hash
	k := p.partition(h)
	p.freq.hit(i)
	p.count(k, 1)
	p.lays[k].access(i)
}

func (p *duelLFU) miss(h uint64) {
	p.home = p.partition(h)
	p.count(p.home, 0)
}

// count records a request in layout k and, when the leaders have seen a
// period's requests, moves the follower's window towards the better
// leader's.
func (p *duelLFU) count(k, hits int) {
	p.hits[k] += hits
	p.reqs[k]++
	lo, hi := p.reqs[lowLeader], p.reqs[highLeader]
	if float64(lo+hi) < p.opt.period*float64(p.lays[lowLeader].n()+p.lays[highLeader].n()) || lo == 0 || hi == 0 {
		return
	}
	rlo := float64(p.hits[lowLeader]) / float64(lo)
	rhi := float64(p.hits[highLeader]) / float64(hi)
	switch {
	case rhi > rlo:
		p.window = min(p.window*p.opt.step, 1)
	case rlo > rhi:
		p.window = max(p.window/p.opt.step, p.opt.minWindow)
	}
	p.hits, p.reqs = [3]int{}, [3]int{}
	p.setWindows()
}

// victim evicts from the layout most over its share, counting the
// incoming entry in its home layout.
func (p *duelLFU) victim() int32 {
	p.setWindows()
	best, over := -1, math.Inf(-1)
	for i := range p.lays {
		if p.lays[i].n() == 0 {
			continue
		}
		o := float64(p.lays[i].total()-p.lays[i].nominal) / float64(max(p.lays[i].nominal, 1))
		if i == p.home {
			o += 1e-9 // ties go to the writer's layout
		}
		if o > over {
			best, over = i, o
		}
	}
	return p.lays[best].victim(p.admit)
}

// admit asks the sketch whether the candidate at slot cand beats the
// victim.
func (p *duelLFU) admit(cand, victim int32) bool {
	return p.freq.admit(cand, victim)
}

func (p *duelLFU) removed(i int32) {
	p.lays[p.partition(p.c.ents[i].hash)].remove(i)
}

func (p *duelLFU) evicted() { p.freq.fit(p.capacity) }

func (p *duelLFU) inserted(i int32) {
	h := p.c.ents[i].hash
	p.freq.write(i)
	p.lays[p.partition(h)].insert(i)
	p.freq.fit(p.capacity)
}

// capacity estimates the entries the cache holds when full.
func (p *duelLFU) capacity() int {
	n, total := int64(p.c.Len()), int64(0)
	if n == 0 {
		return 0
	}
	for i := range p.lays {
		total += p.lays[i].total()
	}
	return int(max(p.c.budget/max(total/n, 1), n))
}

func (p *duelLFU) order() []int32 {
	var out []int32
	for i := range p.lays {
		out = append(out, p.lays[i].order()...)
	}
	return out
}

func (p *duelLFU) adopt(i int32) { p.lays[p.partition(p.c.ents[i].hash)].adopt(i) }

func (p *duelLFU) adopted() { p.freq.fit(p.capacity) }
