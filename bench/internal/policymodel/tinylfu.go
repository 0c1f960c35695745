package policymodel

// tinyLFU is maxmem's allkeys-tinylfu layout for one shard (admission.go
// in the core), and the variants researched from it. A new entry enters an
// LRU window; behind it is a segmented LRU, probation then protected. When
// room is needed and the window is over its share, the window's least
// recent entry (the candidate) faces the main space's least recent entry
// (the victim) and the sketch keeps the more frequent; ties keep the
// incumbent. A hill climber sets the window's share.
type tinyLFU struct {
	c     *Cache
	opt   tinyOptions
	lists [3]list // window, probation, protected
	sk    sketch
	climb climber
	// fitting is set while fitSketch evicts for the sketch's bytes, so the
	// evictions do not resize it again.
	fitting bool
	// pending and misses are the reads not yet applied (bufferReads).
	pending []int32
	misses  int
}

// The lists of the layout.
const (
	window uint8 = iota
	probation
	protected
)

// tinyOptions are a tinyLFU's parameters.
type tinyOptions struct {
	sketch  sketchOptions
	climber climberOptions
	// protectedShare is protected's share of the main space (maxmem: 0.8).
	protectedShare float64
	// slack: a sketch is sized for at most 2n + slack entries while the
	// cache holds n (maxmem: 1024).
	slack int
	// evictForSketch makes the sketch take its bytes by evicting entries;
	// maxmem grows it only into free room.
	evictForSketch bool
	// bufferReads applies hits and counts misses as maxmem's read rings
	// do: in batches, misses first, when 16 hits are pending and before
	// a write.
	bufferReads bool
}

// maxmemTiny are the options of maxmem's allkeys-tinylfu.
var maxmemTiny = tinyOptions{sketch: maxmemSketch, climber: maxmemClimber, protectedShare: 0.8, slack: 1024}

// tinyPolicy returns a Policy running a tinyLFU with options o.
func tinyPolicy(name, about string, o tinyOptions) Policy {
	return Policy{Name: name, About: about, make: func(c *Cache) policy {
		return &tinyLFU{c: c, opt: o, climb: newClimber(o.climber)}
	}}
}

// nominal is the bytes the layout's shares apply to: the whole budget.
func (p *tinyLFU) nominal() int64 { return p.c.budget }

// total returns the bytes of the entries in the layout.
func (p *tinyLFU) total() int64 {
	return p.lists[window].bytes + p.lists[probation].bytes + p.lists[protected].bytes
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
	p.sk.increment(p.c.ents[i].hash)
	p.count(1)
	p.access(i)
}

func (p *tinyLFU) miss(uint64) {
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
		if p.climb.count(0, p.misses) {
			p.climb.startPeriod(p.capacity())
		}
		p.misses = 0
	}
	for _, i := range p.pending {
		p.apply(i)
	}
	p.pending = p.pending[:0]
}

// count records a request for the climber and starts a new period when
// one is over.
func (p *tinyLFU) count(hits int) {
	if p.climb.count(hits, 1) {
		p.climb.startPeriod(p.capacity())
	}
}

// capacity estimates the entries the cache holds when full: the budget
// over the average charge, at least what it holds; 0 when empty.
func (p *tinyLFU) capacity() int {
	n := int64(p.c.Len())
	if n == 0 {
		return 0
	}
	return int(max(p.nominal()/max(p.total()/n, 1), n))
}

// access moves an entry that was hit: to the front of its list, or from
// probation into protected, whose overflow goes back to probation.
func (p *tinyLFU) access(i int32) {
	switch l := p.c.ents[i].list; l {
	case probation:
		p.c.move(&p.lists[probation], &p.lists[protected], protected, i)
		p.demote()
	default:
		p.c.moveToFront(&p.lists[l], i)
	}
}

// bounds returns the window's and protected's byte limits.
func (p *tinyLFU) bounds() (windowMax, protectedMax int64) {
	nominal := p.nominal()
	windowMax = int64(p.climb.window * float64(nominal))
	return windowMax, int64(p.opt.protectedShare * float64(nominal-windowMax))
}

