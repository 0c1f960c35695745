package shard

import (
	"math"
	"math/bits"

	"github.com/maxmem/maxmem/internal/paged"
)

// Recency, for the LRU and LRM policies
//
// A Get only stamps its entry with the start of the clock's epoch (the
// access word; see stampFor);
// the order is kept lazily, in a ring of buckets by epoch, an epoch being
// a run of clock ticks. Each entry sits in one bucket list, of its class
// (with or without a TTL), no later than the epoch of its stamp: a new
// entry goes to the front of the current epoch's bucket; an access or a
// write only moves the stamp. Eviction takes the back of the oldest
// bucket: if the entry's stamp has moved to a later epoch since it was
// placed, it goes to the front of that epoch's bucket (its second
// chance, at the place its stamp deserves) and the next one is looked
// at; else it is the victim. So the victim is the least recently used
// entry up to the width of an epoch, a few hundredths of what the shard
// holds, and entries leave in about the order they were placed, which
// keeps the arena's garbage in its oldest chunks.
//
// When the clock enters a new epoch, the bucket its ring place held (the
// oldest epoch) is spliced behind the next oldest, so old entries gather
// in the oldest bucket, in order. The epoch width follows the age of the
// victims: the ring spans about their mean age, so that a victim's epoch
// is about a sixty-fourth of its age wide, and the entries older than the
// ring's span wait in the oldest bucket in the order they were placed.
// (A ring of four times the age, epochs a sixteenth of it, left
// allkeys-lru 2 points below exact LRU on alternating sweeps of 1.5
// times the cache: bench/hitratio.md.) A shard of
// smallShard entries or fewer looks at every entry instead: there the
// least recent entry is exact.
//
// Lists are threaded through links by slot; each bucket has a sentinel,
// so that an entry is unlinked without knowing its bucket.

// bucketBits sets the number of buckets per class.
const (
	bucketBits = 6
	buckets    = 1 << bucketBits
	bucketMask = buckets - 1
)

// sentinels number the buckets' sentinel links: slot numbers from here on
// are sentinels, one per class and ring place.
const sentinels = 1<<32 - 2*buckets

// link is an entry's neighbours in its bucket list (slots or sentinels).
type link struct {
	prev, next uint32
}

// LinkBytes is the memory of a link per entry.
const LinkBytes = 8

// recency is a shard's bucket lists. Epochs count from the clock's
// unwrapped time (see Shard.unwrap), so they never wrap.
type recency struct {
	links    *paged.Pages[link] // the slab's
	sentinel [2 * buckets]link  // by class*buckets + ring place
	width    uint8              // an epoch is 2^width clock ticks
	epoch    uint64             // the current epoch
	oldest   [2]uint64          // per class, no entry sits in an epoch before this
	meanAge  uint64             // of the victims, in clock ticks (a moving mean)
	began    [buckets]int64     // the cache clock when each epoch of the ring began
}

// smallShard is the size up to which a shard finds its least recent entry
// by looking at every entry.
const smallShard = 64

// The classes of entries.
const (
	persistentClass = 0
	volatileClass   = 1
)

// link returns the link of id, a slot or a sentinel.
func (r *recency) link(id uint32) *link {
	if id >= sentinels {
		return &r.sentinel[id-sentinels]
	}
	return r.links.At(id)
}

// sentinelOf returns the sentinel of class c's bucket for epoch e.
func sentinelOf(c int, e uint64) uint32 { return sentinels + uint32(c)*buckets + uint32(e&bucketMask) }

// reset empties every list.
func (r *recency) reset() {
	for i := range r.sentinel {
		id := sentinels + uint32(i)
		r.sentinel[i] = link{prev: id, next: id}
	}
	r.oldest = [2]uint64{r.epoch, r.epoch}
}

// pushFront links slot at the front of class c's bucket for epoch e.
func (r *recency) pushFront(c int, e uint64, slot uint32) {
	s := sentinelOf(c, e)
	head := r.link(s)
	first := head.next
	*r.link(slot) = link{prev: s, next: first}
	r.link(first).prev = slot
	head.next = slot
}

// unlink takes slot out of its list.
func (r *recency) unlink(slot uint32) {
	l := r.link(slot)
	r.link(l.prev).next = l.next
	r.link(l.next).prev = l.prev
}

// moved points the neighbours of the entry now at slot to, whose link was
// copied there from another slot, at to.
func (r *recency) moved(to uint32) {
	l := r.link(to)
	r.link(l.prev).next = to
	r.link(l.next).prev = to
}

