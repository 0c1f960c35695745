package maxmem

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Options configure a Cache. The zero value is a valid configuration: no
// memory limit and Redis's default policy, noeviction.
type Options[K comparable, V any] struct {
	// MaxMemory is the byte budget (Redis's maxmemory). 0 means no limit.
	MaxMemory int64
	// Policy chooses victims when a write needs room (maxmemory-policy).
	// nil means NoEviction.
	Policy Policy
	// Samples is how many entries the sampled policies look at per shard
	// (maxmemory-samples), 1 to 64. 0 means 5.
	Samples int
	// Sizer reports the bytes of a key and value. The cache adds its own
	// per-entry overhead (see EntryOverhead). nil means the built-in sizer,
	// which handles strings, byte slices, numbers, booleans, and arrays,
	// slices and pointer-free structs of those; New fails for other types.
	Sizer func(K, V) int64
	// OnEvict, if set, is called for every entry that leaves the cache, with
	// the reason. It runs after the cache's locks are released, on the
	// goroutine that caused the removal (the sweeper's for expiry).
	OnEvict func(key K, value V, reason Reason)
	// LFULogFactor is Redis's lfu-log-factor: how many accesses it takes to
	// grow the counter. 0 means 10.
	LFULogFactor int
	// LFUDecayTime is Redis's lfu-decay-time: the counter drops by one for each
	// such period without access, in whole minutes. 0 means one minute; a
	// negative value disables decay (Redis's lfu-decay-time 0).
	LFUDecayTime time.Duration
	// Shards is the number of independently locked parts, a power of two up
	// to 1024. 0 means DefaultShards(MaxMemory, GOMAXPROCS).
	Shards int
	// Clock is the source of time for TTLs and LFU decay. nil means the
	// system clock; tests pass a fake one.
	Clock Clock
	// Seed seeds the random choices (random policies, LFU, sampling), for
	// reproducible runs. 0 means a random seed.
	Seed uint64
}

// Clock tells the time. A Cache reads it for TTL deadlines and LFU decay.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// config is Options after validation and defaults.
type config[K comparable, V any] struct {
	Options[K, V]
	decayMinutes int // 0: no decay
}

func (o Options[K, V]) validate() (config[K, V], error) {
	var zero config[K, V]
	switch {
	case o.MaxMemory < 0:
		return zero, fmt.Errorf("maxmem: MaxMemory %d is negative", o.MaxMemory)
	case o.Samples < 0 || o.Samples > 64:
		return zero, fmt.Errorf("maxmem: Samples %d is outside 1 to 64", o.Samples)
	case o.LFULogFactor < 0:
		return zero, fmt.Errorf("maxmem: LFULogFactor %d is negative", o.LFULogFactor)
	case o.Shards < 0 || o.Shards > 1024 || bits.OnesCount(uint(o.Shards)) > 1:
		return zero, fmt.Errorf("maxmem: Shards %d is not a power of two up to 1024", o.Shards)
	}
	return o.withDefaults(), nil
}

func (o Options[K, V]) withDefaults() config[K, V] {
	if o.Policy == nil {
		o.Policy = NoEviction
	}
	if o.Samples == 0 {
		o.Samples = 5
	}
	if o.LFULogFactor == 0 {
		o.LFULogFactor = 10
	}
	if o.Shards == 0 {
		o.Shards = DefaultShards(o.MaxMemory, runtime.GOMAXPROCS(0))
	}
	if o.Clock == nil {
		o.Clock = systemClock{}
	}
	c := config[K, V]{Options: o, decayMinutes: 1}
	switch {
	case o.LFUDecayTime < 0:
		c.decayMinutes = 0
	case o.LFUDecayTime > 0:
		c.decayMinutes = max(1, int(o.LFUDecayTime/time.Minute))
	}
	return c
}

// DefaultShards returns the shard count New chooses when Options.Shards is
// 0, for a budget of maxMemory bytes (0: no limit) on cpus CPUs: four per
// CPU rounded up to a power of two, at least 8 and at most 256, but no more
// than one per MinShardBytes of budget. A shard's policy decides among the
// shard's own entries, and a few dozen entries are too few for an
// admission duel or a sample to mean much; a cache that small gains little
// from more locks anyway.
func DefaultShards(maxMemory int64, cpus int) int {
	n := 4 * max(cpus, 1)
	n = 1 << bits.Len(uint(n-1)) // round up to a power of two
	n = min(max(n, 8), 256)
	for maxMemory > 0 && n > 1 && maxMemory < int64(n)*MinShardBytes {
		n /= 2
	}
	return n
}

// MinShardBytes is the least budget per shard DefaultShards allows.
const MinShardBytes = 16 << 10

// ErrMemoryFormat is wrapped by ParseMemory's errors.
var ErrMemoryFormat = errors.New("maxmem: malformed memory size")

// memoryUnits are redis.conf's units: k, m, g are powers of 1000 and kb, mb,
// gb powers of 1024, in any case.
var memoryUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1000, "kb": 1 << 10,
	"m": 1000 * 1000, "mb": 1 << 20,
	"g": 1000 * 1000 * 1000, "gb": 1 << 30,
}

// ParseMemory reads a size as redis.conf writes it: "100" (bytes), "1k"
// (1000), "1kb" (1024), "1m", "1mb", "1g", "1gb"; units in any case. Negative,
// fractional and overflowing sizes are errors.
func ParseMemory(s string) (int64, error) {
	digits := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	mul, ok := memoryUnits[strings.ToLower(s[len(digits):])]
	if !ok || digits == "" || strings.ContainsAny(digits, "+-") {
		return 0, fmt.Errorf("%w: %q", ErrMemoryFormat, s)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > math.MaxInt64/mul {
		return 0, fmt.Errorf("%w: %q is out of range", ErrMemoryFormat, s)
	}
	return n * mul, nil
}
