package bench

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maxmem/maxmem/bench/internal/peers"
)

// writePattern spreads writePct writes evenly over every 100 operations.
func writePattern(writePct int) *[100]bool {
	var p [100]bool
	for j := range p {
		p[j] = (j+1)*writePct/100 != j*writePct/100
	}
	return &p
}

// runParallel times body under b.RunParallel and reports ops/s.
func runParallel(b *testing.B, body func(pb *testing.PB)) {
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(body)
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
}

// mixed returns a RunParallel body doing readPct % Gets and the rest
// Sets of the Zipf keys; each goroutine interleaves reads and writes in
// the same ratio (on two cores a goroutine per role would skew it).
func mixed(c peers.Cache, readPct int, ttl bool) func(pb *testing.PB) {
	x := getFixture()
	pattern := writePattern(100 - readPct)
	return func(pb *testing.PB) {
		i := int(rand.Uint32())
		op := 0
		for pb.Next() {
			k := x.keys[i&keyMask]
			switch {
			case !pattern[op]:
				c.Get(k)
			case ttl:
				c.SetTTL(k, x.values[i&keyMask], benchTTL)
			default:
				c.Set(k, x.values[i&keyMask])
			}
			i++
			if op++; op == 100 {
				op = 0
			}
		}
	}
}

// lookAside returns a RunParallel body of the look-aside runs: readPct % of
// the operations are Gets of Zipf keys over 4x the capacity, each miss
// followed by a Set of the key, as a service does in front of its
// database; the rest are Sets (writes through). Every cache evicts.
func lookAside(c peers.Cache, readPct int) func(pb *testing.PB) {
	x := getFixture()
	pattern := writePattern(100 - readPct)
	return func(pb *testing.PB) {
		i := int(rand.Uint32())
		op := 0
		for pb.Next() {
			k, v := x.asideKeys[i&keyMask], x.asideValues[i&keyMask]
			if !pattern[op] {
				if _, ok := c.Get(k); !ok {
					c.Set(k, v)
				}
			} else {
				c.Set(k, v)
			}
			i++
			if op++; op == 100 {
				op = 0
			}
		}
	}
}

// inserts returns a RunParallel body that only writes keys not in the
// cache, so every write evicts. Goroutines start 64Ki keys apart.
func inserts(c peers.Cache) func(pb *testing.PB) {
	x := getFixture()
	var next atomic.Uint64
	return func(pb *testing.PB) {
		i := int(next.Add(1) << 16)
		for pb.Next() {
			c.Set(x.insertKeys[i&insertMask], x.values[i&keyMask])
			i++
		}
	}
}

// BenchmarkThroughput is the GetPutBenchmark port: ops/s of every cache
// at each read share, plus an all-insert run that evicts on every
// write and a 75 %-read run with a TTL on every entry; then the same read
// shares as a look-aside cache over 4x its capacity (lookaside-reads=N%).
func BenchmarkThroughput(b *testing.B) {
	for _, reads := range ReadShares {
		b.Run(fmt.Sprintf("reads=%d%%", reads), func(b *testing.B) {
			for _, f := range peers.All() {
				b.Run("cache="+f.Name, func(b *testing.B) {
					c := newFilled(f, false)
					defer c.Close()
					runParallel(b, mixed(c, reads, false))
				})
			}
		})
	}
	for _, reads := range ReadShares {
		b.Run(fmt.Sprintf("lookaside-reads=%d%%", reads), func(b *testing.B) {
			for _, f := range peers.All() {
				b.Run("cache="+f.Name, func(b *testing.B) {
					c := newFilled(f, false)
					defer c.Close()
					runParallel(b, lookAside(c, reads))
				})
			}
		})
	}
	b.Run("insert-evict", func(b *testing.B) {
		for _, f := range peers.All() {
			b.Run("cache="+f.Name, func(b *testing.B) {
				c := newFilled(f, false)
				defer c.Close()
				runParallel(b, inserts(c))
			})
		}
	})
	b.Run("ttl-reads=75%", func(b *testing.B) {
		for _, f := range peers.All() {
			if !f.TTL {
				continue
			}
			b.Run("cache="+f.Name, func(b *testing.B) {
				c := newFilled(f, true)
				defer c.Close()
				runParallel(b, mixed(c, 75, true))
			})
		}
	})
}
