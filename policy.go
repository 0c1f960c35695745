package maxmem

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Policy chooses which entry leaves when a write needs room: Redis's
// maxmemory-policy. The cache asks each shard's policy for its best victim,
// evicts the candidate with the highest Score, and repeats until the write
// fits; a policy never frees memory itself.
//
// Victim runs with the shard locked: it must be quick and must not call the
// Cache. Implementations must be safe for concurrent use (shards are asked in
// parallel by different writers).
type Policy interface {
	// Name is the policy's name as CONFIG GET maxmemory-policy prints it.
	Name() string
	// Victim names the entry of s to evict first and its score; across
	// shards, the highest score goes first. ok is false when nothing in s may
	// be evicted.
	Victim(s Shard) (c Candidate, ok bool)
}

// FrequencyPolicy is a Policy that reads Entry.Frequency. The cache keeps the
// LFU counters current only while such a policy is active, as Redis does: an
// access costs a random draw and a clock read only when someone looks.
type FrequencyPolicy interface {
	Policy
	// UsesFrequency is a marker; its result is ignored.
	UsesFrequency()
}

// Shard is a read-only view of one shard's entries, handed to
// Policy.Victim. It is valid only during that call. Methods taking volatile
// consider only entries with a TTL when it is true.
type Shard interface {
	Len() int                                          // resident entries
	Volatile() int                                     // entries with a TTL
	Samples() int                                      // maxmemory-samples
	LeastRecentlyUsed(volatile bool) (Entry, bool)     // exact: lists, not samples
	LeastRecentlyModified(volatile bool) (Entry, bool) // exact, by last write or TTL change
	SoonestExpiring() (Entry, bool)                    // exact: the TTL heap's top
	Random(volatile bool) (Entry, bool)                // uniform over the shard
	Rand() uint64                                      // a random number from the shard's seeded source
}

// Entry describes one resident entry to a Policy.
type Entry struct {
	slot     uint32
	access   uint64 // logical stamps and deadline, absolute, so that scores
	write    uint64 // computed at different moments stay comparable
	deadline int64
	// Size is the bytes charged for the entry, as MemoryUsage reports.
	Size int64
	// Idle is logical time since the entry's last access, counted in writes
	// to the whole cache (two units per write). Larger is colder. It orders
	// entries of different shards without wall-clock ties.
	Idle uint64
	// SinceWrite is the same for the last modification (write or TTL change).
	SinceWrite uint64
	// Frequency is Redis's 8-bit logarithmic access counter after decay. It
	// is kept current only under a FrequencyPolicy.
	Frequency uint8
	// TTL is the time left before expiry, or NoExpiry.
	TTL time.Duration
}

// Candidate is a Policy's proposed victim and its score.
type Candidate struct {
	Entry Entry
	Score uint64 // higher is evicted sooner
}

// Reason says why an entry left the cache, for Options.OnEvict.
type Reason uint8

// The reasons an entry leaves.
const (
	Evicted  Reason = iota + 1 // the policy chose it to make room
	Expired                    // its TTL passed
	Deleted                    // Delete, or Expire with a non-positive TTL
	Replaced                   // a write gave the key a new value
	Cleared                    // Clear
)

var reasonNames = [...]string{"", "evicted", "expired", "deleted", "replaced", "cleared"}

