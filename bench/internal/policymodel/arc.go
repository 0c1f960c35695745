package policymodel

// arc is ARC (Megiddo and Modha, FAST 2003), by bytes: T1 holds entries
// requested once recently, T2 those requested again; B1 and B2 are ghosts
// of what left T1 and T2. A miss that finds a ghost in B1 says T1 was too
// small and raises T1's target p; one in B2 lowers it. Room is made from
// T1 while it is over p, else from T2. The lists and p count the charges
// of the entries (the ghosts': of the entries they stand for); the budget
// bounds T1 + B1 and the whole directory at twice the budget.
type arc struct {
	c      *Cache
	t1, t2 list
	b1, b2 *ghostList
	p      float64 // T1's target bytes
	ghost  uint8   // where the key being missed was a ghost: 0, arcB1 or arcB2
}

// The lists of ARC, as entries' list ids, and ghost cases.
const (
	arcT1 uint8 = iota + 1
	arcT2
	arcB1
	arcB2
)

// ARC is the ARC policy.
var ARC = Policy{
	Name:  "arc",
	About: "ARC: T1/T2 LRU lists with ghost lists B1/B2 steering T1's target",
	make:  func(c *Cache) policy { return &arc{c: c, b1: newGhostList(c), b2: newGhostList(c)} },
}

func (p *arc) hit(i int32) {
	if p.c.ents[i].list == arcT1 {
		p.c.move(&p.t1, &p.t2, arcT2, i)
		return
	}
	p.c.moveToFront(&p.t2, i)
}

// miss adapts p to a ghost hit and remembers which list it was in.
func (p *arc) miss(h uint64) {
	p.ghost = 0
	capacity := float64(p.c.budget)
	switch {
	case p.b1.contains(h):
		p.ghost = arcB1
		p.p = min(p.p+ratio(p.b2.bytes, p.b1.bytes)*p.ghostCharge(p.b1, h), capacity)
	case p.b2.contains(h):
		p.ghost = arcB2
		p.p = max(p.p-ratio(p.b1.bytes, p.b2.bytes)*p.ghostCharge(p.b2, h), 0)
	}
}

// ratio returns max(a/b, 1).
func ratio(a, b int64) float64 { return max(float64(a)/float64(max(b, 1)), 1) }

// ghostCharge returns the charge of the entry h's ghost in g stands for.
func (p *arc) ghostCharge(g *ghostList, h uint64) float64 {
	return float64(g.nodes[g.index[h]].charge)
}

// victim is ARC's REPLACE: T1's least recent entry while T1 is over its
// target (or at it, for a key found in B2), else T2's.
func (p *arc) victim() int32 {
	t1 := float64(p.t1.bytes)
	if p.t1.n > 0 && (t1 > p.p || p.ghost == arcB2 && t1 >= p.p || p.t2.n == 0) {
		return p.t1.back
	}
	return p.t2.back
}

// removed unlinks an entry and keeps its ghost.
func (p *arc) removed(i int32) {
	e := &p.c.ents[i]
	if e.list == arcT1 {
		p.c.unlink(&p.t1, i)
		p.b1.push(e.hash, e.charge)
	} else {
		p.c.unlink(&p.t2, i)
		p.b2.push(e.hash, e.charge)
	}
}

func (p *arc) evicted() {}

// inserted puts a key found in a ghost list in T2, a new one in T1, and
// trims the ghosts: T1 + B1 within the budget, everything within twice.
func (p *arc) inserted(i int32) {
	h := p.c.ents[i].hash
	if p.b1.remove(h) || p.b2.remove(h) {
		p.c.pushFront(&p.t2, arcT2, i)
	} else {
		p.c.pushFront(&p.t1, arcT1, i)
	}
	p.ghost = 0
	budget := p.c.budget
	for p.b1.n > 0 && p.t1.bytes+p.b1.bytes > budget {
		p.b1.popBack()
	}
	for p.b2.n > 0 && p.t1.bytes+p.t2.bytes+p.b1.bytes+p.b2.bytes > 2*budget {
		p.b2.popBack()
	}
}

func (p *arc) order() []int32 {
	return append(p.c.backToFront(&p.t2), p.c.backToFront(&p.t1)...)
}

func (p *arc) adopt(i int32) { p.c.pushFront(&p.t1, arcT1, i) }

func (p *arc) adopted() {}
