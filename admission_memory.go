package maxmem

// The admission layout's memory
//
// The policy's own memory is charged to the budget like any entry:
// used_memory counts it, and used_memory_policy shows it. The sketch
// takes a byte per expected entry, the ghosts 12 bytes per 32
// entries. Both are sized from the shard's share of MaxMemory and its
// average entry, and resized when the shard holds more entries than they
// were sized for, or far fewer; the resident entries keep their counts
// across a resize. When the budget has no room for their growth, the
// shard evicts its own victims for it, as a write does (payPolicyLocked):
// a full cache switched to this policy at run time gets its sketch.
// Invariant: the shard's charged bytes include policyBytes exactly, and
// owed > 0 only while a resize waits for its bytes.

import (
	"github.com/maxmem/maxmem/internal/ghost"
	"github.com/maxmem/maxmem/internal/sketch"
)

// policyBytes returns the memory of the sketch and the ghosts.
func (a *admission) policyBytes() int64 { return a.sketch.Bytes() + a.ghosts.Bytes() }

// policyBytesFor returns the memory of a sketch and ghosts sized for
// capacity entries.
func policyBytesFor(capacity int) int64 {
	return sketch.BytesFor(capacity) + ghost.BytesFor(capacity/ghostShare)
}

// fitPolicyLocked sizes the sketch and the ghosts anew when the shard
// holds more entries than they are sized for, or fewer than a quarter: for
// the entries the shard's share of the budget holds at its average charge,
// but at most sketchSlack more than twice the entries it holds now (a
// large cache filling up resizes a few times; a full one keeps its size).
// The growth is charged to the budget (growPolicyLocked); when the budget
// has no room, the shard owes it, and payPolicyLocked evicts for it.
func (l *ledger) fitPolicyLocked() {
	n, have := int(l.n), l.adm.sketch.Capacity()
	if n == 0 || n <= have && (have <= 64 || n >= have/4) {
		return
	}
	l.adm.owed = min(l.admCapacityLocked(), 2*n+sketchSlack)
	l.growPolicyLocked()
}

// sketchSlack is how many entries beyond twice its entries a shard's sketch
// may be sized for before the shard holds them.
const sketchSlack = 1024

// growPolicyLocked sizes the sketch and ghosts for the entries owed if
// the budget has room for the difference, and reports whether nothing is
// owed any more. The resident entries keep their counts; the newest
// ghosts are kept.
func (l *ledger) growPolicyLocked() bool {
	a := l.adm
	if a.owed == 0 {
		return true
	}
	if !l.takeLocked(policyBytesFor(a.owed) - a.policyBytes()) {
		return false
	}
	old := a.sketch
	a.sketch.Resize(a.owed)
	for slot := uint32(1); slot <= l.n; slot++ {
		h := uint64(l.hashAt(slot))
		a.sketch.Add(h, old.Estimate(h))
	}
	a.ghosts.Resize(a.owed / ghostShare)
	a.owed = 0
	return true
}

// payPolicyLocked evicts the locked shard's own victims until the budget
// has room for what its sketch and ghosts are owed, as a write evicts for
// its entry, while the shard holds at least half its nominal bytes (a
// smaller shard waits for room: its next write tries again).
func (c *Cache[K, V]) payPolicyLocked(s *shard[K, V], fx *effects[K, V]) {
	for !s.growPolicyLocked() && s.n > 0 && 2*s.adm.total() >= c.nominal() {
		c.dropLocked(s, s.admVictimLocked(), Evicted, fx)
	}
}
