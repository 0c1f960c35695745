package maxmem

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/maxmem/maxmem/internal/shard"
)

// Policy chooses which entry leaves when a write needs room: Redis's
// maxmemory-policy. A policy never frees memory itself: it names victims,
// one at a time, until the write fits.
//
// The built-in policies choose within the cache itself, approximating as
// Redis does: a write that needs room evicts in its own shard (the least
// recently used or modified entry up to a few hundredths of the shard's
// history under LRU and LRM, exactly in a shard of 64 entries or fewer;
// Redis's sampled pool under LFU; the shard's earliest deadline under
// volatile-ttl; a random entry; or the admission layout of
// allkeys-tinylfu), and looks at one other shard, chosen at random, to
// take its best victim instead when that one ranks higher.
//
// A Policy written outside the package is pooled the same way: for each
// eviction the cache asks Victim once in the writer's shard (it should
// look at Shard.Samples() entries), keeps the sixteen best candidates seen
// so far in that shard, and evicts the one with the highest Score that is
// still as it was when it was named; across shards, the higher Score goes
// first.
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

// Tracking names the per-entry history a policy reads, beyond recency of
// access, which is always kept.
type Tracking uint8

const (
	// TrackFrequency keeps Redis's LFU counters (Entry.Frequency) current.
	// Without it they are not updated: an access then costs no random draw
	// and no clock read, as in Redis, which keeps them only under LFU.
	TrackFrequency Tracking = 1 << iota
	// TrackModification orders recency by last modification (a write or a
	// TTL change) instead of last access: reads no longer refresh an entry.
	TrackModification
)

// A Tracker is a Policy that says which history it reads. A Policy that is
// not a Tracker gets recency of access only.
type Tracker interface {
	Policy
	Tracks() Tracking
}

// Shard is a read-only view of one shard's entries, handed to
// Policy.Victim. It is valid only during that call. Methods taking volatile
// consider only entries with a TTL when it is true.
type Shard interface {
	// Len returns the number of resident entries.
	Len() int
	// Volatile returns the number of entries with a TTL.
	Volatile() int
	// Samples returns how many entries a sampling policy should look at in
	// this call: maxmemory-samples.
	Samples() int
	// LeastRecent returns the entry least recently accessed (or, under
	// TrackModification or TrackFrequency, least recently written), as
	// allkeys-lru finds it: exactly in a shard of 64 entries or fewer, else
	// up to a sixty-fourth of the victims' age.
	LeastRecent(volatile bool) (Entry, bool)
	// SoonestExpiring returns the entry whose TTL ends first, exactly.
	SoonestExpiring() (Entry, bool)
	// Random returns an entry chosen uniformly.
	Random(volatile bool) (Entry, bool)
	// Rand returns a random number from the shard's seeded source.
	Rand() uint64
}

