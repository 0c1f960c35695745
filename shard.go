package maxmem

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/maxmem/maxmem/internal/lfu"
	"github.com/maxmem/maxmem/internal/ttlheap"
)

// kv is one entry with what a read needs: its key and value, its deadline,
// and its recency stamp and links. Entries live in dense parallel slices,
// indexed by slot; slot 0 is never used, so 0 can mean "none" in the lists.
// For string keys and []byte values a kv is 64 bytes, one cache line: a
// Get reads and restamps an entry without touching another slab.
type kv[K comparable, V any] struct {
	key      K
	value    V
	expireAt int64  // unix nanoseconds; 0: no TTL
	stamp    uint64 // logical time of the last access, or of the last
	//                 modification while the policy tracks modification (LRM)
	links links // place in its class's recency list
}

// meta is the rest of an entry's bookkeeping, which reads do not need. It
// holds no pointers, so the garbage collector never scans the meta slab.
type meta struct {
	charge  int64  // bytes charged: Sizer + EntryOverhead
	heapPos uint32 // position in the TTL heap, when expireAt != 0
	lfuTime uint16 // minute stamp of the last LFU update
	freq    uint8  // LFU counter
	list    uint8  // in the admission layout: window, probation or protected
}

// The lists an entry can be in. In the classic layout, which Redis's
// policies use, an entry's list is its class: persistent or volatile. In
// the admission layout of AllKeysTinyLFU it is one of window, probation
// and protected, kept in meta.list (see admission.go).
const (
	persistent = iota
	volatile
	window
	probation
	protected
	numLists
)

// listOf returns the list holding slot: its class's in the classic layout
// (read from the kv line a Get has loaded anyway), meta.list otherwise.
func (s *shard[K, V]) listOf(slot uint32) *recencyList {
	if s.adm != nil {
		return &s.lists[s.meta[slot].list]
	}
	return &s.lists[s.kvs[slot].class()]
}

func (e *kv[K, V]) class() uint8 {
	if e.expireAt != 0 {
		return volatile
	}
	return persistent
}

// shard is one independently locked part of the cache. Its methods with the
// Locked suffix need mu held; the Cache takes and releases it.
//
// Invariants, with mu held: slots 1..len(kvs)-1 are exactly the resident
// entries (the slab has no holes: a removal moves the last entry into the
// gap); idx maps the hash of each resident key to its slot; each slot is in
// exactly one of the lists (listOf); in the classic layout (adm == nil)
// that is its class's recency list, and each list is ordered by kv.stamp;
// the heap holds exactly the volatile slots, and
// meta.heapPos is each one's position.
//
// One recency order serves every policy, as Redis keeps one LRU field per
// key: it follows accesses, or modifications while an LRM policy is active.
// Switching between the two keeps the order as it is and lets new events
// reorder it, which is what Redis does when the field changes meaning.
type shard[K comparable, V any] struct {
	mu       rwLock     // shared: Get; exclusive: everything else
	reads    readBuffer // Gets not yet replayed (see reads.go)
	hits     atomic.Uint64
	misses   atomic.Uint64
	c        *Cache[K, V]
	idx      table // key hash -> slot
	hashOf   func(slot uint32) uint64
	kvs      []kv[K, V]
	meta     []meta
	lists    [numLists]recencyList // front most recent; see listOf
	adm      *admission            // the admission layout's state; nil: classic
	ttl      ttlheap.Heap
	rng      rand.PCG
	gen      atomic.Uint64 // bumped (under mu) on every change; validates candidates
	now      int64         // time of the current policy consultation
	samples  int           // Samples() for the current consultation; 0: the configured
	hint     candidateHint
	count    atomic.Int64
	soonest  atomic.Int64 // earliest deadline in the heap; MaxInt64 if none
	counters shardCounters
}

