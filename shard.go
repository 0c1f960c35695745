package maxmem

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maxmem/maxmem/internal/lfu"
)

// A shard is one independently locked part of the cache. Its ledger keeps
// the bookkeeping that is the same for every key and value type: the
// index from key hash to slot, every entry's head and node (slab.go), the
// recency lists, the TTL heap, the read rings and the counters. Its store
// keeps the keys and values themselves, in one of two layouts (store.go).
//
// Invariants, with mu held: slots 1 to n are exactly the resident entries;
// idx maps each resident entry's hash (node.hash) to its slot; each slot is
// in exactly one list (node.list), ordered as recency.go says; the heap
// holds exactly the slots with a deadline, and node.heapPos is each one's
// position; charged is the sum of the entries' charges plus the policy's
// own bytes (admission.go), and charged + lease is what the shard holds of
// the cache's budget (accounting.go). Methods with the Locked suffix need
// mu held.
type shard[K comparable, V any] struct {
	ledger
	kv store[K, V]
}

// ledger is the part of a shard that does not depend on the key and value
// types.
type ledger struct {
	// What a Get without the lock reads. Writers change it only between
	// two increments of seq (see beginWrite).
	seq   atomic.Uint64 // odd while a write changes what readers see
	idx   table
	slab  slab
	arena *arena // the packed layout's bytes; nil in the generic layout
	_     [cacheLine]byte

	mu sync.Mutex
	_  [cacheLine - 8]byte

	reads []readRing // the packed layout's recorded Gets (reads.go)

	// What other shards' writers read to choose a victim (eviction.go),
	// published at unlock.
	pub published
	_   [cacheLine]byte

	// The lock holder's.
	*base
	writing   bool   // seq is odd for this lock hold
	dirty     bool   // a list's least recent entry or the heap's top changed
	n         uint32 // resident entries, in slots 1 to n
	lists     [numLists]recencyList
	adm       *admission // AllKeysTinyLFU's state (admission.go); nil otherwise
	ttl       ttlHeap
	rng       rand.PCG
	sizeOf    func(slot uint32, w uint64) int64 // the store's size (store.go)
	lease     int64                             // budget bytes the shard holds beyond its charges
	lastWrite uint64                            // the latest write stamp (see writeStampLocked)
	charged   atomic.Int64
	counters  shardCounters
	view      viewState // the policy's view during Policy.Victim (view.go)
}

// published is what a shard shows other writers without their taking its
// lock: how old its least recent entries are, when its next deadline is,
// and how many entries it holds.
type published struct {
	keys    [numKeys]atomic.Uint64 // candidate keys for choose (eviction.go); MaxUint64: none
	soonest atomic.Int64           // earliest deadline; MaxInt64: none
	count   atomic.Int64           // n
	ttls    atomic.Int64           // entries with a deadline
}

// cacheLine is the padding that keeps fields written by different cores
// off each other's cache lines.
const cacheLine = 64

// shardCounters are the INFO stats a shard keeps under its lock.
type shardCounters struct {
	hits, misses     uint64
	evicted, expired uint64
	writes           uint64 // writes and TTL changes accepted
}

// The lists an entry can be in. Under Redis's policies an entry's list is
// its class: persistent or volatile. Under AllKeysTinyLFU it is one of
// window, probation and protected (admission.go).
const (
	persistent = iota
	volatile
	window
	probation
	protected
	numLists
)

// classOf returns the class of an entry whose deadline is expireAt.
func classOf(expireAt int64) uint8 {
	if expireAt != 0 {
		return volatile
	}
	return persistent
}

// node returns the node at slot.
func (l *ledger) node(slot uint32) *node { return l.slab.node(slot) }

// head returns the head at slot.
func (l *ledger) head(slot uint32) *head { return l.slab.head(slot) }

// hashAt returns the stored hash bits of the entry at slot, for the index.
func (l *ledger) hashAt(slot uint32) uint32 { return l.node(slot).hash }

// lock takes the shard's lock.
func (l *ledger) lock() { l.mu.Lock() }