// Entry describes one resident entry to a Policy.
type Entry struct {
	slot     uint32
	hash     uint32 // the key's hash bits, to recognise the entry later
	rank     uint64 // its recency rank and deadline, absolute, so that scores
	deadline int64  // computed at different moments stay comparable
	// Size is the bytes charged for the entry, as MemoryUsage reports.
	Size int64
	// Idle is how long ago the entry was last accessed (or written, under
	// TrackModification or TrackFrequency), counted in writes to its
	// shard, as Redis's LRU clock counts seconds: larger is colder. Shards
	// take writes at about the same rate, so it compares across shards
	// too.
	Idle uint64
	// Frequency is Redis's 8-bit logarithmic access counter after decay. It
	// is kept current only under a policy that tracks frequency.
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
	Deleted                    // Delete, GetDel, or a TTL change to a deadline past (Expire, ExpireIf, ExpireAt, GetEx)
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
	// AllKeysLRU evicts the least recently used key, approximated per shard
	// as Redis approximates it: exactly in a shard of 64 entries or fewer,
	// else up to a sixty-fourth of the victims' age (bench/hitratio.md
	// compares it with exact LRU and Redis's sampled LRU).
	AllKeysLRU Policy = lru{volatile: false}
	// VolatileLRU is AllKeysLRU among keys with a TTL.
	VolatileLRU Policy = lru{volatile: true}
	// AllKeysLFU evicts the least frequently used of sampled keys, by
	// Redis's logarithmic counter.
	AllKeysLFU Policy = lfuPolicy{volatile: false}
	// VolatileLFU is AllKeysLFU among keys with a TTL.
	VolatileLFU Policy = lfuPolicy{volatile: true}
	// AllKeysRandom evicts a key chosen uniformly at random.
	AllKeysRandom Policy = random{volatile: false}
	// VolatileRandom evicts a random key among those with a TTL.
	VolatileRandom Policy = random{volatile: true}
	// VolatileTTL evicts the key closest to expiring: the earliest
	// deadline of every shard, as each last published it.
	VolatileTTL Policy = ttlPolicy{}
	// AllKeysLRM evicts the least recently modified key: writes and TTL
	// changes refresh it, reads do not.
	AllKeysLRM Policy = lrm{volatile: false}
	// VolatileLRM is AllKeysLRM among keys with a TTL.
	VolatileLRM Policy = lrm{volatile: true}
)

// AllKeysTinyLFU is maxmem's own policy, beyond Redis's ten: an adaptive
// W-TinyLFU. New keys enter a small LRU window; a key leaving the window
// takes the place of the least recent key of the main space only if a
// sketch of recent requests says it is requested more often. A climber
// grows or shrinks the window by the hit ratio it measures, and a judge
// that remembers recent admission duels learns which side comes back
// first: when refused candidates keep returning before the victims that
// beat them, admission backs off and the window grows. The policy leans
// towards LRU on recency-biased workloads and towards LFU on
// frequency-biased ones, and a scan cannot flush the working set.
//
// Choose it for the best hit ratio per byte on workloads that mix popular
// keys with one-off ones (web, database and storage caches). Its sketch
// and judge cost about 1.6 bytes per entry, charged to MaxMemory and shown
// as used_memory_policy, and its place in the lists 12 bytes per entry,
// charged with each entry; a cache switched to it at run time evicts to
// make that room. Expired keys are still reclaimed first. It decides
// through the cache's own layout, not through Victim, which names no
// entry: a Policy that wraps it evicts nothing. Its name is
// "allkeys-tinylfu".
var AllKeysTinyLFU Policy = tinyLFU{}

var policies = []Policy{NoEviction, AllKeysLRU, VolatileLRU, AllKeysLFU, VolatileLFU,
	AllKeysRandom, VolatileRandom, VolatileTTL, AllKeysLRM, VolatileLRM, AllKeysTinyLFU}

// ParsePolicy returns the policy with the given name, in any case: one of
// Redis's ("noeviction", "allkeys-lru", "volatile-ttl", ...) or
// "allkeys-tinylfu". An unknown name is an error wrapping
// ErrInvalidArgument that lists the valid ones.
func ParsePolicy(name string) (Policy, error) {
	for _, p := range policies {
		if strings.EqualFold(p.Name(), name) {
			return p, nil
		}
	}
	return nil, invalid("unknown maxmemory-policy %q; %s", name, policyNames())
}

// policyNames lists the policies ParsePolicy knows, for error texts.
func policyNames() string {
	names := make([]string, len(policies))
	for i, p := range policies {
		names[i] = p.Name()
	}
	return "the policies are " + strings.Join(names, ", ")
}

func scope(volatile bool, kind string) string {
	if volatile {
		return "volatile-" + kind
	}
	return "allkeys-" + kind
}

// builtin is implemented by the built-in policies: it says how the shards
// find their victims themselves (internal/shard), without asking Victim.
// A Policy from outside the package is asked through Victim.
type builtin interface {
	kind() shard.Policy
}

