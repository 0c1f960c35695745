package maxmem

// The admission layout
//
// AllKeysTinyLFU keeps each shard in a layout of its own, after the
// W-TinyLFU design of Einziger, Friedman and Manes, adapted to a byte
// budget. A new entry enters a small LRU window. Behind the window is the
// main space, a segmented LRU: probation, and protected for the entries
// that were hit while in probation. When the shard must give up bytes and
// its window is over its share, the window's least recent entry (the
// candidate) faces the main space's least recent entry (the victim), and a
// count-min sketch of recent requests decides: the candidate moves into
// probation only if it was requested more often than the victim, which is
// evicted in its place; otherwise the candidate goes. A one-off scan thus
// never pushes the working set out, while the window still gives a new
// entry time to prove itself.
//
// A hill climber moves the boundary between window and main space: every
// sample period it compares the shard's hit ratio with the previous
// period's and keeps moving the window's share in the direction that
// raised it, in steps that shrink as the ratio settles. Recency-biased
// workloads grow the window towards plain LRU; frequency-biased ones shrink
// it.
//
// Each shard keeps its own lists, sketch and climber, under its own lock.
// A write evicts from its own shard, so that its newcomer is the one that
// faces the victim; a shard holding less than half its share of the budget
// is spared, and a shard chosen at random by size evicts instead.
//
// The sketch takes two bytes per expected entry and is charged to the
// budget like any entry: used_memory counts it. It is sized from the
// shard's share of MaxMemory and its average entry, and resized when the
// shard holds more entries than it was sized for, or far fewer; the
// resident entries keep their counts across a resize.

import (
	"cmp"
	"slices"

	"github.com/maxmem/maxmem/internal/sketch"
)

// protectedShare is the protected segment's share of the main space.
const protectedShare = 0.80

// admission is one shard's state in the admission layout.
type admission struct {
	sketch sketch.Sketch
	weight [3]int64 // bytes in window, probation and protected
	climb  climber  // sets the window's share of the shard's nominal bytes
}

func newAdmission() *admission {
	return &admission{climb: newClimber()}
}

// bytes returns the weight of list (window, probation or protected).
func (a *admission) bytes(list uint8) *int64 { return &a.weight[list-window] }

// reweigh adds delta bytes to list.
func (a *admission) reweigh(list uint8, delta int64) { *a.bytes(list) += delta }

// total returns the bytes of every entry in the layout.
func (a *admission) total() int64 { return a.weight[0] + a.weight[1] + a.weight[2] }

// bounds returns the window's and the protected segment's byte limits in a
// shard whose nominal share of the budget is nominal bytes.
func (a *admission) bounds(nominal int64) (windowMax, protectedMax int64) {
	windowMax = int64(a.climb.window * float64(nominal))
	return windowMax, int64(protectedShare * float64(nominal-windowMax))
}

// admInsertLocked links a new entry at the front of the window.
func (l *ledger) admInsertLocked(slot uint32) {
	l.node(slot).list = window
	l.pushFrontLocked(&l.lists[window], slot)
	l.adm.reweigh(window, l.charge(slot))
	l.fitSketchLocked()
}

// admRequestLocked records a Get that found the key hashed h: in the
// sketch, and for the climber. (A miss is counted in the sketch when the
// key is written; see admMissesLocked for the climber.)
func (l *ledger) admRequestLocked(h uint32) {
	l.adm.sketch.Increment(uint64(h))
	if l.adm.climb.count(1, 1) {
		l.adm.climb.startPeriod(climbPeriodRatio * l.admCapacityLocked())
	}
}

// admMissesLocked records n Gets that found nothing, for the climber.
func (l *ledger) admMissesLocked(n uint64) {
	if l.adm.climb.count(0, int(n)) {
		l.adm.climb.startPeriod(climbPeriodRatio * l.admCapacityLocked())
	}
}

// admCapacityLocked estimates how many entries the shard holds when full:
// its share of the budget over its average charge (at least what it holds);
// 0 when it is empty.
func (l *ledger) admCapacityLocked() int {
	n := int64(l.n)
	if n == 0 {
		return 0
	}
	return int(max(l.nominal()/max(l.adm.total()/n, 1), n))
}

// admAccessLocked moves an accessed entry: to the front of the window or
// of protected, or from probation into protected, which may push
// protected's least recent entries back to probation.
func (l *ledger) admAccessLocked(slot uint32) {
	switch list := l.node(slot).list; list {
	case probation:
		l.admMoveLocked(slot, protected)
		l.admDemoteLocked()
	default:
		l.moveToFrontLocked(&l.lists[list], slot)
	}
}

// admMoveLocked moves slot to the front of list to.
func (l *ledger) admMoveLocked(slot uint32, to uint8) {
	m, charge := l.node(slot), l.charge(slot)
	l.detachLocked(&l.lists[m.list], slot)
	l.adm.reweigh(m.list, -charge)
	m.list = to
	l.pushFrontLocked(&l.lists[to], slot)
	l.adm.reweigh(to, charge)
}

