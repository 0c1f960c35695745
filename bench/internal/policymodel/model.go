// Package policymodel models eviction policies under a byte budget, single
// threaded and without the core, to research maxmem's admission policy
// quickly.
//
// A Cache holds entries charged as maxmem charges them (a per-entry
// overhead plus the value's size, 1 on entry-count traces) and the policy's
// own memory (sketch, ghosts, filters), all inside one byte budget: used =
// Σ charges + policy bytes <= budget. A policy decides what a hit and a
// miss record, which entry goes when room is needed, and where a new entry
// goes; the Cache does the bookkeeping. The policies are in their own
// files: exact LRU (lru.go), the allkeys-tinylfu design of maxmem and its
// variants (tinylfu.go), S3-FIFO (s3fifo.go), ARC (arc.go).
//
// Keys are hashed with the 64-bit finalizer maxmem uses for integer keys,
// so a model's sketch sees the hashes maxmem's does.
package policymodel

// DefaultOverhead is the bytes maxmem charges an entry besides its size
// (MemoryUsage of a uint64 key with an int64 value that the Sizer charges
// 1, minus that 1), as measured on the core of 2026-11-29. The hitratio
// command measures it afresh; tests use this.
const DefaultOverhead = 51

// nilSlot is the slot number of no entry: slot 0 is never used.
const nilSlot int32 = 0

// entry is one resident key. Its links thread it into one of the policy's
// lists.
type entry struct {
	key, hash  uint64
	charge     int64
	prev, next int32
	list       uint8 // which of the policy's lists holds it
	freq       uint8 // a small per-entry counter some policies keep
}

// policy is what a Cache asks of an eviction policy. Slots passed to it
// are resident; victim is only called while the cache holds entries.
type policy interface {
	// hit records a request that found the entry at slot.
	hit(slot int32)
	// miss records a request for the key hashed h that found nothing;
	// the key's Set follows.
	miss(h uint64)
	// victim returns the slot to evict to make room.
	victim() int32
	// removed is told that slot is leaving, before its links are reused.
	removed(slot int32)
	// evicted is told that an eviction is complete: the entry is gone.
	evicted()
	// inserted links the new entry at slot.
	inserted(slot int32)
	// order returns every resident slot, least recent first, for a switch
	// to another policy.
	order() []int32
	// adopt links a resident entry of the policy switched from, as the
	// most recent one so far; adopted is told when all are in.
	adopt(slot int32)
	adopted()
}

// Cache is a byte-budgeted cache under a policy. It is not safe for
// concurrent use.
type Cache struct {
	budget      int64 // bytes: entries' charges plus policy memory stay within
	used        int64 // Σ charges + policyBytes
	policyBytes int64
	overhead    int64
	weighted    bool
	index       map[uint64]int32
	ents        []entry // ents[0] is unused (nilSlot)
	free        []int32
	pol         policy
}

// Config describes a model cache.
type Config struct {
	// Budget is the byte budget; it must be positive.
	Budget int64
	// Overhead is what an entry is charged besides its size.
	Overhead int64
	// Weighted charges each entry its request's size (plus Overhead);
	// otherwise every entry is charged 1 plus Overhead.
	Weighted bool
}

// New returns an empty cache for cfg under policy p.
func (p Policy) New(cfg Config) *Cache {
	c := newCache(cfg)
	c.pol = p.make(c)
	return c
}

// Switch puts the cache under policy p at run time, as maxmem's
// SetPolicy does: the resident entries stay, handed to p from the least
// recent to the most, and p then takes the memory it needs.
func (c *Cache) Switch(p Policy) {
	order := c.pol.order()
	c.pol = p.make(c)
	for _, i := range order {
		c.pol.adopt(i)
	}
	c.pol.adopted()
}

// newCache returns an empty cache for cfg; the caller sets pol.
func newCache(cfg Config) *Cache {
	return &Cache{
		budget:   cfg.Budget,
		overhead: cfg.Overhead,
		weighted: cfg.Weighted,
		index:    map[uint64]int32{},
		ents:     make([]entry, 1),
	}
}

// Get looks key up, records the request with the policy and reports a
// hit.
func (c *Cache) Get(key uint64) bool {
	i, ok := c.index[key]
	if !ok {
		c.pol.miss(mix64(key))
		return false
	}
	c.pol.hit(i)
	return true
}

// Set inserts key after a miss, evicting until it fits. An entry larger
// than the budget left beside the policy's memory is not stored.
func (c *Cache) Set(key uint64, size int64) {
	if _, ok := c.index[key]; ok {
		return // the simulator only writes after a miss
	}
	charge := c.chargeOf(size)
	if charge > c.budget-c.policyBytes {
		return
	}
	if !c.makeRoom(charge) {
		return // the policy's memory, grown while evicting, leaves no room
	}
	i := c.alloc(key, charge)
	c.used += charge
	c.pol.inserted(i)
}

// Close does nothing.
func (c *Cache) Close() {}

// chargeOf returns the charge of an entry of the given request size.
func (c *Cache) chargeOf(size int64) int64 {
	if c.weighted {
		return c.overhead + size
	}
	return c.overhead + 1
}

// makeRoom evicts until need more bytes fit in the budget and reports
// whether they do; they may not when nothing is left to evict.
func (c *Cache) makeRoom(need int64) bool {
	for c.used+need > c.budget && len(c.index) > 0 {
		c.evict(c.pol.victim())
	}
	return c.used+need <= c.budget
}

// evict removes the entry at slot.
func (c *Cache) evict(i int32) {
	c.pol.removed(i)
	e := &c.ents[i]
	c.used -= e.charge
	delete(c.index, e.key)
	*e = entry{}
	c.free = append(c.free, i)
	c.pol.evicted()
}

// alloc stores a new entry and returns its slot.
func (c *Cache) alloc(key uint64, charge int64) int32 {
	e := entry{key: key, hash: mix64(key), charge: charge}
	var i int32
	if k := len(c.free); k > 0 {
		i = c.free[k-1]
		c.free = c.free[:k-1]
		c.ents[i] = e
	} else {
		i = int32(len(c.ents))
		c.ents = append(c.ents, e)
	}
	c.index[key] = i
	return i
}

// tryReserve takes n more bytes for the policy if they fit without
// evicting.
func (c *Cache) tryReserve(n int64) bool {
	if c.used+n > c.budget {
		return false
	}
	c.used += n
	c.policyBytes += n
	return true
}

// reserve takes n more bytes for the policy, evicting entries for them;
// it reports false, taking nothing, if they cannot fit even in an empty
// cache.
func (c *Cache) reserve(n int64) bool {
	if c.policyBytes+n > c.budget {
		return false
	}
	return c.makeRoom(n) && c.tryReserve(n)
}

// release gives n policy bytes back.
func (c *Cache) release(n int64) {
	c.used -= n
	c.policyBytes -= n
}

// Len returns the number of resident entries.
func (c *Cache) Len() int { return len(c.index) }

// Used returns the bytes in use: entries' charges plus PolicyBytes.
func (c *Cache) Used() int64 { return c.used }

// Budget returns the byte budget.
func (c *Cache) Budget() int64 { return c.budget }

// PolicyBytes returns the policy's own memory, charged to the budget.
func (c *Cache) PolicyBytes() int64 { return c.policyBytes }

// Contains reports whether key is resident, without recording a request.
func (c *Cache) Contains(key uint64) bool {
	_, ok := c.index[key]
	return ok
}

// mix64 is the 64-bit finalizer maxmem hashes integer keys with (splitmix64).
func mix64(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