// back returns the last entry of class c's bucket for epoch e, or 0.
func (r *recency) back(c int, e uint64) uint32 {
	s := sentinelOf(c, e)
	if last := r.link(s).prev; last != s {
		return last
	}
	return 0
}

// epochOf returns the epoch of unwrapped clock time t.
func (r *recency) epochOf(t uint64) uint64 { return t >> r.width }

// advance moves the current epoch to that of unwrapped clock time t,
// splicing each ring place it reuses, the oldest epoch's, behind the next
// oldest. It reports false, doing nothing, for a jump of more epochs than
// there are buckets: the caller places every entry anew.
func (r *recency) advance(t uint64, now int64) bool {
	e := r.epochOf(t)
	if e > r.epoch+buckets {
		return false
	}
	for r.epoch < e {
		r.epoch++
		r.began[r.epoch&bucketMask] = now
		for c := range 2 {
			r.spliceBehind(sentinelOf(c, r.epoch), sentinelOf(c, r.epoch+1))
			r.oldest[c] = max(r.oldest[c], r.first())
		}
	}
	return true
}

// place links slot at the front of class c's bucket for epoch e, clamped
// to the ring's span.
func (r *recency) place(c int, e uint64, slot uint32) {
	e = min(max(e, r.first()), r.epoch)
	r.oldest[c] = min(r.oldest[c], e)
	r.pushFront(c, e, slot)
}

// spliceBehind moves the whole list of sentinel from to the back of the
// list of sentinel to, leaving from's list empty.
func (r *recency) spliceBehind(from, to uint32) {
	f := r.link(from)
	if f.next == from {
		return
	}
	first, last := f.next, f.prev
	t := r.link(to)
	oldLast := t.prev
	r.link(oldLast).next = first
	r.link(first).prev = oldLast
	r.link(last).next = to
	t.prev = last
	*f = link{prev: from, next: from}
}

// widthFor returns the epoch width for victims of mean age a: the ring
// spans about that.
func widthFor(a uint64) uint8 {
	span := a / buckets
	if span <= 1 {
		return 0
	}
	return uint8(bits.Len64(span - 1))
}

// The shard's side.

// classOf returns the class of an entry whose deadline is d.
func classOf(d int64) int {
	if d != 0 {
		return volatileClass
	}
	return persistentClass
}

// unwrap returns stamp as a 64-bit time of the clock, which wrapped wraps
// times: a stamp ahead of the clock is from before its last wrap (stamps
// are never more than 2^30 behind, see tick).
func (s *Shard) unwrap(stamp uint32) uint64 {
	t := uint64(s.wraps)<<32 | uint64(stamp)
	if stamp > s.clock && t >= 1<<32 {
		t -= 1 << 32
	}
	return t
}

// now64 returns the clock's unwrapped time.
func (s *Shard) now64() uint64 { return uint64(s.wraps)<<32 | uint64(s.clock) }

// placeLocked links the entry at slot in the bucket its stamp and its
// deadline call for.
func (s *Shard) placeLocked(slot uint32) {
	h := s.head(slot)
	s.rec.place(classOf(h.expireAt), s.rec.epochOf(s.unwrap(s.stampOf(h))), slot)
}

// rebuildRecencyLocked places every entry anew, after the epoch width or
// the meaning of the stamps changed, or the clock jumped.
func (s *Shard) rebuildRecencyLocked() {
	s.rec.epoch = s.rec.epochOf(s.now64())
	s.rec.reset()
	now := s.cfg.Now()
	for i := range s.rec.began {
		s.rec.began[i] = now // the past is unknown: idle times start from here
	}
	for slot := uint32(1); slot <= s.n; slot++ {
		s.placeLocked(slot)
	}
}

// noteVictimLocked records the age of a victim whose stamp is stamp, and
// widens the epochs when the ring spans less than the victims' mean age,
// or narrows them when it spans four times as much or more: a rebuild,
// O(n), which the moving mean makes rare once the traffic settles.
func (s *Shard) noteVictimLocked(stamp uint32) {
	r := &s.rec
	age := s.now64() - s.unwrap(stamp)
	if r.meanAge == 0 {
		r.meanAge = age
	}
	r.meanAge += age/16 - r.meanAge/16
	if w := widthFor(r.meanAge); w > r.width || w+1 < r.width {
		r.width = w
		s.rebuildRecencyLocked()
	}
}

