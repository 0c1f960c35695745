// Package bench compares maxmem with other Go caches. The benchmarks live
// in this package's tests; this file holds the key generators they share
// with the report command.
package bench

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// ZipfTheta is the skew YCSB and Caffeine's benchmarks use.
const ZipfTheta = 0.99

// Zipf draws ranks in [0, n) with a Zipf distribution of skew theta,
// using the closed form of Gray et al. ("Quickly generating
// billion-record synthetic databases"), which also works for theta < 1,
// unlike math/rand's Zipf.
type Zipf struct {
	n      float64
	theta  float64
	alpha  float64
	zetan  float64
	eta    float64
	second float64 // 1 + 0.5^theta: the cumulative weight of ranks 0 and 1
	rng    *rand.Rand
}

// NewZipf returns a generator of ranks in [0, n) seeded with seed.
func NewZipf(n int, theta float64, seed uint64) *Zipf {
	zetan := zeta(n, theta)
	zeta2 := zeta(2, theta)
	return &Zipf{
		n:      float64(n),
		theta:  theta,
		alpha:  1 / (1 - theta),
		zetan:  zetan,
		eta:    (1 - math.Pow(2/float64(n), 1-theta)) / (1 - zeta2/zetan),
		second: 1 + math.Pow(0.5, theta),
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
}

// zeta returns the generalized harmonic number sum_{i=1..n} 1/i^theta.
func zeta(n int, theta float64) float64 {
	var sum float64
	for i := 1; i <= n; i++ {
		sum += 1 / math.Pow(float64(i), theta)
	}
	return sum
}

// Next returns the next rank; rank 0 is the most popular.
func (z *Zipf) Next() int {
	u := z.rng.Float64()
	uz := u * z.zetan
	switch {
	case uz < 1:
		return 0
	case uz < z.second:
		return 1
	}
	r := int(z.n * math.Pow(z.eta*u-z.eta+1, z.alpha))
	return min(r, int(z.n)-1)
}

// ScrambledZipf spreads the ranks of a Zipf generator over the key space
// with a hash, so the popular items are not neighbours (as YCSB's
// ScrambledZipfianGenerator does).
type ScrambledZipf struct {
	z *Zipf
	n uint64
}

// NewScrambledZipf returns a scrambled Zipf generator over [0, n).
func NewScrambledZipf(n int, seed uint64) *ScrambledZipf {
	return &ScrambledZipf{z: NewZipf(n, ZipfTheta, seed), n: uint64(n)}
}

// Next returns the next item in [0, n).
func (s *ScrambledZipf) Next() int {
	return int(fnv64(uint64(s.z.Next())) % s.n)
}

// fnv64 is FNV-1a over the eight bytes of v.
func fnv64(v uint64) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < 8; i++ {
		h ^= v & 0xff
		h *= 1099511628211
		v >>= 8
	}
	return h
}

// KeyPrefix makes benchmark keys about as long as the ones in otter's
// and Caffeine's benchmarks (40-odd bytes).
const KeyPrefix = "0i02-3rj203rn230rjx0m238ex10eu1-x n-9u"

// Key returns the benchmark key of item i.
func Key(i int) string {
	return KeyPrefix + strconv.Itoa(i)
}

// Value returns the benchmark value of item i: a byte slice of about
// the same length as the key.
func Value(i int) []byte {
	return []byte("ololololooooooookkeeeke_9njijuinugyih" + strconv.Itoa(i))
}

// ZipfKeys returns n keys drawn from a scrambled Zipf distribution over
// items distinct items, with a fixed seed so every run and every cache
// sees the same sequence.
func ZipfKeys(n, items int, seed uint64) []string {
	z := NewScrambledZipf(items, seed)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = Key(z.Next())
	}
	return keys
}

// FixedKey returns a key of exactly 16 bytes for item i (0 <= i < 10^15):
// "k" followed by i in decimal, zero-padded. It allocates only the string.
func FixedKey(i int) string {
	buf := [16]byte{'k', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0'}
	for j := 15; i > 0 && j > 0; j-- {
		buf[j] = byte('0' + i%10)
		i /= 10
	}
	return string(buf[:])
}