// candidateHint is the last victim an exact policy named in a shard,
// published so that an eviction can compare shards without locking the
// ones that have not changed. It is valid while the shard's generation
// equals gen and the policy is unchanged. Writers hold the shard lock and
// clear gen first; readers check gen before and after reading the rest.
type candidateHint struct {
	gen    atomic.Uint64 // the shard generation it belongs to; 0: none
	policy atomic.Pointer[policyState]
	slot   atomic.Uint32 // 0: the policy named no victim
	score  atomic.Uint64
}

// publish records the policy's answer for the current generation.
func (h *candidateHint) publish(gen uint64, p *policyState, slot uint32, score uint64) {
	h.gen.Store(0)
	h.policy.Store(p)
	h.slot.Store(slot)
	h.score.Store(score)
	h.gen.Store(gen)
}

// read returns the published answer if it is current for generation gen
// and policy p.
func (h *candidateHint) read(gen uint64, p *policyState) (slot uint32, score uint64, fresh bool) {
	if h.gen.Load() != gen || h.policy.Load() != p {
		return 0, 0, false
	}
	slot, score = h.slot.Load(), h.score.Load()
	return slot, score, h.gen.Load() == gen
}

// shardCounters are the INFO stats a shard contributes, besides its hits
// and misses (counted atomically by Gets); guarded by mu.
type shardCounters struct {
	evicted, expired uint64
	writes           uint64 // writes and TTL changes accepted
}

func (s *shard[K, V]) init(c *Cache[K, V], seed, stream uint64) {
	s.c = c
	s.hashOf = func(slot uint32) uint64 { return c.hash(s.kvs[slot].key) }
	s.rng.Seed(seed, stream)
	s.resetLocked()
}

// resetLocked empties the shard.
func (s *shard[K, V]) resetLocked() {
	s.idx = table{}
	s.kvs = make([]kv[K, V], 1)
	s.meta = make([]meta, 1)
	s.lists = [numLists]recencyList{}
	if s.adm != nil {
		s.adm.weight = [3]int64{}
	}
	s.ttl.Reset()
	s.reads.n.Store(0) // recorded reads name slots that are gone
	s.gen.Add(1)
	s.count.Store(0)
	s.soonest.Store(math.MaxInt64)
}

// Deadline and SetHeapPos let the TTL heap read and place slots.
func (s *shard[K, V]) Deadline(slot uint32) int64      { return s.kvs[slot].expireAt }
func (s *shard[K, V]) SetHeapPos(slot uint32, pos int) { s.meta[slot].heapPos = uint32(pos) }

func (s *shard[K, V]) noteSoonestLocked() {
	d := int64(math.MaxInt64)
	if s.ttl.Len() > 0 {
		d = s.kvs[s.ttl.Min()].expireAt
	}
	s.soonest.Store(d)
}

// findLocked returns the slot of key, whose hash is h. The probe loop is
// written out so that the compiler inlines it whole.
func (s *shard[K, V]) findLocked(key K, h uint64) (uint32, bool) {
	t := &s.idx
	if t.count() == 0 {
		return 0, false
	}
	for c := t.probe(h); ; c.advance(t) {
		g := t.at(c)
		for m := g.match(h); m != 0; m &= m - 1 {
			if slot := g.slot(m); s.kvs[slot].key == key {
				return slot, true
			}
		}
		if g.final() {
			return 0, false
		}
	}
}

// indexPosLocked returns where idx stores the resident slot.
func (s *shard[K, V]) indexPosLocked(slot uint32) int {
	t, h := &s.idx, s.hashOf(slot)
	for c := t.probe(h); ; c.advance(t) {
		g := t.at(c)
		for m := g.match(h); m != 0; m &= m - 1 {
			if g.slot(m) == slot {
				return c.pos(m)
			}
		}
		if g.final() {
			panic("maxmem: resident entry missing from the index")
		}
	}
}