type tinyLFU struct{}

func (tinyLFU) Name() string                   { return "allkeys-tinylfu" }
func (tinyLFU) kind() shard.Policy             { return shard.Policy{Kind: shard.TinyLFU} }
func (tinyLFU) Victim(Shard) (Candidate, bool) { return Candidate{}, false }

type noEviction struct{}

func (noEviction) Name() string                   { return "noeviction" }
func (noEviction) kind() shard.Policy             { return shard.Policy{Kind: shard.NoEviction} }
func (noEviction) Victim(Shard) (Candidate, bool) { return Candidate{}, false }

type lru struct{ volatile bool }

func (p lru) Name() string       { return scope(p.volatile, "lru") }
func (p lru) kind() shard.Policy { return shard.Policy{Kind: shard.LRU, Volatile: p.volatile} }
func (p lru) Victim(s Shard) (Candidate, bool) {
	e, ok := s.LeastRecent(p.volatile)
	return Candidate{Entry: e, Score: e.rank}, ok
}

type lrm struct{ volatile bool }

func (p lrm) Name() string { return scope(p.volatile, "lrm") }
func (p lrm) kind() shard.Policy {
	return shard.Policy{Kind: shard.LRM, Volatile: p.volatile, Modification: true}
}
func (lrm) Tracks() Tracking { return TrackModification }
func (p lrm) Victim(s Shard) (Candidate, bool) {
	return lru(p).Victim(s) // the same ranks, ordered by modification
}

type ttlPolicy struct{}

func (ttlPolicy) Name() string       { return "volatile-ttl" }
func (ttlPolicy) kind() shard.Policy { return shard.Policy{Kind: shard.TTL, Volatile: true} }
func (ttlPolicy) Victim(s Shard) (Candidate, bool) {
	e, ok := s.SoonestExpiring()
	return Candidate{Entry: e, Score: uint64(math.MaxInt64 - e.deadline)}, ok
}

// random scores each shard's pick so that the largest score falls on a shard
// with probability proportional to its size (the exponential race of
// Efraimidis and Spirakis): uniform over the whole cache, not per shard.
type random struct{ volatile bool }

func (p random) Name() string       { return scope(p.volatile, "random") }
func (p random) kind() shard.Policy { return shard.Policy{Kind: shard.Random, Volatile: p.volatile} }
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
// equal counters in random order, as in Redis's pool.
type lfuPolicy struct{ volatile bool }

func (p lfuPolicy) Name() string { return scope(p.volatile, "lfu") }
func (p lfuPolicy) kind() shard.Policy {
	return shard.Policy{Kind: shard.LFU, Volatile: p.volatile, Frequency: true}
}
func (lfuPolicy) Tracks() Tracking { return TrackFrequency }
func (p lfuPolicy) Victim(s Shard) (Candidate, bool) {
	var best Candidate
	found := false
	for range s.Samples() {
		e, ok := s.Random(p.volatile)
		if !ok {
			break
		}
		score := uint64(255-e.Frequency)<<56 | s.Rand()>>8
		if !found || score > best.Score {
			best, found = Candidate{Entry: e, Score: score}, true
		}
	}
	return best, found
}

// setPolicy makes p (nil: NoEviction) the active policy, for the shards
// to take up (see relayout).
func (c *Cache[K, V]) setPolicy(p Policy) {
	if p == nil {
		p = NoEviction
	}
	c.policy.Store(&p)
	sp := shard.Policy{Kind: shard.Custom}
	if b, ok := p.(builtin); ok {
		sp = b.kind()
	} else if tr, ok := p.(Tracker); ok {
		sp.Frequency = tr.Tracks()&TrackFrequency != 0
		sp.Modification = tr.Tracks()&TrackModification != 0
	}
	c.core.Policy.Store(&sp)
}

// activePolicy returns the active policy.
func (c *Cache[K, V]) activePolicy() Policy { return *c.policy.Load() }
