package maxmem

import (
	"math/bits"
	"runtime"
	"time"

	"github.com/maxmem/maxmem/internal/memsize"
)

// Options configure a Cache. The zero value is a valid configuration: no
// memory limit and Redis's default policy, noeviction.
type Options[K comparable, V any] struct {
	// MaxMemory is the byte budget (Redis's maxmemory). 0 means no limit.
	MaxMemory int64
	// Policy chooses victims when a write needs room (maxmemory-policy).
	// It must be set with MaxMemory: NoEviction to refuse writes when the
	// cache is full, as Redis does by default, or an evicting policy
	// (AllKeysTinyLFU, AllKeysLRU, ...) to make room. Without MaxMemory,
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
	// RefreshAfter, if positive, is the age after which a GetOrLoad that
	// finds an entry serves it and starts one reload of it in the
	// background (refresh-ahead). The age counts from the last write of the
	// value, not of its TTL. It costs each entry 8 bytes, charged, and a
	// GetOrLoad hit a lock of its shard. 0 means no refresh.
	RefreshAfter time.Duration
	// Seed seeds the random choices (random policies, LFU, sampling) and
	// the hash of string and integer keys, for reproducible runs: the same
	// keys land in the same shards and slots in every run. 0, the default,
	// means a random seed for each cache, which is what keeps keys chosen by
	// someone else (URLs, user ids) from being chosen to collide: a fixed
	// seed gives that protection up, since whoever knows it can craft keys
	// that all share one shard and one probe sequence, and make every
	// operation on them cost a scan (BenchmarkCraftedKeys). A cache with a
	// fixed Seed also takes the shard's lock on every Get, so that reads
	// apply in the order they were made, at some cost to concurrent reads.
	// Use it for tests and simulations.
	Seed uint64
}

// Clock tells the time. A Cache reads it for TTL deadlines and LFU decay.
//
// A Clock may also have a method After(d time.Duration) <-chan time.Time
// that sends on the channel once its time has advanced by d, as
// time.After does and as the fake clocks of test libraries do. SetWait
// uses it to sleep until the next entry expires; with a Clock that has
// none, it sleeps d of real time (and the background sweep, which reads
// the Clock ten times a second, also wakes it when entries expire).
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

// validate returns o with its defaults, or an error wrapping
// ErrInvalidArgument that says what is wrong.
func (o Options[K, V]) validate() (config[K, V], error) {
	var zero config[K, V]
	switch {
	case o.MaxMemory < 0:
		return zero, invalid("MaxMemory %d is negative", o.MaxMemory)
	case o.MaxMemory > 0 && o.Policy == nil:
		return zero, invalid("MaxMemory is set but Policy is nil: set Policy to maxmem.NoEviction to refuse writes " +
			"when the cache is full (Redis's default) or to an evicting policy such as maxmem.AllKeysTinyLFU or maxmem.AllKeysLRU")
	case o.Samples < 0 || o.Samples > 64:
		return zero, invalid("Samples %d is outside 1 to 64", o.Samples)
	case o.RefreshAfter < 0:
		return zero, invalid("RefreshAfter %v is negative", o.RefreshAfter)
	case o.LFULogFactor < 0:
		return zero, invalid("LFULogFactor %d is negative", o.LFULogFactor)
	case o.Shards < 0 || o.Shards > 1024 || bits.OnesCount(uint(o.Shards)) > 1:
		return zero, invalid("Shards %d is not a power of two up to 1024", o.Shards)
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
// than one per MinShardBytes of budget. A write evicts in its own shard
// (or a peer), so shards that hold few entries each cost hit ratio (up to
// six points at 64 entries split eight ways, 0.3 above a thousand), and
// each shard's arena keeps a few chunks of slack; a cache that small gains
// little from more locks anyway.
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
const MinShardBytes = 64 << 10

// ErrMemoryFormat is wrapped by every error of ParseMemory.
var ErrMemoryFormat = memsize.ErrFormat

// ParseMemory reads a size as redis.conf or GOMEMLIMIT writes it: "100"
// (bytes), "1k" (1000), "1kb" (1024), "1m", "1mb", "1g", "1gb", as in
// redis.conf, or "1B", "1KiB" (1024), "8MiB", "2GiB", "1TiB", as Go writes
// them; units in any case. An empty string, a sign, a fraction ("1.5gb"),
// an unknown unit or a size above math.MaxInt64 bytes is an error wrapping
// ErrMemoryFormat that says what is wrong and, but for the last, which
// forms are accepted.
func ParseMemory(s string) (int64, error) { return memsize.Parse(s) }
