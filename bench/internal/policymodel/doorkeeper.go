package policymodel

import "math/bits"

// doorkeeper is a Bloom filter in front of the sketch: a key's first
// request since the last halving sets its bits instead of raising its
// counters, so keys requested once cost the sketch nothing; its estimate
// counts one more when the filter holds it. It is cleared when the sketch
// halves.
type doorkeeper struct {
	words []uint64
	mask  uint64 // bits - 1: the filter is a power of two of bits
}

// doorkeeperHashes is how many bits a key sets.
const doorkeeperHashes = 2

// doorkeeperBytes returns the filter's size for capacity entries at
// bitsPerEntry bits each, rounded up to a power of two bytes, at least one
// word; 0 when bitsPerEntry is 0.
func doorkeeperBytes(capacity, bitsPerEntry int) int64 {
	if bitsPerEntry == 0 {
		return 0
	}
	b := max(capacity*bitsPerEntry, 64)
	return int64(1) << bits.Len(uint(b-1)) / 8
}

// resize replaces the filter with an empty one for capacity entries.
func (d *doorkeeper) resize(capacity, bitsPerEntry int) {
	n := doorkeeperBytes(capacity, bitsPerEntry)
	*d = doorkeeper{words: make([]uint64, n/8), mask: uint64(n*8) - 1}
}

// bit returns the word and bit mask of h's bit i.
func (d *doorkeeper) bit(h uint64, i int) (int, uint64) {
	b := (h >> (32 * i)) * 0x9e3779b97f4a7c15 >> 20 & d.mask
	return int(b / 64), 1 << (b % 64)
}

// contains reports whether h's bits are all set.
func (d *doorkeeper) contains(h uint64) bool {
	if len(d.words) == 0 {
		return false
	}
	for i := range doorkeeperHashes {
		w, m := d.bit(h, i)
		if d.words[w]&m == 0 {
			return false
		}
	}
	return true
}

// add sets h's bits and reports whether they were all set already.
func (d *doorkeeper) add(h uint64) bool {
	if len(d.words) == 0 {
		return true
	}
	had := true
	for i := range doorkeeperHashes {
		w, m := d.bit(h, i)
		had = had && d.words[w]&m != 0
		d.words[w] |= m
	}
	return had
}

// clear empties the filter.
func (d *doorkeeper) clear() { clear(d.words) }
