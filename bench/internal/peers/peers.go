// Package peers puts every cache the benchmarks compare behind one small
// interface, so each benchmark loops over the same list.
package peers

import "time"

// Cache is the surface every benchmarked cache is put behind. Keys are
// strings and values byte slices, the one shape all peers accept
// (freecache and bigcache store only bytes).
type Cache interface {
	// Name is the short label used in benchmark names and tables.
	Name() string
	// Get returns the value stored under key.
	Get(key string) ([]byte, bool)
	// Set stores value under key without expiry.
	Set(key string, value []byte)
	// SetTTL stores value under key for ttl. Caches whose TTL is fixed
	// per cache (see Factory.FixedTTL) ignore ttl and use Config.TTL.
	SetTTL(key string, value []byte, ttl time.Duration)
	// Delete removes key if it is stored. Caches that buffer writes
	// may apply it, or a write before it, later.
	Delete(key string)
	// Len is the number of entries stored; caches that buffer writes
	// apply the buffered writes first. Meant for reports, not hot paths.
	Len() int
	// Close releases background goroutines, where the cache has them.
	Close()
}

// Charger is implemented by caches that account their own memory
// (maxmem): Charged is the number of bytes the cache believes it uses.
type Charger interface {
	Charged() int64
}

// Config says what to build a cache for.
type Config struct {
	// Capacity is the number of entries the cache must hold; caches
	// bounded by entry count get exactly this.
	Capacity int
	// Bytes is the byte budget maxmem gets for Capacity entries (what
	// those entries are charged, measured by MaxmemBudget). Zero means
	// unlimited.
	Bytes int64
	// EntryBytes is the typical key+value length, used to size the
	// byte-arena caches (freecache, bigcache) for Capacity entries.
	EntryBytes int
	// TTL, when positive, is the TTL every entry will be written with;
	// caches with one TTL per cache are built with it.
	TTL time.Duration
}

// Factory builds one kind of cache.
type Factory struct {
	// Name is the cache's label.
	Name string
	// TTL tells whether the cache can expire entries at all.
	TTL bool
	// FixedTTL tells whether the TTL is set once per cache rather than
	// per entry.
	FixedTTL bool
	// New builds a cache for cfg.
	New func(cfg Config) Cache
}

// Peers returns the factories of every cache but maxmem, in table order.
func Peers() []Factory {
	return []Factory{
		{Name: "otter", TTL: true, FixedTTL: true, New: newOtter},
		{Name: "ristretto", TTL: true, New: newRistretto},
		{Name: "theine", TTL: true, New: newTheine},
		{Name: "golang-lru", New: newLRU},
		{Name: "lru-expirable", TTL: true, FixedTTL: true, New: newExpirable},
		{Name: "freecache", TTL: true, New: newFreecache},
		{Name: "bigcache", TTL: true, FixedTTL: true, New: newBigcache},
		{Name: "map+mutex", New: newMutexMap},
	}
}

// All returns maxmem's factories (allkeys-lru, then allkeys-tinylfu)
// followed by the peers'.
func All() []Factory {
	return append([]Factory{Maxmem(), MaxmemTinyLFU()}, Peers()...)
}

// Lookup returns the factory called name.
func Lookup(name string) (Factory, bool) {
	for _, f := range All() {
		if f.Name == name {
			return f, true
		}
	}
	return Factory{}, false
}
