package maxmem

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/maxmem/maxmem/internal/lfu"
)

// base is the cache-wide state the shards share and that does not depend
// on the key and value types: the budget, the policy, the clocks and the
// settings the ledgers read.
type base struct {
	budget budget
	policy atomic.Pointer[policyState]
	clock  Clock
	shards int // number of shards

	samples      int // maxmemory-samples
	logFactor    int // lfu-log-factor
	decayMinutes int // lfu-decay-time in minutes; 0: no decay
}

// now is the cache clock in unix nanoseconds.
func (b *base) now() int64 { return b.clock.Now().UnixNano() }

// nominal returns a shard's share of the budget (of the bytes in use when
// there is no limit). While a lowered limit is being enforced, used is
// above it, and the limit is what the shards are shrinking to.
func (b *base) nominal() int64 {
	n := b.budget.max.Load()
	if n == 0 {
		n = b.budget.used.Load()
	}
	return n / int64(b.shards)
}

// ledger is the part of a shard that does not depend on the key and value
// types: every entry's node, the recency lists, the TTL heap, the
// admission layout and the counters. Its methods with the Locked suffix
// need the shard's lock held in write mode.
//
// Invariants, with the lock held: slots 1 to n are exactly the resident
// entries; each is in exactly one of the lists (listOf); in the classic
// layout (adm == nil) that is its class's recency list, and each list is
// ordered by stamp; the heap holds exactly the volatile slots, and
// node.heapPos is each one's position.
//
// One recency order serves every policy, as Redis keeps one LRU field per
// key: it follows accesses, or modifications while an LRM policy is active.
// Switching between the two keeps the order as it is and lets new events
// reorder it, which is what Redis does when the field changes meaning.
type ledger struct {
	*base
	nodes       paged[node]
	n           uint32                // resident entries, in slots 1 to n
	lists       [numLists]recencyList // front most recent; see listOf
	adm         *admission            // the admission layout's state; nil: classic
	ttl         ttlHeap
	rng         rand.PCG
	hashOf      func(slot uint32) uint64 // the hash of the key at slot
	lastStamp   uint64                   // the latest write stamp handed out
	gen         atomic.Uint64            // bumped (under the lock) on every change; validates candidates
	viewNow     int64                    // time of the current policy consultation (see view.go)
	viewSamples int                      // Samples() for the current consultation; 0: the configured
	hint        candidateHint
	count       atomic.Int64 // n, for readers without the lock
	soonest     atomic.Int64 // earliest deadline in the heap; MaxInt64 if none

	counters shardCounters
}

// shardCounters are the INFO stats a shard keeps under its lock, besides
// its hits and misses.
type shardCounters struct {
	evicted, expired uint64
	writes           uint64 // writes and TTL changes accepted
}

// The lists an entry can be in. In the classic layout, which Redis's
// policies use, an entry's list is its class: persistent or volatile. In
// the admission layout of AllKeysTinyLFU it is one of window, probation
// and protected, kept in node.list (see admission.go).
const (
	persistent = iota
	volatile
	window
	probation
	protected
	numLists
)

// node returns the node at slot.
func (l *ledger) node(slot uint32) *node { return l.nodes.at(slot) }

// listOf returns the list holding slot.
func (l *ledger) listOf(slot uint32) *recencyList {
	n := l.node(slot)
	if l.adm != nil {
		return &l.lists[n.list]
	}
	return &l.lists[n.class()]
}

// resetLocked empties the ledger.
func (l *ledger) resetLocked() {
	l.nodes = paged[node]{}
	l.n = 0
	l.nodes.resize(1)
	l.lists = [numLists]recencyList{}
	if l.adm != nil {
		l.adm.weight = [3]int64{}
	}
	l.ttl.Reset()
	l.gen.Add(1)
	l.count.Store(0)
	l.soonest.Store(math.MaxInt64)
}

// addLocked appends a node for a new entry charged charge bytes and
// returns its slot. The caller indexes it and then calls linkLocked.
func (l *ledger) addLocked(charge int64, now int64) uint32 {
	l.n++
	slot := l.n
	l.nodes.resize(slot + 1)
	*l.node(slot) = node{stamp: l.writeStampLocked(), charge: charge, freq: lfu.Init, lfuTime: minutes(now)}
	return slot
}

// linkLocked puts the new entry at slot in its list and sets its deadline.
func (l *ledger) linkLocked(slot uint32, expireAt int64) {
	if l.adm != nil {
		l.admInsertLocked(slot)
	} else {
		l.pushFrontLocked(&l.lists[persistent], slot)
	}
	l.counters.writes++
	l.setExpireLocked(slot, expireAt)
	l.count.Add(1)
	l.gen.Add(1)
}

// unlinkAllLocked takes slot out of its list and the heap and returns its
// charge; the caller then moves the last entry into slot.
func (l *ledger) unlinkAllLocked(slot uint32) int64 {
	charge := l.node(slot).charge
	l.setExpireLocked(slot, 0)
	if l.adm != nil {
		l.adm.reweigh(l.node(slot).list, -charge)
	}
	l.unlinkLocked(l.listOf(slot), slot)
	return charge
}

