package bench

// The benchmarks' workload, shared by the test binary's benchmarks and by
// cmd/report, which profiles the same operations outside it.

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
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

// ReadShares are the read percentages of BenchmarkThroughput's runs.
var ReadShares = []int{100, 90, 75, 50, 25, 0}

// LatencyOps are BenchmarkLatency's operations, in its order.
var LatencyOps = []string{"GetHit", "GetMiss", "SetUpdate", "SetInsertEvict"}

// NewFilled builds the named cache for capacity entries (maxmem gets the
// bytes it charges for them) and prefills it, as BenchmarkLatency does.
func NewFilled(name string) (peers.Cache, error) {
	f, ok := peers.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown cache %q", name)
	}
	return newFilled(f, false), nil
}

// LatencyOp returns the i-th call of the named BenchmarkLatency operation
// on c, a cache NewFilled built (latency_test.go runs the same calls in
// its own loops).
func LatencyOp(name string, c peers.Cache) (func(i int), error) {
	x := getFixture()
	switch name {
	case "GetHit":
		return func(i int) { c.Get(x.keys[i&keyMask]) }, nil
	case "GetMiss":
		return func(i int) { c.Get(x.missKeys[i&keyMask]) }, nil
	case "SetUpdate":
		return func(i int) {
			j := i & (capacity - 1)
			v := x.values[j]
			if i&capacity == 0 {
				v = x.updates[j]
			}
			c.Set(x.fillKeys[j], v)
		}, nil
	case "SetInsertEvict":
		return func(i int) { c.Set(x.insertKeys[i&insertMask], x.values[i&keyMask]) }, nil
	}
	return nil, fmt.Errorf("unknown operation %q (want one of %s)", name, strings.Join(LatencyOps, ", "))
}
