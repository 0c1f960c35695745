package sim

import (
	"math"
	"math/rand/v2"
)

// Redis's eviction constants (src/evict.c, src/server.h, redis.conf).
const (
	// PoolSize is EVPOOL_SIZE, the eviction pool's length.
	PoolSize = 16
	// DefaultSamples is the default maxmemory-samples.
	DefaultSamples = 5
	// RecommendedSamples is the maxmemory-samples redis.conf suggests for
	// an approximation very close to true LRU.
	RecommendedSamples = 10
	// LFUInitVal is LFU_INIT_VAL, the counter of a new key.
	LFUInitVal = 5
	// LFULogFactor is the default lfu-log-factor.
	LFULogFactor = 10
	// LFUDecayMinutes is the default lfu-decay-time, in minutes.
	LFUDecayMinutes = 1
)

// RequestsPerMinute is the logical clock of the Redis references: traces
// carry no usable time, so every request advances the clock by one
// millisecond (a server replaying the trace at 1000 requests per second),
// and one minute of LFU decay is 60 000 requests. The LRU idle time is
// measured in requests, i.e. with a resolution of one request rather than
// Redis's one second, so that sampled LRU is judged on its sampling alone.
const RequestsPerMinute = 60_000

// RedisMode selects the score the pool ranks keys by.
type RedisMode int

// The sampled policies.
const (
	// SampledLRU ranks keys by idle time (allkeys-lru).
	SampledLRU RedisMode = iota
	// SampledLFU ranks keys by 255 minus the decayed log counter
	// (allkeys-lfu).
	SampledLFU
)

// Redis simulates Redis's approximated LRU or LFU eviction: on every
// eviction it samples maxmemory-samples keys, merges them into a 16-entry
// pool ordered by score (idle time, or inverse frequency), and evicts the
// best-scored pool entry that still exists. As in Redis, pool entries keep
// the score they had when sampled, may be ghosts of deleted keys, and are
// only checked for existence when picked.
//
// Sampling draws distinct keys uniformly at random, which is what Redis's
// dictGetSomeKeys approximates by walking a random stretch of hash buckets.
type Redis struct {
	mode     RedisMode
	capacity int64
	used     int64
	samples  int
	rng      *rand.Rand
	now      uint64 // logical clock, in requests
	index    map[uint64]int32
	entries  []redisEntry
	pool     [PoolSize]poolEntry
}

// redisEntry is one cached key with Redis's per-object eviction state.
type redisEntry struct {
	key     uint64
	size    int64
	access  uint64 // LRU: logical time of last access
	ldt     uint16 // LFU: last decrement time, minutes modulo 2^16
	counter uint8  // LFU: logarithmic access counter
}

// poolEntry is a slot of the eviction pool; set is false for empty slots.
type poolEntry struct {
	idle uint64
	key  uint64
	set  bool
}

// NewRedis returns an empty Redis-style cache holding up to capacity units,
// sampling samples keys per eviction (0 means 5), with a fixed seed.
func NewRedis(mode RedisMode, capacity int64, samples int, seed uint64) *Redis {
	if samples <= 0 {
		samples = DefaultSamples
	}
	return &Redis{
		mode: mode, capacity: capacity, samples: samples,
		rng:   rand.New(rand.NewPCG(seed, 0x5eed)),
		index: make(map[uint64]int32),
	}
}

// minutes returns the LFU clock: logical minutes modulo 2^16.
func (c *Redis) minutes() uint16 { return uint16(c.now / RequestsPerMinute) }

// Get advances the logical clock by one request, reports whether key is
// cached and records the access.
func (c *Redis) Get(key uint64) bool {
	c.now++
	i, ok := c.index[key]
	if !ok {
		return false
	}
	e := &c.entries[i]
	if c.mode == SampledLRU {
		e.access = c.now
	} else {
		e.counter = c.lfuLogIncr(c.lfuDecr(e))
		e.ldt = c.minutes()
	}
	return true
}

// Set inserts key after evicting until it fits, as Redis frees memory
// before running a write. An entry larger than the capacity is dropped.
func (c *Redis) Set(key uint64, size int64) {
	if _, ok := c.index[key]; ok || size > c.capacity {
		return
	}
	for c.used+size > c.capacity && len(c.entries) > 0 {
		c.evict()
	}
	c.index[key] = int32(len(c.entries))
	c.entries = append(c.entries, redisEntry{
		key: key, size: size, access: c.now, ldt: c.minutes(), counter: LFUInitVal,
	})
	c.used += size
}

