package sim

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// TinyLFUConfig parameterises the prototype W-TinyLFU policy.
type TinyLFUConfig struct {
	// Shards splits the cache into independent policies sharing one
	// budget; on overflow a shard is chosen at random, weighted by the
	// units it holds, and evicts once.
	Shards int
	// WindowPercent is the initial share of the capacity given to the
	// admission window (Caffeine: 1 %).
	WindowPercent float64
	// ProtectedPercent is the share of the main space that is protected
	// (Caffeine: 80 %).
	ProtectedPercent float64
	// SketchBytesPerEntry sizes the frequency sketch (Caffeine: one 8-byte
	// word per entry, rounded up to a power of two; the prototype: 4, not
	// rounded, i.e. 8 counters per entry).
	SketchBytesPerEntry float64
	// SampleFactor: the sketch ages (halves) after SampleFactor × entries
	// increments, and the climber samples the hit ratio every
	// ClimbFactor × entries requests.
	SampleFactor int64
	ClimbFactor  float64
	// Conservative selects conservative update in the sketch.
	Conservative bool
	// TieAdmit admits the candidate when its frequency equals the
	// victim's (the more recent entry wins ties).
	TieAdmit bool
	// Climb enables hill climbing of the window size.
	Climb bool
	// StepPercent, StepDecay and RestartThreshold are the climber's
	// parameters (Caffeine: 6.25 %, 0.98, 0.05).
	StepPercent, StepDecay, RestartThreshold float64
	// EntryCharge is what one entry costs in the byte budget on
	// entry-count traces; the sketch's bytes are converted to entries at
	// this rate and taken out of the capacity. 0 charges nothing.
	EntryCharge int64
	// ChargeSketch takes the sketch's bytes out of the capacity.
	ChargeSketch bool
	// LocalEvict makes a Set that overflows the budget evict from its own
	// shard (while that shard holds more than half its share), instead of
	// from a shard chosen at random weighted by size, so the newcomer's
	// window candidate duels in the same shard.
	LocalEvict bool
	// Seed seeds the hash and the shard choice.
	Seed uint64
}

// DefaultTinyLFU is the configuration the prototype settled on.
func DefaultTinyLFU() TinyLFUConfig {
	return TinyLFUConfig{
		Shards:              1,
		WindowPercent:       0.01,
		ProtectedPercent:    0.80,
		SketchBytesPerEntry: 4,
		SampleFactor:        10,
		ClimbFactor:         10,
		Conservative:        false,
		Climb:               true,
		StepPercent:         0.0625,
		StepDecay:           0.98,
		RestartThreshold:    0.05,
		LocalEvict:          true,
		EntryCharge:         180,
		ChargeSketch:        true,
		Seed:                1,
	}
}

// Queues an entry can be in.
const (
	qWindow uint8 = iota
	qProbation
	qProtected
)

// tlNode is one cached entry.
type tlNode struct {
	key        uint64
	hash       uint64
	size       int64
	prev, next int32
	queue      uint8
}

// tlList is a doubly linked list threaded through a shard's nodes, most
// recent at the head.
type tlList struct {
	head, tail int32
	weight     int64
}

// TinyLFU is the prototype adaptive W-TinyLFU cache: per shard, an LRU
// admission window in front of a segmented LRU main space (probation and
// protected), a count-min sketch that decides whether the window's victim
// may displace the main space's victim, and a hill climber that moves the
// window/main boundary.
type TinyLFU struct {
	cfg      TinyLFUConfig
	capacity int64 // units available to entries (after the sketch)
	used     int64
	shards   []*tlShard
	rng      *rand.Rand
	// SketchBytes is the total size of the sketches.
	SketchBytes int64
}

// tlShard is one shard's policy state.
type tlShard struct {
	cfg       *TinyLFUConfig
	index     map[uint64]int32
	nodes     []tlNode
	free      []int32
	lists     [3]tlList
	nominal   int64 // the shard's share of the capacity
	windowMax int64
	protMax   int64
	sketch    *sketch

	// climber state
	sample, hits, requests int64
	prevRate, step         float64
	window                 float64 // window size in units (float for small steps)
}

