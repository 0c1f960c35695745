package tinylfu

// The sketch is the frequency estimator of the admission policy: a
// count-min sketch of 4-bit counters that halves itself periodically, so
// it tracks recent popularity rather than all-time counts.
//
// Layout: the table is an array of 64-byte blocks, eight words of sixteen
// 4-bit counters each. A key's four counters all live in one block, so an
// increment or an estimate touches one cache line. Counter i (0..3) of a
// key is in word 2i or 2i+1 of its block, picked by one bit of the hash, at
// a nibble picked by four more. The block is picked from the hash by a
// multiply-shift, so the table need not be a power of two and its size
// follows the requested capacity closely. A table for fewer entries than
// one block serves is a single block of one, two or four words, so that a
// tiny cache does not pay for a whole cache line of counters.

import "math/bits"

// BlockBytes is the size of one full block, the unit a large table grows
// by.
const BlockBytes = 64

// BytesPerEntry is the table size per expected entry: two counters. The
// sketch is charged to the cache's budget, where each byte per entry is
// about 2 % of a small entry's charge: a 1-byte sketch misjudges more
// duels than a 2- or 4-byte one, but the entries its bytes leave room for
// win more hit ratio back (bench/policy-research.md, issue 13).
const BytesPerEntry = 1

// AgingFactor: the sketch halves after AgingFactor × capacity increments
// that changed a counter, so that a hot set that moved is forgotten within
// a few capacities of requests.
const AgingFactor = 5

const wordsPerBlock = BlockBytes / 8

// Sketch counts key hashes. The zero Sketch is empty and counts nothing;
// Resize gives it a table. It is not safe for concurrent use.
type Sketch struct {
	table     []uint64
	blocks    uint64
	mask      uint64 // words per block - 1
	capacity  int    // entries the table is sized for
	additions int    // increments since the last halving
	period    int    // increments between halvings
}

// sketchBytesFor returns the table size, in bytes, for capacity entries: at
// least one word.
func sketchBytesFor(capacity int) int64 {
	blocks, words := sketchLayout(capacity)
	return int64(blocks*words) * 8
}

// layout returns the number of blocks and the words per block of a table
// for capacity entries.
func sketchLayout(capacity int) (blocks, words int) {
	need := max((max(capacity, 1)*BytesPerEntry+7)/8, 1)
	if need >= wordsPerBlock {
		return (need + wordsPerBlock - 1) / wordsPerBlock, wordsPerBlock
	}
	return 1, 1 << bits.Len(uint(need-1))
}

// Resize replaces the table with an empty one sized for capacity entries.
// The counts are lost, as when any count-min sketch changes width.
func (s *Sketch) Resize(capacity int) {
	capacity = max(capacity, 1)
	b, w := sketchLayout(capacity)
	*s = Sketch{
		table:    make([]uint64, b*w),
		blocks:   uint64(b),
		mask:     uint64(w - 1),
		capacity: capacity,
		period:   max(AgingFactor*capacity, 16),
	}
}

// Capacity returns the number of entries the table is sized for; 0 for the
// zero Sketch.
func (s *Sketch) Capacity() int { return s.capacity }

// Bytes returns the size of the table.
func (s *Sketch) Bytes() int64 { return int64(len(s.table)) * 8 }

// base returns the index of the first word of h's block.
func (s *Sketch) base(h uint64) uint64 {
	hi, _ := bits.Mul64(h*0x9e3779b97f4a7c15, s.blocks)
	return hi * (s.mask + 1)
}

// counter returns the word index and nibble shift of h's counter i.
func (s *Sketch) counter(base, h uint64, i uint) (uint64, uint) {
	b := h >> (8 * i)
	return base + (2*uint64(i)+b&1)&s.mask, uint(b>>1&15) * 4
}

// Estimate returns how often h was counted since the last halvings, the
// least of its four counters: 0 to 15.
func (s *Sketch) Estimate(h uint64) int {
	if s.blocks == 0 {
		return 0
	}
	base, m := s.base(h), uint64(15)
	for i := range uint(4) {
		w, sh := s.counter(base, h, i)
		m = min(m, s.table[w]>>sh&15)
	}
	return int(m)
}

// Increment counts h once, saturating at 15, and halves the whole sketch
// when a period of increments is complete. An increment that changes no
// counter (all four saturated) does not count towards the period.
func (s *Sketch) Increment(h uint64) {
	if s.blocks == 0 {
		return
	}
	if s.raise(h, 1) {
		if s.additions++; s.additions >= s.period {
			s.halve()
		}
	}
}

// Add raises h's counters to at least n (at most 15) without counting
// towards the halving period: a resized sketch takes over the counts of
// the keys still cached this way.
func (s *Sketch) Add(h uint64, n int) {
	if s.blocks != 0 && n > 0 {
		s.raise(h, uint64(min(n, 15)))
	}
}

// raise lifts each of h's counters below 15 by up to n, saturating, and
// reports whether any changed.
func (s *Sketch) raise(h, n uint64) bool {
	base, changed := s.base(h), false
	for i := range uint(4) {
		w, sh := s.counter(base, h, i)
		if c := s.table[w] >> sh & 15; c < 15 {
			s.table[w] += min(n, 15-c) << sh
			changed = true
		}
	}
	return changed
}

// halve divides every counter by two.
func (s *Sketch) halve() {
	for i, w := range s.table {
		s.table[i] = w >> 1 & 0x7777777777777777
	}
	s.additions /= 2
}
