package policymodel

// frequency is the admission side of the TinyLFU policies: a sketch of
// recent requests (with a doorkeeper in front, optionally), sized for the
// entries the cache holds when full and charged to its budget, and the
// duel that uses it.
type frequency struct {
	c   *Cache
	opt frequencyOptions
	sk  sketch
	dk  doorkeeper
	// fitting is set while fit evicts for the sketch's bytes, so the
	// evictions do not resize it again.
	fitting bool
	// warm is set once the cache held half its budget (lazy).
	warm bool
	// draws is the state of the generator warm admissions draw from.
	draws uint64
}

// frequencyOptions are the admission side's parameters.
type frequencyOptions struct {
	sketch sketchOptions
	// slack: a sketch is sized for at most 2n + slack entries while the
	// cache holds n (maxmem: 1024).
	slack int
	// evictForSketch makes the sketch take its bytes by evicting entries;
	// maxmem grows it only into free room.
	evictForSketch bool
	// warmOdds, warmFloor: one in warmOdds candidates whose estimate is
	// at least warmFloor is admitted against a victim as frequent, as
	// otter and Caffeine do against hash flooding (0: never).
	warmOdds, warmFloor int
	// lazy ignores requests until the cache first holds half its budget,
	// as otter does: the sketch does not count the warm-up.
	lazy bool
}

// maxmemFrequency are the options of maxmem's allkeys-tinylfu.
var maxmemFrequency = frequencyOptions{sketch: maxmemSketch, slack: 1024}

// increment counts a request for h: in the doorkeeper first, if any, then
// in the sketch. The doorkeeper is cleared when the sketch halves.
func (f *frequency) increment(h uint64) {
	if f.cold() {
		return
	}
	dk := f.opt.sketch.doorkeeper > 0
	if dk && f.sk.blocks > 0 && !f.dk.add(h) {
		if f.sk.tick() {
			f.dk.clear()
		}
		return
	}
	if f.sk.increment(h) && dk {
		f.dk.clear()
	}
}

// cold reports whether requests are still ignored (lazy).
func (f *frequency) cold() bool {
	if !f.opt.lazy || f.warm {
		return false
	}
	f.warm = 2*f.c.used >= f.c.budget
	return !f.warm
}

// estimate returns h's frequency: the sketch's, plus one if the
// doorkeeper holds it.
func (f *frequency) estimate(h uint64) int {
	e := f.sk.estimate(h)
	if f.dk.contains(h) {
		e++
	}
	return e
}

// hit counts a request that found the entry at slot i.
func (f *frequency) hit(i int32) { f.increment(f.c.ents[i].hash) }

// write counts the request that writes the new entry at slot i.
func (f *frequency) write(i int32) { f.increment(f.c.ents[i].hash) }

// admit reports whether the candidate at slot cand wins against the
// victim at slot victim: it is more frequent, or warm and drawn.
func (f *frequency) admit(cand, victim int32) bool {
	c, v := f.estimate(f.c.ents[cand].hash), f.estimate(f.c.ents[victim].hash)
	return c > v || f.warmDraw(c-v, c)
}

// warmDraw reports whether a candidate estimated at est, diff above its
// victim, wins by the warm admission's draw: at a tie or below, estimated
// at warmFloor or more, one time in warmOdds.
func (f *frequency) warmDraw(diff, est int) bool {
	if f.opt.warmOdds == 0 || diff > 0 || est < f.opt.warmFloor {
		return false
	}
	f.draws = f.draws*6364136223846793005 + 1442695040888963407
	return f.draws>>33%uint64(f.opt.warmOdds) == 0
}

// bytesFor returns the sketch's and doorkeeper's size for capacity
// entries.
func (f *frequency) bytesFor(capacity int) int64 {
	return sketchBytes(capacity, f.opt.sketch) + doorkeeperBytes(capacity, f.opt.sketch.doorkeeper)
}

// bytes returns the size of the sketch and doorkeeper.
func (f *frequency) bytes() int64 { return f.sk.bytes() + int64(len(f.dk.words))*8 }

// fit resizes the sketch when the cache holds more entries than it is
// sized for, or fewer than a quarter (beyond 64): to capacity, the
// entries the cache holds when full, at most 2n + slack. Resident entries
// keep their counts. The bytes come from free room (maxmem), or from
// evictions (evictForSketch); without them the sketch stays as it is.
func (f *frequency) fit(capacity func() int) {
	n, have := f.c.Len(), f.sk.capacity
	if f.fitting || n == 0 || n <= have && (have <= 64 || n >= have/4) {
		return
	}
	want := min(capacity(), 2*n+f.opt.slack)
	if !f.payFor(f.bytesFor(want) - f.bytes()) {
		return
	}
	old := f.sk
	f.sk.resize(want, f.opt.sketch)
	f.dk.resize(want, f.opt.sketch.doorkeeper)
	for _, i := range f.c.index {
		h := f.c.ents[i].hash
		f.sk.add(h, old.estimate(h))
	}
}

// payFor takes grow more policy bytes (gives -grow back when negative) and
// reports whether it could.
func (f *frequency) payFor(grow int64) bool {
	switch {
	case grow < 0:
		f.c.release(-grow)
	case grow > 0 && f.opt.evictForSketch:
		f.fitting = true
		defer func() { f.fitting = false }()
		return f.c.reserve(grow)
	case grow > 0:
		return f.c.tryReserve(grow)
	}
	return true
}