// admDemoteLocked moves protected's least recent entries to probation
// while protected is over its bound.
func (l *ledger) admDemoteLocked() {
	_, limit := l.adm.bounds(l.nominal())
	for *l.adm.bytes(protected) > limit && l.lists[protected].back != 0 {
		l.admMoveLocked(l.lists[protected].back, probation)
	}
}

// admVictimLocked returns the entry to evict from the shard (0 if it is
// empty). While the window is over its bound, its least recent entry faces
// the main space's least recent one and the sketch keeps the more
// frequent; ties keep the incumbent, which makes a scan harmless. The
// window may always hold its newest entry, however small its share: a new
// entry gets its time in the window.
func (l *ledger) admVictimLocked() uint32 {
	windowMax, _ := l.adm.bounds(l.nominal())
	for {
		win := &l.lists[window]
		cand, victim := win.back, l.mainBackLocked()
		limit := max(windowMax, l.charge(win.front))
		if cand == 0 || *l.adm.bytes(window) <= limit {
			if victim != 0 {
				return victim
			}
			return cand
		}
		if victim == 0 || *l.adm.bytes(window)-l.charge(cand) > limit {
			l.admMoveLocked(cand, probation) // no contest: the main space has room
			continue
		}
		if l.adm.sketch.Estimate(uint64(l.hashAt(cand))) <= l.adm.sketch.Estimate(uint64(l.hashAt(victim))) {
			return cand
		}
		l.admMoveLocked(cand, probation)
		return victim
	}
}

// mainBackLocked returns the main space's least recent entry: probation's,
// else protected's; 0 if both are empty.
func (l *ledger) mainBackLocked() uint32 {
	if b := l.lists[probation].back; b != 0 {
		return b
	}
	return l.lists[protected].back
}

// fitSketchLocked resizes the sketch when the shard holds more entries than
// it is sized for, or fewer than a quarter: to the entries the shard's share
// of the budget holds at its average charge, but at most sketchSlack more
// than twice the entries it holds now (a large cache filling up resizes a
// few times; a full one keeps its size). The resident entries keep their
// counts. Growth is charged to the budget; if there is no room the sketch
// stays as it is.
func (l *ledger) fitSketchLocked() {
	a, n := l.adm, int(l.n)
	have := a.sketch.Capacity()
	if n == 0 || n <= have && (have <= 64 || n >= have/4) {
		return
	}
	want := min(l.admCapacityLocked(), 2*n+sketchSlack)
	if !l.takeLocked(sketch.BytesFor(want) - a.sketch.Bytes()) {
		return
	}
	old := a.sketch
	a.sketch.Resize(want)
	for slot := 1; slot <= n; slot++ {
		h := uint64(l.hashAt(uint32(slot)))
		a.sketch.Add(h, old.Estimate(h))
	}
}

// sketchSlack is how many entries beyond twice its entries a shard's sketch
// may be sized for before the shard holds them.
const sketchSlack = 1024

// layoutLocked puts the shard in the layout policy p needs, keeping the
// entries' recency order: switching to the admission layout puts every
// entry in probation, and switching back rebuilds the recency lists from
// the entries' stamps.
func (l *ledger) layoutLocked(p *policyState) {
	if (p.order == orderAdmission) == (l.adm != nil) {
		return
	}
	order := make([]uint32, int(l.n))
	for i := range order {
		order[i] = uint32(i + 1)
	}
	slices.SortFunc(order, func(a, b uint32) int { return cmp.Compare(l.node(a).getStamp(), l.node(b).getStamp()) })
	l.lists = [numLists]recencyList{}
	if p.order == orderAdmission {
		l.adm = newAdmission()
		for _, slot := range order {
			l.node(slot).list = probation
			l.pushFrontLocked(&l.lists[probation], slot)
			l.adm.reweigh(probation, l.charge(slot))
		}
		l.fitSketchLocked()
	} else {
		l.takeLocked(-l.adm.sketch.Bytes())
		l.adm = nil
		for _, slot := range order {
			list := classOf(l.head(slot).expireAt)
			l.node(slot).list = list
			l.pushFrontLocked(&l.lists[list], slot)
		}
	}
	l.dirty = true
}

// evictAdmitted evicts one entry under AllKeysTinyLFU for a write whose
// own shard holds less than half its share of the budget: from a shard
// chosen at random in proportion to its entries.
func (c *Cache[K, V]) evictAdmitted(credit *int64, fx *effects[K, V]) bool {
	if i := c.randomShard(false); i >= 0 && c.evictFrom(&c.shards[i], credit, fx, admittedVictim) {
		return true
	}
	for i := range c.shards { // the chosen shard emptied meanwhile
		if c.evictFrom(&c.shards[i], credit, fx, admittedVictim) {
			return true
		}
	}
	return false
}

// admittedVictim picks the admission layout's victim in l.
func admittedVictim(l *ledger) (uint32, Reason, bool) {
	l.layoutLocked(l.policy.Load())
	if l.n == 0 {
		return 0, 0, false
	}
	return l.admVictimLocked(), Evicted, true
}