// unlock publishes what changed for other shards' writers, ends the write
// section if one began, and releases the lock.
func (l *ledger) unlock() {
	l.settleLeaseLocked()
	if l.dirty {
		l.publishLocked()
	}
	if l.writing {
		l.writing = false
		l.seq.Add(1)
	}
	l.mu.Unlock()
}

// beginWrite marks the start of changes a Get without the lock could see:
// the index, the heads, the slab's pages, the arena. Such a Get reads seq
// before and after it looks up an entry and tries again if seq was odd or
// moved (see getPacked). It is called before every such change; unlock
// ends the section.
func (l *ledger) beginWrite() {
	if !l.writing {
		l.writing = true
		l.seq.Add(1)
	}
}

// publishLocked stores the least recent stamps and the earliest deadline.
func (l *ledger) publishLocked() {
	l.dirty = false
	if k := l.policy.Load().keyKind(); k != soonestKey { // SetPolicy publishes every kind
		l.pub.keys[k].Store(l.liveKey(k))
	}
	soonest := l.liveSoonest()
	if soonest != l.pub.soonest.Load() {
		l.pub.soonest.Store(soonest)
		l.pub.keys[soonestKey].Store(deadlineKey(soonest))
		l.budget.lowerSoonest(soonest)
	}
	if n := int64(l.ttl.Len()); n != l.pub.ttls.Load() {
		l.pub.ttls.Store(n)
	}
}

// publishAllLocked publishes every kind of candidate key, for a change of
// policy.
func (l *ledger) publishAllLocked() {
	for k := range l.pub.keys {
		l.pub.keys[k].Store(l.liveKey(k))
	}
	l.publishLocked()
}

// resetLocked empties the ledger. The caller empties the store and releases
// what the entries were charged.
func (l *ledger) resetLocked() {
	l.beginWrite()
	l.idx.reset()
	l.slab.reset()
	l.slab.resize(1)
	l.n = 0
	l.lists = [numLists]recencyList{}
	if l.adm != nil {
		l.adm.weight = [3]int64{}
	}
	l.ttl.Reset()
	l.pub.count.Store(0)
	l.dirty = true
	l.drainLocked() // counts the recorded reads; with no entries left, applies none
}

// addLocked appends a new entry whose key hashes to h, with word as its
// word, indexes it, links it at the front of its list with a deadline of
// expireAt, and returns its slot.
func (l *ledger) addLocked(h uint32, word uint64, expireAt, now int64, stamp uint64) uint32 {
	l.beginWrite()
	l.n++
	slot := l.n
	l.slab.fit(slot)
	l.head(slot).set(head{word: word})
	n := l.node(slot)
	*n = node{hash: h, freq: lfu.Init, lfuTime: minutes(now)}
	n.setStamp(stamp)
	l.idx.insert(h, slot, l.hashAt)
	l.linkLocked(slot)
	l.setExpireLocked(slot, expireAt)
	l.pub.count.Store(int64(l.n))
	return slot
}

// linkLocked puts a new entry in its list: the window under AllKeysTinyLFU,
// the persistent class otherwise (setExpireLocked moves it to the volatile
// one when it gets a deadline).
func (l *ledger) linkLocked(slot uint32) {
	if l.adm != nil {
		l.admInsertLocked(slot)
		return
	}
	l.node(slot).list = persistent
	l.pushFrontLocked(&l.lists[persistent], slot)
	l.dirty = l.dirty || l.lists[persistent].back == slot
}

// unindexLocked takes the entry at slot, charged charge bytes, out of its
// list, the heap and the index. The caller then moves the last entry into
// slot (moveLocked) and drops the last slot (dropLastLocked).
func (l *ledger) unindexLocked(slot uint32, charge int64) {
	l.beginWrite()
	l.setExpireLocked(slot, 0)
	n := l.node(slot)
	if l.adm != nil {
		l.adm.reweigh(n.list, -charge)
	}
	list := &l.lists[n.list]
	l.dirty = l.dirty || list.back == slot
	l.unlinkFromLocked(list, slot)
	l.idx.remove(n.hash, slot)
}