// demote moves protected's least recent entries to probation while
// protected is over its limit.
func (p *tinyLFU) demote() {
	_, limit := p.bounds()
	pr := &p.lists[protected]
	for pr.bytes > limit && pr.back != nilSlot {
		p.c.move(pr, &p.lists[probation], probation, pr.back)
	}
}

// mainBack returns the main space's least recent entry: probation's, else
// protected's.
func (p *tinyLFU) mainBack() int32 {
	if b := p.lists[probation].back; b != nilSlot {
		return b
	}
	return p.lists[protected].back
}

// victim runs the duel while the window is over its limit; the window may
// always hold its newest entry.
func (p *tinyLFU) victim() int32 {
	p.drain()
	windowMax, _ := p.bounds()
	win := &p.lists[window]
	for {
		cand, victim := win.back, p.mainBack()
		limit := windowMax
		if win.front != nilSlot {
			limit = max(limit, p.c.ents[win.front].charge)
		}
		if cand == nilSlot || win.bytes <= limit {
			if victim != nilSlot {
				return victim
			}
			return cand
		}
		if victim == nilSlot || win.bytes-p.c.ents[cand].charge > limit {
			p.c.move(win, &p.lists[probation], probation, cand) // the main space has room
			continue
		}
		if p.sk.estimate(p.c.ents[cand].hash) <= p.sk.estimate(p.c.ents[victim].hash) {
			return cand
		}
		p.c.move(win, &p.lists[probation], probation, cand)
		return victim
	}
}

func (p *tinyLFU) removed(i int32) { p.c.unlink(&p.lists[p.c.ents[i].list], i) }

func (p *tinyLFU) evicted() { p.fitSketch() }

func (p *tinyLFU) inserted(i int32) {
	p.sk.increment(p.c.ents[i].hash) // a write is a request too
	p.c.pushFront(&p.lists[window], window, i)
	p.fitSketch()
}

// fitSketch resizes the sketch when the cache holds more entries than it
// is sized for, or fewer than a quarter (beyond 64): to the capacity
// estimate, at most 2n + slack. Resident entries keep their counts. The
// bytes come from free room (maxmem), or from evictions (evictForSketch);
// without them the sketch stays as it is.
func (p *tinyLFU) fitSketch() {
	n, have := p.c.Len(), p.sk.capacity
	if p.fitting || n == 0 || n <= have && (have <= 64 || n >= have/4) {
		return
	}
	want := min(p.capacity(), 2*n+p.opt.slack)
	if !p.payFor(sketchBytes(want, p.opt.sketch) - p.sk.bytes()) {
		return
	}
	old := p.sk
	p.sk.resize(want, p.opt.sketch)
	for _, i := range p.c.index {
		h := p.c.ents[i].hash
		p.sk.add(h, old.estimate(h))
	}
}

// payFor takes grow more policy bytes (gives -grow back when negative) and
// reports whether it could.
func (p *tinyLFU) payFor(grow int64) bool {
	switch {
	case grow < 0:
		p.c.release(-grow)
	case grow > 0 && p.opt.evictForSketch:
		p.fitting = true
		defer func() { p.fitting = false }()
		return p.c.reserve(grow)
	case grow > 0:
		return p.c.tryReserve(grow)
	}
	return true
}

// order lists the window, then probation, then protected, each from its
// back: roughly least recent first.
func (p *tinyLFU) order() []int32 {
	var out []int32
	for l := range p.lists {
		out = append(out, p.c.backToFront(&p.lists[l])...)
	}
	return out
}

// adopt puts an entry of the previous policy in probation, as maxmem's
// layout switch does.
func (p *tinyLFU) adopt(i int32) { p.c.pushFront(&p.lists[probation], probation, i) }

// adopted sizes the sketch for the adopted entries.
func (p *tinyLFU) adopted() { p.fitSketch() }
