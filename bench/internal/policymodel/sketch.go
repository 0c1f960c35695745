package policymodel

import "math/bits"

// sketch is maxmem's frequency sketch (internal/sketch) with its fixed
// choices made parameters: a count-min sketch of 4-bit counters, four per
// key in one 64-byte block, halved after aging × capacity increments that
// changed a counter. A table for fewer entries than a block serves is one
// block of 1, 2 or 4 words.
type sketch struct {
	table     []uint64
	blocks    uint64
	mask      uint64 // words per block - 1
	capacity  int
	additions int
	period    int
	opt       sketchOptions
}

// sketchOptions are the sketch's parameters.
type sketchOptions struct {
	perEntry     int     // table bytes per expected entry (maxmem: 2)
	aging        float64 // halve after aging × capacity increments (maxmem: 10)
	conservative bool    // raise only the counters at the key's minimum
	doorkeeper   int     // bits per entry of a doorkeeper (0: none)
	minBytes     int     // the table's least size (maxmem: 8)
}

// maxmemSketch are the options of maxmem's sketch.
var maxmemSketch = sketchOptions{perEntry: 2, aging: 10}

const (
	blockWords = 8
	blockBytes = 8 * blockWords
)

// sketchBytes returns the table size for capacity entries.
func sketchBytes(capacity int, o sketchOptions) int64 {
	b, w := sketchLayout(capacity, o)
	return int64(b*w) * 8
}

// sketchLayout returns the blocks and words per block for capacity entries.
func sketchLayout(capacity int, o sketchOptions) (blocks, words int) {
	need := max((max(capacity, 1)*o.perEntry+7)/8, 1, o.minBytes/8)
	if need >= blockWords {
		return (need + blockWords - 1) / blockWords, blockWords
	}
	return 1, 1 << bits.Len(uint(need-1))
}

// resize replaces the table with an empty one for capacity entries.
func (s *sketch) resize(capacity int, o sketchOptions) {
	capacity = max(capacity, 1)
	b, w := sketchLayout(capacity, o)
	*s = sketch{
		table:    make([]uint64, b*w),
		blocks:   uint64(b),
		mask:     uint64(w - 1),
		capacity: capacity,
		period:   max(int(o.aging*float64(capacity)), 16),
		opt:      o,
	}
}

// bytes returns the table's size.
func (s *sketch) bytes() int64 { return int64(len(s.table)) * 8 }

// base returns the first word of h's block.
func (s *sketch) base(h uint64) uint64 {
	hi, _ := bits.Mul64(h*0x9e3779b97f4a7c15, s.blocks)
	return hi * (s.mask + 1)
}

// counter returns the word and nibble shift of h's counter i.
func (s *sketch) counter(base, h uint64, i uint) (uint64, uint) {
	b := h >> (8 * i)
	return base + (2*uint64(i)+b&1)&s.mask, uint(b>>1&15) * 4
}

// estimate returns the least of h's counters, 0 to 15.
func (s *sketch) estimate(h uint64) int {
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

// increment counts h once and halves the table when a period is over; it
// reports whether the table was halved.
func (s *sketch) increment(h uint64) (halved bool) {
	if s.blocks == 0 {
		return false
	}
	floor := uint64(15)
	if s.opt.conservative {
		floor = uint64(s.estimate(h))
	}
	return s.raise(h, 1, floor) && s.tick()
}

// tick counts one addition towards the period and halves the table when
// the period is over, reporting whether it did.
func (s *sketch) tick() (halved bool) {
	if s.additions++; s.additions >= s.period {
		s.halve()
		return true
	}
	return false
}

// add raises h's counters to at least n without counting towards the
// period (a resized sketch takes over resident keys' counts this way).
func (s *sketch) add(h uint64, n int) {
	if s.blocks != 0 && n > 0 {
		s.raise(h, uint64(min(n, 15)), 15)
	}
}

// raise lifts each of h's counters below 15 by up to n, saturating; with
// floor < 15 only the counters equal to floor (the key's minimum). It
// reports whether any changed.
func (s *sketch) raise(h, n, floor uint64) bool {
	base, changed := s.base(h), false
	for i := range uint(4) {
		w, sh := s.counter(base, h, i)
		c := s.table[w] >> sh & 15
		if c < 15 && (floor == 15 || c == floor) {
			s.table[w] += min(n, 15-c) << sh
			changed = true
		}
	}
	return changed
}

// halve divides every counter by two.
func (s *sketch) halve() {
	for i, w := range s.table {
		s.table[i] = w >> 1 & 0x7777777777777777
	}
	s.additions /= 2
}