// NewTinyLFU returns an empty prototype cache bounded by capacity units;
// items estimates how many entries fit (capacity itself on entry-count
// traces) and weighted tells whether units are bytes.
func NewTinyLFU(cfg TinyLFUConfig, capacity, items int64, weighted bool) *TinyLFU {
	cfg.Shards = max(cfg.Shards, 1)
	items = max(items, 1)
	c := &TinyLFU{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x71f))}
	perItems := max(items/int64(cfg.Shards), 1)
	for range cfg.Shards {
		sk := newSketch(perItems, cfg.SketchBytesPerEntry, cfg.SampleFactor, cfg.Conservative)
		c.SketchBytes += sk.Bytes()
		c.shards = append(c.shards, &tlShard{cfg: &c.cfg, index: map[uint64]int32{}, sketch: sk})
	}
	c.capacity = capacity
	if cfg.ChargeSketch {
		if weighted {
			c.capacity -= c.SketchBytes
		} else if cfg.EntryCharge > 0 {
			c.capacity -= (c.SketchBytes + cfg.EntryCharge - 1) / cfg.EntryCharge
		}
	}
	c.capacity = max(c.capacity, 0)
	for _, s := range c.shards {
		s.init(c.capacity/int64(cfg.Shards), max(int64(float64(perItems)*cfg.ClimbFactor), 1))
	}
	return c
}

// init sets a shard's nominal capacity, sample period and initial window.
func (s *tlShard) init(nominal, sample int64) {
	s.nominal = max(nominal, 1)
	for i := range s.lists {
		s.lists[i] = tlList{head: -1, tail: -1}
	}
	s.sample = sample
	s.window = s.cfg.WindowPercent * float64(s.nominal)
	s.step = -s.cfg.StepPercent * float64(s.nominal)
	s.resize()
}

// resize derives the window and protected bounds from s.window.
func (s *tlShard) resize() {
	s.window = min(max(s.window, 0), float64(s.nominal))
	s.windowMax = int64(s.window)
	if s.cfg.WindowPercent > 0 && s.windowMax == 0 {
		s.windowMax = 1
	}
	s.protMax = int64(s.cfg.ProtectedPercent * float64(s.nominal-s.windowMax))
}

// Capacity returns the units available to entries after the sketch.
func (c *TinyLFU) Capacity() int64 { return c.capacity }

// Used returns the units held by entries.
func (c *TinyLFU) Used() int64 { return c.used }

// Len returns the number of cached entries.
func (c *TinyLFU) Len() int {
	n := 0
	for _, s := range c.shards {
		n += len(s.index)
	}
	return n
}

// shardOf returns key's hash and shard.
func (c *TinyLFU) shardOf(key uint64) (uint64, *tlShard) {
	h := mixHash(key, c.cfg.Seed)
	hi, _ := bits.Mul64(h, uint64(len(c.shards)))
	return h, c.shards[hi]
}

// Get looks key up, records the access in the sketch, and on a hit
// updates the entry's recency.
func (c *TinyLFU) Get(key uint64) bool {
	h, s := c.shardOf(key)
	s.sketch.Increment(h)
	i, ok := s.index[key]
	if ok {
		s.onHit(i)
	}
	if s.cfg.Climb {
		s.climb(ok)
	}
	return ok
}

// Set inserts key into its shard's window and evicts until the cache fits.
func (c *TinyLFU) Set(key uint64, size int64) {
	h, s := c.shardOf(key)
	if i, ok := s.index[key]; ok {
		n := &s.nodes[i]
		s.lists[n.queue].weight += size - n.size
		c.used += size - n.size
		n.size = size
	} else {
		if size > c.capacity {
			return
		}
		i := s.alloc(key, h, size)
		s.pushFront(qWindow, i)
		c.used += size
	}
	for c.used > c.capacity {
		victim := s
		if !c.cfg.LocalEvict || s.weight() <= s.nominal/2 {
			victim = c.pickShard()
		}
		c.used -= victim.evictOne()
	}
}

// pickShard chooses a shard at random weighted by the units it holds.
func (c *TinyLFU) pickShard() *tlShard {
	if len(c.shards) == 1 {
		return c.shards[0]
	}
	r := c.rng.Int64N(c.used)
	for _, s := range c.shards {
		w := s.weight()
		if r < w {
			return s
		}
		r -= w
	}
	return c.shards[len(c.shards)-1]
}

// Close does nothing.
func (c *TinyLFU) Close() {}

// weight returns the units held by the shard.
func (s *tlShard) weight() int64 {
	return s.lists[0].weight + s.lists[1].weight + s.lists[2].weight
}

// onHit moves entry i according to its queue.
func (s *tlShard) onHit(i int32) {
	switch s.nodes[i].queue {
	case qWindow:
		s.unlink(i)
		s.pushFront(qWindow, i)
	case qProbation:
		s.unlink(i)
		s.pushFront(qProtected, i)
		s.demote()
	case qProtected:
		s.unlink(i)
		s.pushFront(qProtected, i)
	}
}

// demote moves protected entries beyond its bound to probation.
func (s *tlShard) demote() {
	for s.lists[qProtected].weight > s.protMax && s.lists[qProtected].tail >= 0 {
		j := s.lists[qProtected].tail
		s.unlink(j)
		s.pushFront(qProbation, j)
	}
}

