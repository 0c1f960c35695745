package policymodel

// layout is one W-TinyLFU space: an LRU window for new entries, then a
// segmented LRU, probation and protected, over nominal bytes. The window
// may hold its share of them (at least its newest entry), protected its
// share of the rest.
type layout struct {
	c              *Cache
	lists          [3]list // window, probation, protected
	nominal        int64
	window         float64 // the window's share of nominal
	protectedShare float64
}

// The lists of a layout.
const (
	window uint8 = iota
	probation
	protected
)

// total returns the bytes of the entries in the layout.
func (l *layout) total() int64 {
	return l.lists[window].bytes + l.lists[probation].bytes + l.lists[protected].bytes
}

// n returns the number of entries in the layout.
func (l *layout) n() int { return l.lists[window].n + l.lists[probation].n + l.lists[protected].n }

// access moves an entry that was hit: to the front of its list, or from
// probation into protected, whose overflow goes back to probation.
func (l *layout) access(i int32) {
	switch li := l.c.ents[i].list; li {
	case probation:
		l.c.move(&l.lists[probation], &l.lists[protected], protected, i)
		l.demote()
	default:
		l.c.moveToFront(&l.lists[li], i)
	}
}

// bounds returns the window's and protected's byte limits.
func (l *layout) bounds() (windowMax, protectedMax int64) {
	windowMax = int64(l.window * float64(l.nominal))
	return windowMax, int64(l.protectedShare * float64(l.nominal-windowMax))
}

// demote moves protected's least recent entries to probation while
// protected is over its limit.
func (l *layout) demote() {
	_, limit := l.bounds()
	pr := &l.lists[protected]
	for pr.bytes > limit && pr.back != nilSlot {
		l.c.move(pr, &l.lists[probation], probation, pr.back)
	}
}

// mainBack returns the main space's least recent entry: probation's, else
// protected's.
func (l *layout) mainBack() int32 {
	if b := l.lists[probation].back; b != nilSlot {
		return b
	}
	return l.lists[protected].back
}

// victim returns the entry to evict. While the window is over its limit,
// its least recent entry (the candidate) faces the main space's least
// recent one (the victim) and admit decides, ties keeping the incumbent;
// the window may always hold its newest entry.
func (l *layout) victim(admit func(cand, victim int32) bool) int32 {
	windowMax, _ := l.bounds()
	win := &l.lists[window]
	for {
		cand, victim := win.back, l.mainBack()
		limit := windowMax
		if win.front != nilSlot {
			limit = max(limit, l.c.ents[win.front].charge)
		}
		switch {
		case cand == nilSlot || win.bytes <= limit:
			if victim != nilSlot {
				return victim
			}
			return cand
		case victim == nilSlot || win.bytes-l.c.ents[cand].charge > limit:
			l.c.move(win, &l.lists[probation], probation, cand) // the main space has room
			continue
		case !admit(cand, victim):
			return cand
		}
		l.c.move(win, &l.lists[probation], probation, cand)
		return victim
	}
}

// insert links a new entry at the front of the window.
func (l *layout) insert(i int32) { l.c.pushFront(&l.lists[window], window, i) }

// remove unlinks an entry.
func (l *layout) remove(i int32) { l.c.unlink(&l.lists[l.c.ents[i].list], i) }

// order lists the window, then probation, then protected, each from its
// back: roughly least recent first.
func (l *layout) order() []int32 {
	var out []int32
	for li := range l.lists {
		out = append(out, l.c.backToFront(&l.lists[li])...)
	}
	return out
}

// adopt puts an entry of the previous policy in probation, as maxmem's
// layout switch does.
func (l *layout) adopt(i int32) { l.c.pushFront(&l.lists[probation], probation, i) }