// moveLocked moves the entry at slot from into the free slot to.
func (l *ledger) moveLocked(from, to uint32) {
	l.beginWrite()
	src := *l.head(from)
	l.head(to).set(src) // before the index points at it
	*l.node(to) = *l.node(from)
	n := l.node(to)
	l.idx.move(n.hash, from, to)
	l.relinkLocked(&l.lists[n.list], to)
	if src.expireAt != 0 {
		l.ttl.Relocate(l, int(n.heapPos), to)
	}
}

// dropLastLocked forgets the last slot, after its entry was removed or
// moved.
func (l *ledger) dropLastLocked() {
	l.beginWrite()
	l.n--
	l.slab.fit(l.n)
	l.idx.shrink(l.hashAt)
	l.pub.count.Store(int64(l.n))
}

// touchLocked applies an access made at stamp: the entry goes to the front
// of its list (unless the policy orders by modification), and its LFU
// counter counts it when the policy reads it.
func (l *ledger) touchLocked(slot uint32, stamp uint64, p *policyState, now int64) {
	if !p.modification {
		l.restampLocked(slot, stamp)
	}
	l.countAccessLocked(slot, p, now)
}

// writtenLocked records a write or TTL change, which Redis counts as an
// access and, for LRM, as a modification.
func (l *ledger) writtenLocked(slot uint32, p *policyState, now int64) {
	l.counters.writes++
	l.countAccessLocked(slot, p, now)
	l.restampLocked(slot, l.writeStampLocked())
}

// writeStampLocked returns a recency stamp for a write: the recency clock's
// time, or one more than the shard's last write stamp if the clock has not
// moved past it, so that every write renews its entry's stamp (Compute
// relies on it).
func (l *ledger) writeStampLocked() uint64 {
	t := max(recencyNow(), l.lastWrite+1)
	l.lastWrite = t
	return t
}

// restampLocked gives slot a new recency stamp and moves it to the front of
// its list; under AllKeysTinyLFU, it moves it as an access does there.
func (l *ledger) restampLocked(slot uint32, stamp uint64) {
	n := l.node(slot)
	n.setStamp(stamp)
	if l.adm != nil {
		l.admAccessLocked(slot)
		return
	}
	list := &l.lists[n.list]
	l.dirty = l.dirty || list.back == slot
	l.moveToFrontLocked(list, slot)
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

// setExpireLocked sets the deadline (0: none), moving the entry between the
// persistent and volatile lists and in or out of the heap.
func (l *ledger) setExpireLocked(slot uint32, expireAt int64) {
	h, n := l.head(slot), l.node(slot)
	from, to := classOf(h.expireAt), classOf(expireAt)
	if expireAt == h.expireAt {
		return
	}
	l.beginWrite()
	switch {
	case from == volatile && to == volatile:
		h.setExpireAt(expireAt)
		l.ttl.Fix(l, int(n.heapPos))
	case from == volatile:
		l.ttl.Remove(l, int(n.heapPos))
		h.setExpireAt(0)
	default:
		h.setExpireAt(expireAt)
		l.ttl.Push(l, slot)
	}
	if from != to && l.adm == nil {
		l.moveClassLocked(slot, from, to)
	}
	l.dirty = true
}

// moveClassLocked moves slot from one class's list to the front of the
// other's. Every caller restamps the entry right after (a write or TTL
// change is an access), so the order stays right; a removal moves it to
// the persistent class only to take it out.
func (l *ledger) moveClassLocked(slot uint32, from, to uint8) {
	l.unlinkFromLocked(&l.lists[from], slot)
	l.node(slot).list = to
	l.pushFrontLocked(&l.lists[to], slot)
}

// unlinkFromLocked takes slot out of list.
func (l *ledger) unlinkFromLocked(list *recencyList, slot uint32) {
	l.dirty = l.dirty || list.back == slot
	l.detachLocked(list, slot)
}

// expiredLocked reports whether the entry at slot has passed its deadline.
func (l *ledger) expiredLocked(slot uint32, now int64) bool {
	return l.head(slot).expired(now)
}

// soonestExpiredLocked returns the slot of an entry whose deadline has
// passed at now, if any: the top of the heap.
func (l *ledger) soonestExpiredLocked(now int64) (uint32, bool) {
	if l.ttl.Len() == 0 || l.head(l.ttl.Min()).expireAt > now {
		return 0, false
	}
	return l.ttl.Min(), true
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
