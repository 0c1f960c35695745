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
// The sketch and the ghosts are the policy's own memory, charged to the
// budget like any entry (admission_memory.go).
//
// The sketch counts nothing until the shard first holds half its nominal
// bytes, so that the requests that fill a cache do not defend its first
// keys for several aging periods; meanwhile the window spills into
// probation, so that the keys hit while the shard fills reach protected,
// where a scan cannot reach them. The sketch halves itself every 5
// capacities of counted requests. A candidate estimated at 6 or more also
// wins, one time in 128, against a victim as frequent: a new hot set can
// replace an old one whose counts are still saturated.
//
// Ghosts: each shard remembers the last candidates that lost their duel
// (internal/ghost), one per 32 entries it holds. A write of a key whose
// ghost is there skips the window and enters probation, so a key that
// comes back soon is turned away once at most, and its ghost hit tells
// the climber that the window is too small for the traffic (climber.go).

import (
	"cmp"
	"slices"

	"github.com/maxmem/maxmem/internal/ghost"
	"github.com/maxmem/maxmem/internal/sketch"
)

// protectedShare is the protected segment's share of the main space.
const protectedShare = 0.80

// The admission's other constants: one ghost per ghostShare entries, and
// the warm admission (one candidate in warmOdds estimated at warmFloor or
// more wins against a victim as frequent).
const (
	ghostShare = 32
	warmOdds   = 128
	warmFloor  = 6
)

// admission is one shard's state in the admission layout. Its sketch and
// ghosts are sized together, for the same number of entries, and their
// bytes (policyBytes) are part of the shard's charged bytes.
type admission struct {
	sketch sketch.Sketch
	ghosts ghost.FIFO // the candidates that lost their duel last
	weight [3]int64   // bytes in window, probation and protected
	climb  climber    // sets the window's share of the shard's nominal bytes
	warm   bool       // the shard has held half its nominal bytes: the sketch counts
	owed   int        // entries to size the sketch and ghosts for once their bytes are taken; 0: none
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

// admInsertLocked counts the write of a new entry in the sketch (the Get
// that missed was not counted) and links the entry at the front of the
// window, or of probation if its key's ghost was there: the key lost its
// duel a moment ago and is back already.
func (l *ledger) admInsertLocked(slot uint32) {
	h, to := l.hashAt(slot), uint8(window)
	l.admCountLocked(h)
	if l.adm.ghosts.Remove(h) {
		l.adm.climb.ghostHit()
		to = probation
	}
	l.node(slot).list = to
	l.pushFrontLocked(&l.lists[to], slot)
	l.adm.reweigh(to, l.charge(slot))
	if !l.adm.warm {
		l.admSpillLocked()
	}
	l.fitPolicyLocked()
}

// admSpillLocked moves the window's least recent entries to probation
// while the window is over its bound, without a duel. A shard does this
// while it fills, before its sketch counts (a write with room to spare
// evicts nothing, so no duel would move them): the keys hit while the
// shard fills then reach protected, and a scan that comes before the
// sketch knows them cannot push them out.
func (l *ledger) admSpillLocked() {
	windowMax, _ := l.adm.bounds(l.nominal())
	win := &l.lists[window]
	for *l.adm.bytes(window) > max(windowMax, l.charge(win.front)) {
		l.admMoveLocked(win.back, probation)
	}
}

// admCountLocked counts a request for the key hashed h in the sketch, once
// the shard has first held half its nominal bytes.
func (l *ledger) admCountLocked(h uint32) {
	a := l.adm
	if !a.warm {
		if 2*a.total() < l.nominal() {
			return
		}
		a.warm = true
	}
	a.sketch.Increment(uint64(h))
}

// admRequestLocked records a Get that found the key hashed h: in the
// sketch, and for the climber. (A miss is counted in the sketch when the
// key is written; see admMissesLocked for the climber.)
func (l *ledger) admRequestLocked(h uint32) {
	l.admCountLocked(h)
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
// frequent (admitLocked); ties keep the incumbent, which makes a scan
// harmless. The window may always hold its newest entry, however small its
// share: a new entry gets its time in the window.
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
		if !l.admitLocked(cand, victim) {
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

// admitLocked reports whether the candidate at slot cand wins its duel
// against the victim at slot victim: it was requested more often, or, one
// time in warmOdds, it was requested warmFloor times or more (a new hot
// key facing an old one whose count is as high, or saturated).
func (l *ledger) admitLocked(cand, victim uint32) bool {
	c := l.adm.sketch.Estimate(uint64(l.hashAt(cand)))
	if c > l.adm.sketch.Estimate(uint64(l.hashAt(victim))) {
		return true
	}
	return c >= warmFloor && l.rng.Uint64()%warmOdds == 0
}

// admEvictingLocked is told that the entry at slot is being evicted: if it
// leaves from the window, it lost its duel (or the main space was empty),
// and its key becomes a ghost.
func (l *ledger) admEvictingLocked(slot uint32) {
	if n := l.node(slot); n.list == window {
		l.adm.ghosts.Push(n.hash)
	}
}

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
		l.fitPolicyLocked()
	} else {
		l.takeLocked(-l.adm.policyBytes())
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

// admittedVictim picks the admission layout's victim in l, which evictFrom
// has just put in the current policy's layout: none if that is no longer
// the admission layout (SetPolicy switched away meanwhile).
func admittedVictim(l *ledger) (uint32, Reason, bool) {
	if l.adm == nil || l.n == 0 {
		return 0, 0, false
	}
	return l.admVictimLocked(), Evicted, true
}