// stampFor returns what a Get without the lock stamps its entry with at
// clock c: the start of c's epoch, so that a hot entry's access word
// changes once an epoch, not at every write, as Redis's coarse LRU clock
// spares its hot keys; c itself in a shard small enough to be scanned
// exactly. Eviction looks at stamps only by epoch elsewhere.
func (s *Shard) stampFor(c uint32) uint32 {
	if s.n <= smallShard {
		return c
	}
	return c &^ (1<<s.rec.width - 1)
}

// fitEpochsLocked, before the first victim tells the victims' age, sizes
// the epochs for a victim as old as the shard is large, so that a shard
// that only fills and rewrites does not begin an epoch at every tick: a
// rebuild each time the shard doubles.
func (s *Shard) fitEpochsLocked() {
	if w := widthFor(uint64(s.n)); s.rec.meanAge == 0 && w > s.rec.width {
		s.rec.width = w
		s.rebuildRecencyLocked()
	}
}

// leastRecentLocked returns the least recently used entry (of those with
// a TTL, if volatile), up to an epoch: the back of the oldest bucket of
// each class, after moving forward the entries whose stamps have moved to
// a later epoch since they were placed; 0 if there is none.
func (s *Shard) leastRecentLocked(volatile bool) uint32 {
	if s.n <= smallShard {
		return s.scanLeastRecentLocked(volatile)
	}
	v := s.backLocked(volatileClass)
	if volatile {
		return v
	}
	p := s.backLocked(persistentClass)
	if p == 0 || v != 0 && s.unwrap(s.stampOf(s.head(v))) < s.unwrap(s.stampOf(s.head(p))) {
		return v
	}
	return p
}

// scanLeastRecentLocked returns the least recently used entry (with a
// TTL, if volatile) of a small shard, exactly: the oldest stamp of all.
func (s *Shard) scanLeastRecentLocked(volatile bool) uint32 {
	var best uint32
	var oldest uint64
	for slot := uint32(1); slot <= s.n; slot++ {
		h := s.head(slot)
		if volatile && h.expireAt == 0 {
			continue
		}
		if t := s.unwrap(s.stampOf(h)); best == 0 || t < oldest {
			best, oldest = slot, t
		}
	}
	return best
}

// backLocked returns the back of class c's oldest non-empty bucket whose
// stamp belongs there (see leastRecentLocked); 0 if the class is empty.
func (s *Shard) backLocked(c int) uint32 {
	r := &s.rec
	for e := r.oldest[c]; e <= r.epoch; {
		slot := r.back(c, e)
		if slot == 0 {
			e++
			r.oldest[c] = e
			continue
		}
		if se := r.epochOf(s.unwrap(s.stampOf(s.head(slot)))); se > e {
			r.unlink(slot)
			r.place(c, se, slot) // used since it was placed: its second chance
			continue
		}
		return slot
	}
	r.oldest[c] = r.epoch
	return 0
}

// IdleTimeLocked returns how long ago, by the cache clock, the entry at
// slot was last accessed (or, where reads leave recency alone or the access
// word holds an LFU counter, written): the start of its stamp's epoch, so
// it errs long by up to an epoch, and is at most the time since the ring's
// oldest epoch began (OBJECT IDLETIME).
func (s *Shard) IdleTimeLocked(slot uint32) int64 {
	return max(0, s.cfg.Now()-s.rec.began[s.rec.ringEpoch(s.unwrap(s.stampOf(s.head(slot))))&bucketMask])
}

// ringEpoch returns the epoch of unwrapped clock time t, or the ring's
// oldest if t is older.
func (r *recency) ringEpoch(t uint64) uint64 {
	return max(r.epochOf(t), r.first())
}

// first returns the oldest epoch the ring holds.
func (r *recency) first() uint64 {
	if r.epoch < buckets {
		return 0
	}
	return r.epoch - buckets + 1
}

// recencyRank ranks an entry by its stamp, the older the higher, so that
// ranks compare across shards and over time: by the cache-clock
// millisecond at which the stamp's epoch began (a shard's clock counts
// the shard's own writes, and two shards' clocks drift apart), then by
// the stamp's low bits, which order one shard's stamps within a
// millisecond.
func (s *Shard) recencyRank(stamp uint32) uint64 {
	t := s.unwrap(stamp)
	ms := uint64(max(s.rec.began[s.rec.ringEpoch(t)&bucketMask], 0)) / 1e6
	return math.MaxUint64 - 1 - (ms<<20 | t&(1<<20-1)) // never MaxUint64, which expired entries take
}