// relocateLocked moves the node at slot from into the free slot to.
func (l *ledger) relocateLocked(from, to uint32) {
	*l.node(to) = *l.node(from)
	l.relinkLocked(l.listOf(to), to)
	if l.node(to).expireAt != 0 {
		l.ttl.Relocate(l, int(l.node(to).heapPos), to)
	}
}

// dropLastLocked forgets the last slot, after its entry was removed or
// moved.
func (l *ledger) dropLastLocked() {
	l.n--
	l.nodes.resize(l.n + 1)
	l.count.Add(-1)
}

// rechargeLocked gives a resident entry a new charge.
func (l *ledger) rechargeLocked(slot uint32, charge int64) {
	n := l.node(slot)
	if l.adm != nil {
		l.adm.reweigh(n.list, charge-n.charge)
	}
	n.charge = charge
}

// writtenLocked records a write or TTL change, which Redis counts as an
// access too: the LFU counter, and a fresh stamp for LRU and LRM alike.
func (l *ledger) writtenLocked(slot uint32, p *policyState, now int64) {
	l.counters.writes++
	l.countAccessLocked(slot, p, now)
	l.restampLocked(slot, l.writeStampLocked())
}

// writeStampLocked returns a stamp for a write: the recency clock's time,
// or one more than the shard's last write stamp if the clock has not
// moved past it.
func (l *ledger) writeStampLocked() uint64 {
	t := max(recencyNow(), l.lastStamp+1)
	l.lastStamp = t
	return t
}

// touchLocked applies a read that took its recency stamp when it happened:
// recency, unless the policy orders by modification, and the LFU counter
// when the policy reads it.
func (l *ledger) touchLocked(slot uint32, stamp uint64, p *policyState, now int64) {
	if !p.modification {
		l.restampLocked(slot, stamp)
	}
	l.countAccessLocked(slot, p, now)
}

// countAccessLocked bumps the LFU counter when the active policy reads it.
func (l *ledger) countAccessLocked(slot uint32, p *policyState, now int64) {
	if !p.frequency {
		return
	}
	n := l.node(slot)
	n.freq = lfu.Incr(lfuDecay(n, now, l.decayMinutes), l.logFactor, l.float64())
	n.lfuTime = minutes(now)
}

// restampLocked gives slot a new recency stamp and moves it to the front
// of its list; in the admission layout, it moves it as an access does there.
func (l *ledger) restampLocked(slot uint32, stamp uint64) {
	l.node(slot).stamp = stamp
	if l.adm != nil {
		l.admAccessLocked(slot)
		return
	}
	list := &l.lists[l.node(slot).class()]
	if list.back == slot {
		l.gen.Add(1) // the shard's least recent entry changes
	}
	l.moveToFrontLocked(list, slot)
}

// setExpireLocked sets the deadline (0: none), moving the entry between the
// persistent and volatile lists and in or out of the heap.
func (l *ledger) setExpireLocked(slot uint32, expireAt int64) {
	n := l.node(slot)
	from, to := n.class(), uint8(persistent)
	if expireAt != 0 {
		to = volatile
	}
	switch {
	case from == volatile && to == volatile:
		n.expireAt = expireAt
		l.ttl.Fix(l, int(n.heapPos))
	case from == volatile:
		l.ttl.Remove(l, int(n.heapPos))
		n.expireAt = 0
	case to == volatile:
		n.expireAt = expireAt
		l.ttl.Push(l, slot)
	}
	if from != to && l.adm == nil {
		l.moveClassLocked(slot, from, to)
	}
	l.noteSoonestLocked()
	l.gen.Add(1)
}

// moveClassLocked moves slot from one class's recency list to the front of
// the other's. Every caller restamps the entry right after (a write or TTL
// change is an access), so the list stays ordered by stamp; removal moves it
// to the persistent class only to take it out.
func (l *ledger) moveClassLocked(slot uint32, from, to uint8) {
	l.unlinkLocked(&l.lists[from], slot)
	l.pushFrontLocked(&l.lists[to], slot)
	l.gen.Add(1)
}

func (l *ledger) noteSoonestLocked() {
	d := int64(math.MaxInt64)
	if l.ttl.Len() > 0 {
		d = l.node(l.ttl.Min()).expireAt
	}
	l.soonest.Store(d)
}

// expiredLocked reports whether the entry at slot has passed its deadline.
func (l *ledger) expiredLocked(slot uint32, now int64) bool {
	return l.node(slot).expired(now)
}

// float64 returns a uniform number in [0, 1) from the shard's source.
func (l *ledger) float64() float64 {
	return float64(l.rng.Uint64()>>11) / (1 << 53)
}

// lfuDecay returns the node's LFU counter as of now.
func lfuDecay(n *node, now int64, decayMinutes int) uint8 {
	return lfu.Decay(n.freq, n.lfuTime, minutes(now), decayMinutes)
}

// minutes is Redis's 16-bit minute clock for LFU decay.
func minutes(unixNano int64) uint16 {
	return uint16(unixNano / int64(time.Minute))
}