// String returns the reason in lower case, e.g. "evicted".
func (r Reason) String() string {
	if int(r) < len(reasonNames) && r != 0 {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", r)
}

// The ten policies of Redis 8.6.
var (
	// NoEviction never evicts: a write that does not fit fails with ErrOOM.
	NoEviction Policy = noEviction{}
	// AllKeysLRU evicts the least recently used key, exactly.
	AllKeysLRU Policy = lru{volatile: false}
	// VolatileLRU evicts the least recently used key among those with a TTL.
	VolatileLRU Policy = lru{volatile: true}
	// AllKeysLFU evicts the least frequently used of Samples sampled keys.
	AllKeysLFU Policy = lfuPolicy{volatile: false}
	// VolatileLFU is AllKeysLFU among keys with a TTL.
	VolatileLFU Policy = lfuPolicy{volatile: true}
	// AllKeysRandom evicts a key chosen uniformly at random.
	AllKeysRandom Policy = random{volatile: false}
	// VolatileRandom evicts a random key among those with a TTL.
	VolatileRandom Policy = random{volatile: true}
	// VolatileTTL evicts the key closest to expiring, exactly.
	VolatileTTL Policy = ttlPolicy{}
	// AllKeysLRM evicts the least recently modified key: writes and TTL
	// changes refresh it, reads do not.
	AllKeysLRM Policy = lrm{volatile: false}
	// VolatileLRM is AllKeysLRM among keys with a TTL.
	VolatileLRM Policy = lrm{volatile: true}
)

var policies = []Policy{NoEviction, AllKeysLRU, VolatileLRU, AllKeysLFU, VolatileLFU,
	AllKeysRandom, VolatileRandom, VolatileTTL, AllKeysLRM, VolatileLRM}

// ParsePolicy returns the policy with the given Redis name, in any case:
// "noeviction", "allkeys-lru", "volatile-ttl", ...
func ParsePolicy(name string) (Policy, error) {
	for _, p := range policies {
		if strings.EqualFold(p.Name(), name) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("maxmem: unknown maxmemory-policy %q", name)
}

func scope(volatile bool, kind string) string {
	if volatile {
		return "volatile-" + kind
	}
	return "allkeys-" + kind
}

// deterministicPolicy is a built-in policy whose victim in a shard depends
// only on the shard's contents, and whose scores are absolute (stamps and
// deadlines, not ages): the cache may reuse its answer for a shard that has
// not changed. Sampling policies are not: a reused sample is no sample.
type deterministicPolicy interface {
	deterministic()
}

type noEviction struct{}

func (noEviction) Name() string                   { return "noeviction" }
func (noEviction) Victim(Shard) (Candidate, bool) { return Candidate{}, false }

type lru struct{ volatile bool }

func (p lru) Name() string { return scope(p.volatile, "lru") }
func (lru) deterministic() {}
func (p lru) Victim(s Shard) (Candidate, bool) {
	e, ok := s.LeastRecentlyUsed(p.volatile)
	return Candidate{Entry: e, Score: ^e.access}, ok
}

type lrm struct{ volatile bool }

func (p lrm) Name() string { return scope(p.volatile, "lrm") }
func (lrm) deterministic() {}
func (p lrm) Victim(s Shard) (Candidate, bool) {
	e, ok := s.LeastRecentlyModified(p.volatile)
	return Candidate{Entry: e, Score: ^e.write}, ok
}

type ttlPolicy struct{}

func (ttlPolicy) Name() string   { return "volatile-ttl" }
func (ttlPolicy) deterministic() {}
func (ttlPolicy) Victim(s Shard) (Candidate, bool) {
	e, ok := s.SoonestExpiring()
	return Candidate{Entry: e, Score: uint64(math.MaxInt64 - e.deadline)}, ok
}

// random scores each shard's pick so that the largest score falls on a shard
// with probability proportional to its size (the exponential race of
// Efraimidis and Spirakis): uniform over the whole cache, not per shard.
type random struct{ volatile bool }

func (p random) Name() string { return scope(p.volatile, "random") }
func (p random) Victim(s Shard) (Candidate, bool) {
	e, ok := s.Random(p.volatile)
	if !ok {
		return Candidate{}, false
	}
	n := s.Len()
	if p.volatile {
		n = s.Volatile()
	}
	u := (float64(s.Rand()>>11) + 0.5) / (1 << 53) // uniform in (0, 1)
	key := math.Pow(u, 1/float64(n))
	return Candidate{Entry: e, Score: uint64(key * (1 << 63))}, true
}

// lfuPolicy samples like Redis: the lowest counter of Samples random keys,
// the colder of two on a tie.
type lfuPolicy struct{ volatile bool }

func (p lfuPolicy) Name() string   { return scope(p.volatile, "lfu") }
func (p lfuPolicy) UsesFrequency() {}
func (p lfuPolicy) Victim(s Shard) (Candidate, bool) {
	var best Candidate
	found := false
	for range s.Samples() {
		e, ok := s.Random(p.volatile)
		if !ok {
			break
		}
		score := uint64(255-e.Frequency)<<56 | ^e.access>>8
		if !found || score > best.Score {
			best, found = Candidate{Entry: e, Score: score}, true
		}
	}
	return best, found
}