// insertLocked adds a new entry; key, whose hash is h, must not be resident.
func (s *shard[K, V]) insertLocked(key K, h uint64, value V, charge, expireAt int64, now int64) {
	slot := uint32(len(s.kvs))
	s.kvs = append(s.kvs, kv[K, V]{key: key, value: value, stamp: s.c.stamp()})
	s.meta = append(s.meta, meta{charge: charge, freq: lfu.Init, lfuTime: minutes(now)})
	s.idx.insert(h, slot, s.hashOf)
	if s.adm != nil {
		s.admInsertLocked(slot)
	} else {
		s.pushFrontLocked(&s.lists[persistent], slot)
	}
	s.counters.writes++
	s.setExpireLocked(slot, expireAt)
	s.count.Add(1)
	s.gen.Add(1)
}

// updateLocked gives a resident entry a new value, charge and deadline. A
// write is an access and a modification, and always takes a fresh stamp.
func (s *shard[K, V]) updateLocked(slot uint32, value V, charge, expireAt int64, p *policyState, now int64) {
	s.kvs[slot].value = value
	if s.adm != nil {
		s.adm.reweigh(s.meta[slot].list, charge-s.meta[slot].charge)
	}
	s.meta[slot].charge = charge
	s.setExpireLocked(slot, expireAt)
	s.writtenLocked(slot, p, now)
}

// writtenLocked records a write or TTL change, which Redis counts as an
// access too: the LFU counter, and a fresh stamp for LRU and LRM alike.
func (s *shard[K, V]) writtenLocked(slot uint32, p *policyState, now int64) {
	s.counters.writes++
	s.countAccessLocked(slot, p, now)
	s.restampLocked(slot, s.c.stamp())
}

// touchLocked applies a read that took its recency stamp when it happened:
// recency, unless the policy orders by modification, and the LFU counter
// when the policy reads it.
func (s *shard[K, V]) touchLocked(slot uint32, stamp uint64, p *policyState, now int64) {
	if !p.modification {
		s.restampLocked(slot, stamp)
	}
	s.countAccessLocked(slot, p, now)
}

// countAccessLocked bumps the LFU counter when the active policy reads it.
func (s *shard[K, V]) countAccessLocked(slot uint32, p *policyState, now int64) {
	if !p.frequency {
		return
	}
	m, cfg := &s.meta[slot], &s.c.cfg
	m.freq = lfu.Incr(lfuDecay(m, now, cfg.decayMinutes), cfg.LFULogFactor, s.float64())
	m.lfuTime = minutes(now)
}

// restampLocked gives slot a new recency stamp and moves it to the front
// of its list; in the admission layout, it moves it as an access does there.
func (s *shard[K, V]) restampLocked(slot uint32, stamp uint64) {
	s.kvs[slot].stamp = stamp
	if s.adm != nil {
		s.admAccessLocked(slot)
		return
	}
	l := &s.lists[s.kvs[slot].class()]
	if l.back == slot {
		s.gen.Add(1) // the shard's least recent entry changes
	}
	s.moveToFrontLocked(l, slot)
}

// setExpireLocked sets the deadline (0: none), moving the entry between the
// persistent and volatile lists and in or out of the heap.
func (s *shard[K, V]) setExpireLocked(slot uint32, expireAt int64) {
	e, pos := &s.kvs[slot], int(s.meta[slot].heapPos)
	from, to := e.class(), uint8(persistent)
	if expireAt != 0 {
		to = volatile
	}
	switch {
	case from == volatile && to == volatile:
		e.expireAt = expireAt
		s.ttl.Fix(s, pos)
	case from == volatile:
		s.ttl.Remove(s, pos)
		e.expireAt = 0
	case to == volatile:
		e.expireAt = expireAt
		s.ttl.Push(s, slot)
	}
	if from != to && s.adm == nil {
		s.moveClassLocked(slot, from, to)
	}
	s.noteSoonestLocked()
	s.gen.Add(1)
}

