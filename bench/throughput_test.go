package bench

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maxmem/maxmem/bench/internal/peers"
)

// The workload of Caffeine's GetPutBenchmark, as otter ports it: an
// array of keySpace keys drawn from a scrambled Zipf distribution over
// keySpace/3 items, read round-robin from a random start by each
// goroutine, against a cache of capacity entries that is prefilled.
const (
	capacity = 1 << 14
	keySpace = 1 << 15
	keyMask  = keySpace - 1
	items    = keySpace / 3

	// insertPool is the number of fresh keys the insert runs cycle
	// through: 16x capacity, so a key comes back long after eviction.
	insertPool = 1 << 18
	insertMask = insertPool - 1

	// benchTTL is the TTL of the TTL runs: long enough that nothing
	// expires during a run, so the runs measure TTL bookkeeping.
	benchTTL = time.Hour

	// asideItems is the number of distinct keys of the look-aside runs:
	// 4x the capacity, so misses and evictions go on all the time.
	asideItems = 4 * capacity
)

// fixture holds the keys and values shared by the benchmarks.
type fixture struct {
	keys       []string // keySpace Zipf-drawn keys
	values     [][]byte // values[i] belongs with Key(i)
	updates    [][]byte // values[i] with its first byte changed: a new value of the same size
	fillKeys   []string // Key(i) for i < capacity: the prefill
	insertKeys []string // insertPool keys never in the prefill
	missKeys   []string // keySpace keys never stored
	// asideKeys are keySpace keys drawn from a Zipf distribution over 4x
	// the capacity, and asideValues their values: the look-aside runs.
	asideKeys   []string
	asideValues [][]byte
	entryBytes  int   // typical key+value length
	budget      int64 // maxmem's byte budget for capacity entries
}

var (
	fixtureOnce sync.Once
	fix         *fixture
)

// getFixture builds the shared keys once per test binary.
func getFixture() *fixture {
	fixtureOnce.Do(func() {
		f := &fixture{keys: ZipfKeys(keySpace, items, 42)}
		f.values = make([][]byte, keySpace)
		for i := range f.values {
			f.values[i] = Value(i)
		}
		f.updates = make([][]byte, capacity)
		for i := range f.updates {
			f.updates[i] = bytes.Clone(f.values[i])
			f.updates[i][0] ^= 1
		}
		f.fillKeys = make([]string, capacity)
		for i := range f.fillKeys {
			f.fillKeys[i] = Key(i)
		}
		f.insertKeys = make([]string, insertPool)
		for i := range f.insertKeys {
			f.insertKeys[i] = Key(1_000_000 + i)
		}
		f.missKeys = make([]string, keySpace)
		for i := range f.missKeys {
			f.missKeys[i] = Key(10_000_000 + i)
		}
		f.asideKeys = ZipfKeys(keySpace, asideItems, 43)
		f.asideValues = make([][]byte, keySpace)
		for i := range f.asideKeys {
			f.asideValues[i] = Value(i)
		}
		f.entryBytes = len(Key(capacity/2)) + len(Value(capacity/2))
		f.budget = peers.MaxmemBudget(f.fillKeys, f.values[:capacity])
		fix = f
	})
	return fix
}

// newFilled builds a cache of f for capacity entries and prefills it
// with fillKeys (with benchTTL when ttl is set), then applies any
// buffered writes.
func newFilled(f peers.Factory, ttl bool) peers.Cache {
	x := getFixture()
	cfg := peers.Config{Capacity: capacity, Bytes: x.budget, EntryBytes: x.entryBytes}
	if ttl {
		cfg.TTL = benchTTL
	}
	c := f.New(cfg)
	for i, k := range x.fillKeys {
		if ttl {
			c.SetTTL(k, x.values[i], benchTTL)
		} else {
			c.Set(k, x.values[i])
		}
	}
	c.Len()
	return c
}

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

// readShares are the read percentages of the throughput runs.
var readShares = []int{100, 90, 75, 50, 25, 0}

// BenchmarkThroughput is the GetPutBenchmark port: ops/s of every cache
// at each read share, plus an all-insert run that evicts on every
// write and a 75 %-read run with a TTL on every entry; then the same read
// shares as a look-aside cache over 4x its capacity (lookaside-reads=N%).
func BenchmarkThroughput(b *testing.B) {
	for _, reads := range readShares {
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
	for _, reads := range readShares {
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
