package sim

import "math/bits"

// sketch is a count-min sketch of 4-bit counters with periodic aging, the
// frequency estimator of W-TinyLFU.
//
// Layout: the table is an array of 64-byte blocks (8 words of 16 4-bit
// counters). A key's four counters all live in one block, so an increment
// or an estimate touches a single cache line: counter i (i = 0..3) is in
// word 2i or 2i+1 of the block, chosen by one hash bit, at a nibble chosen
// by four more. The block is chosen from the high hash bits by a
// multiply-shift, so the table need not be a power of two and its size
// follows the byte budget exactly.
//
// Aging: after sampleSize increments every counter is halved, so the
// sketch tracks recent popularity (TinyLFU's reset).
type sketch struct {
	table        []uint64 // len is a multiple of 8
	blocks       uint64
	additions    int64
	sampleSize   int64
	conservative bool
}

// sketchBlockBytes is the size of one block.
const sketchBlockBytes = 64

// newSketch returns a sketch of at least one block holding about
// bytesPerEntry bytes for each of entries expected entries, aging after
// sampleFactor × entries increments.
func newSketch(entries int64, bytesPerEntry float64, sampleFactor int64, conservative bool) *sketch {
	entries = max(entries, 1)
	blocks := max(int64(float64(entries)*bytesPerEntry/sketchBlockBytes+0.5), 1)
	return &sketch{
		table:        make([]uint64, blocks*8),
		blocks:       uint64(blocks),
		sampleSize:   max(sampleFactor*entries, 16),
		conservative: conservative,
	}
}

// Bytes returns the sketch's table size in bytes.
func (s *sketch) Bytes() int64 { return int64(len(s.table)) * 8 }

// locate returns the base word index of h's block.
func (s *sketch) locate(h uint64) uint64 {
	hi, _ := bits.Mul64(h*0x9e37_79b9_7f4a_7c15, s.blocks)
	return hi * 8
}

// slot returns the word index and the nibble shift of h's counter i.
func slot(base, h uint64, i uint) (uint64, uint) {
	b := h >> (8 * i)
	return base + 2*uint64(i) + b&1, uint((b>>1)&15) * 4
}

// Estimate returns h's frequency: the least of its four counters (0..15).
func (s *sketch) Estimate(h uint64) int {
	base := s.locate(h)
	m := 15
	for i := range uint(4) {
		w, sh := slot(base, h, i)
		m = min(m, int(s.table[w]>>sh&15))
	}
	return m
}

// Increment adds one to h's counters (saturating at 15) and ages the
// sketch when the sample is complete. With conservative update only the
// counters equal to the minimum are raised, which lowers the overestimate
// that collisions cause.
func (s *sketch) Increment(h uint64) {
	base := s.locate(h)
	m := 15
	if s.conservative {
		m = s.Estimate(h)
	}
	added := false
	for i := range uint(4) {
		w, sh := slot(base, h, i)
		c := int(s.table[w] >> sh & 15)
		if c < 15 && (!s.conservative || c == m) {
			s.table[w] += 1 << sh
			added = true
		}
	}
	if added {
		s.additions++
		if s.additions >= s.sampleSize {
			s.reset()
		}
	}
}

// reset halves every counter and the addition count.
func (s *sketch) reset() {
	for i, w := range s.table {
		s.table[i] = (w >> 1) & 0x7777_7777_7777_7777
	}
	s.additions /= 2
}

// mixHash is a seeded 64-bit finalizer (splitmix64) over a key.
func mixHash(key, seed uint64) uint64 {
	z := key + seed*0x9e37_79b9_7f4a_7c15 + 0x9e37_79b9_7f4a_7c15
	z = (z ^ z>>30) * 0xbf58_476d_1ce4_e5b9
	z = (z ^ z>>27) * 0x94d0_49bb_1331_11eb
	return z ^ z>>31
}