// moveClassLocked moves slot from one class's recency list to the front of
// the other's. Every caller restamps the entry right after (a write or TTL
// change is an access), so the list stays ordered by stamp; removal moves it
// to the persistent class only to take it out.
func (s *shard[K, V]) moveClassLocked(slot uint32, from, to uint8) {
	s.unlinkLocked(&s.lists[from], slot)
	s.pushFrontLocked(&s.lists[to], slot)
	s.gen.Add(1)
}

// removeLocked takes the entry at slot out and returns it with its charge.
// The last entry of the slab moves into the gap. The caller releases or
// reuses the charge.
func (s *shard[K, V]) removeLocked(slot uint32) (kv[K, V], int64) {
	gone, charge := s.kvs[slot], s.meta[slot].charge
	s.setExpireLocked(slot, 0)
	if s.adm != nil {
		s.adm.reweigh(s.meta[slot].list, -charge)
	}
	s.unlinkLocked(s.listOf(slot), slot)
	s.idx.delete(s.indexPosLocked(slot))
	if last := uint32(len(s.kvs) - 1); slot != last {
		s.relocateLocked(last, slot)
	}
	s.truncateLocked()
	s.count.Add(-1)
	return gone, charge
}

// relocateLocked moves the entry at slot from into the free slot to.
func (s *shard[K, V]) relocateLocked(from, to uint32) {
	s.kvs[to], s.meta[to] = s.kvs[from], s.meta[from]
	s.relinkLocked(s.listOf(to), to)
	if s.kvs[to].expireAt != 0 {
		s.ttl.Relocate(s, int(s.meta[to].heapPos), to)
	}
	s.idx.setSlot(s.indexPosLocked(from), to) // still hashes as before the move
}

// truncateLocked drops the last slot, and gives memory back once the slab is
// at most a quarter full.
func (s *shard[K, V]) truncateLocked() {
	last := len(s.kvs) - 1
	s.kvs[last] = kv[K, V]{} // let the collector have the key and value
	s.kvs, s.meta = s.kvs[:last], s.meta[:last]
	if c := cap(s.kvs); c >= 64 && last <= c/4 {
		s.kvs = append(make([]kv[K, V], 0, 2*last), s.kvs...)
		s.meta = append(make([]meta, 0, 2*last), s.meta...)
		s.idx.shrink(s.hashOf)
	}
}

// expiredLocked reports whether the entry at slot has passed its deadline.
func (s *shard[K, V]) expiredLocked(slot uint32, now int64) bool {
	e := s.kvs[slot].expireAt
	return e != 0 && e <= now
}

// popExpiredLocked removes the soonest-expiring entry if its deadline has
// passed, counting it as expired.
func (s *shard[K, V]) popExpiredLocked(now int64) (kv[K, V], int64, bool) {
	if s.ttl.Len() == 0 || s.kvs[s.ttl.Min()].expireAt > now {
		return kv[K, V]{}, 0, false
	}
	gone, charge := s.removeLocked(s.ttl.Min())
	s.counters.expired++
	return gone, charge, true
}

// popExpiredBatchLocked removes up to len(dst) expired entries into dst and
// returns how many and their total charge.
func (s *shard[K, V]) popExpiredBatchLocked(now int64, dst []kv[K, V]) (n int, freed int64) {
	for ; n < len(dst); n++ {
		gone, charge, ok := s.popExpiredLocked(now)
		if !ok {
			break
		}
		dst[n], freed = gone, freed+charge
	}
	return n, freed
}

// float64 returns a uniform number in [0, 1) from the shard's source.
func (s *shard[K, V]) float64() float64 {
	return float64(s.rng.Uint64()>>11) / (1 << 53)
}

// lfuDecay returns the entry's LFU counter as of now.
func lfuDecay(m *meta, now int64, decayMinutes int) uint8 {
	return lfu.Decay(m.freq, m.lfuTime, minutes(now), decayMinutes)
}

// minutes is Redis's 16-bit minute clock for LFU decay.
func minutes(unixNano int64) uint16 {
	return uint16(unixNano / int64(time.Minute))
}
