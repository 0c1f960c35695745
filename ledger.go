package maxmem

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/maxmem/maxmem/internal/lfu"
)

// base is the cache-wide state the shards share and that does not depend
// on the key and value types: the budget, the policy, the clock and the
// settings the ledgers read.
type base struct {
	policy   atomic.Pointer[policyState]
	clock    Clock
	shards   int   // number of shards
	overhead int64 // EntryOverhead[K, V]()

	samples      int // maxmemory-samples
	logFactor    int // lfu-log-factor
	decayMinutes int // lfu-decay-time in minutes; 0: no decay
	_            [cacheLine]byte
	budget       budget // written by every write
}

// now is the cache clock in unix nanoseconds: the Options.Clock, or, for
// the system clock, wallNow.
func (b *base) now() int64 {
	if b.clock == nil {
		return wallNow()
	}
	return b.clock.Now().UnixNano()
}

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
// types: the index, every entry's node, the recency lists, the TTL heap,
// the admission layout, the arena of the packed layout, and the counters.
// Its methods with the Locked suffix need the shard's lock held in write
// mode.
//
// Invariants, with the lock held: slots 1 to n are exactly the resident
// entries; idx maps the hash of each resident key to its slot; each slot
// is in exactly one of the lists (listOf); in the classic layout (adm ==
// nil) that is its class's recency list, and each list is ordered by stamp
// (up to reads made at the same moment); the heap holds exactly the
// volatile slots, and node.heapPos is each one's position; in the packed
// layout, each node's word is the reference of its entry's item, and the
// item's slot field names the node.
//
// One recency order serves every policy, as Redis keeps one LRU field per
// key: it follows accesses, or modifications while an LRM policy is active.
// Switching between the two keeps the order as it is and lets new events
// reorder it, which is what Redis does when the field changes meaning.
type ledger struct {
	// What every Get reads, which only writes change (see mutateLocked).
	*base
	seq   atomic.Uint64 // odd while a write changes what readers see
	idx   table         // key hash -> slot
	slab  slab
	arena *arena // the packed layout's keys and values; nil: generic layout
	_     [cacheLine]byte

	mu    rwLock     // shared: Get in the generic layout; exclusive: everything else
	reads []readRing // Gets not yet replayed (see reads.go)
	_     [cacheLine]byte

	// The lock holder's.
	writing     bool   // seq is odd for this lock hold
	n           uint32 // resident entries, in slots 1 to n
	lists       [numLists]recencyList
	adm         *admission // the admission layout's state; nil: classic
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
	// lostHits counts the hits whose events the read rings had no room
	// for; the other hits are counted on replay.
	lostHits atomic.Uint64
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
func (l *ledger) node(slot uint32) *node { return l.slab.node(slot) }

// head returns the head at slot.
func (l *ledger) head(slot uint32) *head { return l.slab.head(slot) }

// mutateLocked marks the start of changes readers without the lock could
// see: the index, the nodes' words and deadlines, the slab's pages, the
// arena. Readers in the packed layout read seq before and after they look
// an entry up, and try again if it was odd or moved (see getPacked). It is
// called before every such change; endWriteLocked ends the section when the
// lock is released. Replaying reads changes nothing readers see, so
// lockAndDrain replays before the section begins.
func (l *ledger) mutateLocked() {
	if !l.writing {
		l.writing = true
		l.seq.Add(1)
	}
}

// endWriteLocked ends the section mutateLocked began, if any.
func (l *ledger) endWriteLocked() {
	if l.writing {
		l.writing = false
		l.seq.Add(1)
	}
}

// charge returns the bytes charged for the entry at slot; 0 for slot 0,
// which is no entry.
func (l *ledger) charge(slot uint32) int64 {
	w := l.head(slot).word
	if l.arena == nil || slot == 0 {
		return int64(w)
	}
	return l.arena.charge(w, l.overhead)
}

// listOf returns the list holding slot.
func (l *ledger) listOf(slot uint32) *recencyList { return &l.lists[l.node(slot).list] }

// classOf returns the class of an entry whose deadline is expireAt: the
// list that holds it in the classic layout.
func classOf(expireAt int64) uint8 {
	if expireAt != 0 {
		return volatile
	}
	return persistent
}

// resetLocked empties the ledger.
func (l *ledger) resetLocked() {
	l.mutateLocked()
	l.idx = table{}
	l.slab.reset()
	l.n = 0
	l.slab.resize(1)
	if l.arena != nil {
		l.arena.reset()
	}
	l.lists = [numLists]recencyList{}
	if l.adm != nil {
		l.adm.weight = [3]int64{}
	}
	l.ttl.Reset()
	l.gen.Add(1)
	l.count.Store(0)
	l.soonest.Store(math.MaxInt64)
}

// findPosLocked returns where the index stores the resident slot.
func (l *ledger) findPosLocked(slot uint32) int {
	gs, h := l.idx.load(), l.hashOf(slot)
	for c := gs.probe(h); ; c.advance(gs) {
		g := gs.at(c)
		m, final := g.match(h)
		for ; m != 0; m &= m - 1 {
			if g.slot(m) == slot {
				return c.pos(m)
			}
		}
		if final {
			panic("maxmem: resident entry missing from the index")
		}
	}
}

// lookup finds key, whose hash is h, in the packed layout, and returns
// its slot, its node, the reference of its item (its node's word) and its
// value, a slice of the arena. It reads only through atomic loads and
// checks every bound, so a reader without the lock may call it: what it
// returns is then right only if seq did not move meanwhile (see
// getPacked).
func (l *ledger) lookup(key string, h uint64) (slot uint32, hd *head, r uint64, value []byte, found bool) {
	gs := l.idx.load()
	if gs == nil {
		return 0, nil, 0, nil, false
	}
	c := gs.probe(h)
	for range gs.mask + 1 { // a probe meets an empty slot before this, unless the table moved under it
		g := gs.at(c)
		m, final := g.match(h)
		for ; m != 0; m &= m - 1 {
			slot = g.slot(m)
			if hd = l.slab.peek(slot); hd == nil {
				continue
			}
			r = hd.loadWord()
			if value, found = l.arena.valueOf(r, key); found {
				return slot, hd, r, value, true
			}
		}
		if final {
			break
		}
		c.advance(gs)
	}
	return 0, nil, 0, nil, false
}

// addLocked appends a node for a new entry whose key hashes to h, with
// word as its word, indexes it and returns its slot. In the packed layout
// the caller then writes the item and sets the word; the entry is linked
// in by linkLocked.
func (l *ledger) addLocked(h uint64, word uint64, now int64) uint32 {
	l.mutateLocked()
	l.n++
	slot := l.n
	l.slab.fit(slot)
	l.head(slot).set(head{word: word})
	*l.node(slot) = node{stamp: l.writeStampLocked(), freq: lfu.Init, lfuTime: minutes(now)}
	l.idx.insert(h, slot, l.hashOf)
	return slot
}

// linkLocked puts the new entry at slot, charged charge bytes, in its list
// and sets its deadline.
func (l *ledger) linkLocked(slot uint32, charge, expireAt int64) {
	if l.adm != nil {
		l.admInsertLocked(slot, charge)
	} else {
		l.node(slot).list = persistent
		l.pushFrontLocked(&l.lists[persistent], slot)
		if l.lists[persistent].back == slot {
			l.gen.Add(1) // the list was empty: its least recent entry changes
		}
	}
	l.counters.writes++
	l.setExpireLocked(slot, expireAt)
	l.count.Add(1)
}

// unlinkLocked takes the entry at slot, charged charge bytes, out of its
// list, the heap, the index and the arena. The caller then moves the last
// entry into slot (moveLocked) and drops the last slot (dropLastLocked).
func (l *ledger) unlinkEntryLocked(slot uint32, charge int64) {
	l.mutateLocked()
	l.gen.Add(1) // candidates may name the entry, or the one moved into its slot
	l.setExpireLocked(slot, 0)
	if l.adm != nil {
		l.adm.reweigh(l.node(slot).list, -charge)
	}
	l.unlinkLocked(l.listOf(slot), slot)
	l.idx.delete(l.findPosLocked(slot))
	if l.arena != nil {
		l.arena.release(l.head(slot).word)
	}
}

// moveLocked moves the entry at slot from into the free slot to. The
// index still finds it at from: hashOf must read its key there.
func (l *ledger) moveLocked(from, to uint32) {
	l.mutateLocked()
	src := *l.head(from)
	l.head(to).set(src) // before the index points at it
	*l.node(to) = *l.node(from)
	l.idx.setSlot(l.findPosLocked(from), to)
	l.relinkLocked(l.listOf(to), to)
	if src.expireAt != 0 {
		l.ttl.Relocate(l, int(l.node(to).heapPos), to)
	}
	if l.arena != nil {
		l.arena.relabel(src.word, to)
	}
}

// dropLastLocked forgets the last slot, after its entry was removed or
// moved.
func (l *ledger) dropLastLocked() {
	l.mutateLocked()
	l.n--
	l.slab.fit(l.n)
	l.idx.shrink(l.hashOf)
	l.count.Add(-1)
}

// compactLocked compacts the arena when its garbage has passed what the
// entries' charges leave room for: it empties the chunks with the most
// garbage into the chunk being filled, until the garbage is down to half
// that room.
func (l *ledger) compactLocked() {
	a := l.arena
	if a == nil || !a.overGarbage() {
		return
	}
	l.mutateLocked()
	for !a.settled() {
		v := a.victim()
		if v == 0 {
			return
		}
		l.evacuateLocked(v)
	}
}

// evacuateLocked copies the live items of the chunk at idx to the chunk
// being filled, points their nodes at the copies, and drops the chunk.
func (l *ledger) evacuateLocked(idx uint32) {
	a := l.arena
	ch := a.at(idx)
	for off := 0; off < int(ch.used); {
		it, _ := parseItem(ch.data, off)
		r, slot := ref(idx, ch.gen, off), binary.LittleEndian.Uint32(ch.data[off:])
		if slot >= 1 && slot <= l.n && l.head(slot).word == r {
			key := ch.data[it.key : it.key+it.klen]
			moved := a.put(slot, unsafe.String(unsafe.SliceData(key), len(key)), ch.data[it.value:it.end], it.size, it.custom)
			l.head(slot).setWord(moved)
			n := int64(it.end - off)
			ch.live -= n
			a.live -= n
		}
		off = it.end
	}
	a.drop(idx)
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
	n := l.node(slot)
	n.stamp = stamp
	if l.adm != nil {
		l.admAccessLocked(slot)
		return
	}
	list := &l.lists[n.list]
	if list.back == slot {
		l.gen.Add(1) // the shard's least recent entry changes
	}
	l.moveToFrontLocked(list, slot)
}

// setExpireLocked sets the deadline (0: none), moving the entry between the
// persistent and volatile lists and in or out of the heap.
func (l *ledger) setExpireLocked(slot uint32, expireAt int64) {
	h, n := l.head(slot), l.node(slot)
	from, to := classOf(h.expireAt), classOf(expireAt)
	if expireAt == h.expireAt {
		return
	}
	l.mutateLocked()
	switch {
	case from == volatile && to == volatile:
		h.setExpireAt(expireAt)
		l.ttl.Fix(l, int(n.heapPos))
	case from == volatile:
		l.ttl.Remove(l, int(n.heapPos))
		h.setExpireAt(0)
	case to == volatile:
		h.setExpireAt(expireAt)
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
	l.node(slot).list = to
	l.pushFrontLocked(&l.lists[to], slot)
	l.gen.Add(1)
}

func (l *ledger) noteSoonestLocked() {
	d := int64(math.MaxInt64)
	if l.ttl.Len() > 0 {
		d = l.head(l.ttl.Min()).expireAt
	}
	l.soonest.Store(d)
}

// expiredLocked reports whether the entry at slot has passed its deadline.
func (l *ledger) expiredLocked(slot uint32, now int64) bool {
	return l.head(slot).expired(now)
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