// Len returns the number of cached entries.
func (c *Redis) Len() int { return len(c.entries) }

// Close does nothing.
func (c *Redis) Close() {}

// evict removes one key chosen through the eviction pool, as
// performEvictions does for the LRU and LFU policies.
func (c *Redis) evict() {
	for {
		c.populate()
		for k := PoolSize - 1; k >= 0; k-- {
			if !c.pool[k].set {
				continue
			}
			key := c.pool[k].key
			c.pool[k] = poolEntry{}
			if i, ok := c.index[key]; ok {
				c.remove(i)
				return
			}
			// A ghost: the key was deleted since it was pooled.
		}
	}
}

// remove deletes entry i by moving the last entry into its place.
func (c *Redis) remove(i int32) {
	e := c.entries[i]
	c.used -= e.size
	delete(c.index, e.key)
	last := int32(len(c.entries) - 1)
	if i != last {
		c.entries[i] = c.entries[last]
		c.index[c.entries[i].key] = i
	}
	c.entries = c.entries[:last]
}

// populate samples keys and merges them into the pool, keeping it sorted by
// ascending score, as evictionPoolPopulate does.
func (c *Redis) populate() {
	n := len(c.entries)
	var picked [64]int32
	count := min(c.samples, n, len(picked))
	for j := 0; j < count; j++ {
		picked[j] = c.distinctSample(picked[:j], n)
	}
	for _, i := range picked[:count] {
		c.poolInsert(c.entries[i].key, c.score(&c.entries[i]))
	}
}

// distinctSample draws a random entry index not in taken.
func (c *Redis) distinctSample(taken []int32, n int) int32 {
	for {
		i := int32(c.rng.IntN(n))
		dup := false
		for _, t := range taken {
			dup = dup || t == i
		}
		if !dup {
			return i
		}
	}
}

// score is the pool ranking: higher is a better eviction candidate.
func (c *Redis) score(e *redisEntry) uint64 {
	if c.mode == SampledLRU {
		return c.now - e.access
	}
	return 255 - uint64(c.lfuDecr(e))
}

// poolInsert places (key, idle) into the pool the way evictionPoolPopulate
// does: skip the slots whose score is lower; drop the key if the pool is
// full and it is the worst; otherwise shift entries right (if there is room
// on the right) or left (dropping the worst) to make room.
func (c *Redis) poolInsert(key uint64, idle uint64) {
	p := &c.pool
	k := 0
	for k < PoolSize && p[k].set && p[k].idle < idle {
		k++
	}
	switch {
	case k == 0 && p[PoolSize-1].set:
		return // worse than everything in a full pool
	case k < PoolSize && !p[k].set:
		// empty slot: insert in place
	case !p[PoolSize-1].set:
		copy(p[k+1:], p[k:PoolSize-1]) // room on the right: shift right
	default:
		k-- // full: shift the left part left, dropping the worst
		copy(p[:k], p[1:k+1])
	}
	p[k] = poolEntry{idle: idle, key: key, set: true}
}

// lfuDecr returns e's counter after decay, without storing it
// (LFUDecrAndReturn).
func (c *Redis) lfuDecr(e *redisEntry) uint8 {
	periods := lfuTimeElapsed(e.ldt, c.minutes()) / LFUDecayMinutes
	if periods >= uint64(e.counter) {
		return 0
	}
	return e.counter - uint8(periods)
}

// lfuTimeElapsed is LFUTimeElapsed: minutes from ldt to now on a 16-bit
// clock that wraps at most once.
func lfuTimeElapsed(ldt, now uint16) uint64 {
	if now >= ldt {
		return uint64(now - ldt)
	}
	return uint64(math.MaxUint16-ldt) + uint64(now)
}

// lfuLogIncr is LFULogIncr: increment with probability
// 1/((counter-LFU_INIT_VAL)*lfu_log_factor+1), saturating at 255.
func (c *Redis) lfuLogIncr(counter uint8) uint8 {
	if counter == 255 {
		return 255
	}
	r := c.rng.Float64()
	base := math.Max(float64(counter)-LFUInitVal, 0)
	if r < 1/(base*LFULogFactor+1) {
		counter++
	}
	return counter
}