// evictOne removes one entry from the shard and returns its size. When
// the window is over its bound its least recent entry (the candidate)
// either moves into the main space or, if the main space is full, duels
// with the main space's least recent entry (the victim): the one the
// sketch deems less frequent is evicted.
func (s *tlShard) evictOne() int64 {
	for {
		win := &s.lists[qWindow]
		if win.weight > s.windowMax && win.tail >= 0 {
			cand := win.tail
			victim := s.mainVictim()
			if victim < 0 || win.weight-s.nodes[cand].size > s.windowMax {
				// The window is still over its bound without the candidate, or
				// the main space is empty: the candidate moves without a
				// duel (as when Caffeine shrinks its window). The window
				// shrinks every time, so the loop ends.
				s.unlink(cand)
				s.pushFront(qProbation, cand)
				continue
			}
			if s.admit(cand, victim) {
				s.unlink(cand)
				s.pushFront(qProbation, cand)
				return s.remove(victim)
			}
			return s.remove(cand)
		}
		if v := s.mainVictim(); v >= 0 {
			return s.remove(v)
		}
		return s.remove(win.tail)
	}
}

// mainVictim returns the least recent probation entry, else the least
// recent protected one, else -1.
func (s *tlShard) mainVictim() int32 {
	if t := s.lists[qProbation].tail; t >= 0 {
		return t
	}
	return s.lists[qProtected].tail
}

// admit reports whether the candidate should replace the victim.
func (s *tlShard) admit(cand, victim int32) bool {
	fc := s.sketch.Estimate(s.nodes[cand].hash)
	fv := s.sketch.Estimate(s.nodes[victim].hash)
	if s.cfg.TieAdmit && fc == fv {
		return true
	}
	return fc > fv
}

// climb counts a request and, once per sample, moves the window bound in
// the direction that last raised the hit ratio.
func (s *tlShard) climb(hit bool) {
	s.requests++
	if hit {
		s.hits++
	}
	if s.requests < s.sample {
		return
	}
	rate := float64(s.hits) / float64(s.requests)
	change := rate - s.prevRate
	amount := s.step
	if change < 0 {
		amount = -s.step
	}
	if math.Abs(change) >= s.cfg.RestartThreshold {
		s.step = math.Copysign(s.cfg.StepPercent*float64(s.nominal), amount)
	} else {
		s.step = s.cfg.StepDecay * amount
	}
	s.prevRate = rate
	s.hits, s.requests = 0, 0
	s.window += amount
	s.resize()
	s.demote()
}

// alloc stores a new node and returns its index.
func (s *tlShard) alloc(key, h uint64, size int64) int32 {
	n := tlNode{key: key, hash: h, size: size, prev: -1, next: -1}
	var i int32
	if k := len(s.free); k > 0 {
		i = s.free[k-1]
		s.free = s.free[:k-1]
		s.nodes[i] = n
	} else {
		i = int32(len(s.nodes))
		s.nodes = append(s.nodes, n)
	}
	s.index[key] = i
	return i
}

// remove unlinks and frees node i and returns its size.
func (s *tlShard) remove(i int32) int64 {
	s.unlink(i)
	delete(s.index, s.nodes[i].key)
	s.free = append(s.free, i)
	return s.nodes[i].size
}

// unlink removes node i from its list.
func (s *tlShard) unlink(i int32) {
	n := &s.nodes[i]
	l := &s.lists[n.queue]
	if n.prev >= 0 {
		s.nodes[n.prev].next = n.next
	} else {
		l.head = n.next
	}
	if n.next >= 0 {
		s.nodes[n.next].prev = n.prev
	} else {
		l.tail = n.prev
	}
	l.weight -= n.size
	n.prev, n.next = -1, -1
}

// pushFront makes node i the head of list q.
func (s *tlShard) pushFront(q uint8, i int32) {
	n := &s.nodes[i]
	l := &s.lists[q]
	n.queue = q
	n.prev, n.next = -1, l.head
	if l.head >= 0 {
		s.nodes[l.head].prev = i
	}
	l.head = i
	if l.tail < 0 {
		l.tail = i
	}
	l.weight += n.size
}

// PrototypeFactories returns the prototype W-TinyLFU, unsharded and with
// MaxmemShards shards, under cfg (Shards is overridden).
func PrototypeFactories(cfg TinyLFUConfig) []Factory {
	mk := func(name string, shards int) Factory {
		return Factory{Name: name, Weighted: true, New: func(s Spec) (Cache, error) {
			c := envTinyLFU(cfg)
			c.Shards = shards
			c.Seed = s.Seed
			return NewTinyLFU(c, s.Capacity, s.Items, s.Weighted), nil
		}}
	}
	return []Factory{
		mk("prototype W-TinyLFU", 1),
		mk("prototype W-TinyLFU (8 shards)", MaxmemShards),
	}
}
