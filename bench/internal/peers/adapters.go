package peers

import (
	"context"
	"time"
	"unsafe"

	"github.com/Yiling-J/theine-go"
	"github.com/allegro/bigcache/v3"
	"github.com/coocood/freecache"
	"github.com/dgraph-io/ristretto/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/maypok86/otter/v2"
)

// headroom is the slack (in quarters) the byte-arena caches get over
// the bytes their Capacity entries need, since their shards fill
// unevenly: 5/4 of the need.
const headroomNum, headroomDen = 5, 4

// otterCache adapts otter v2.
type otterCache struct{ c *otter.Cache[string, []byte] }

func newOtter(cfg Config) Cache {
	o := &otter.Options[string, []byte]{MaximumSize: cfg.Capacity}
	if cfg.TTL > 0 {
		o.ExpiryCalculator = otter.ExpiryWriting[string, []byte](cfg.TTL)
	}
	return otterCache{otter.Must(o)}
}

func (o otterCache) Name() string                               { return "otter" }
func (o otterCache) Get(k string) ([]byte, bool)                { return o.c.GetIfPresent(k) }
func (o otterCache) Set(k string, v []byte)                     { o.c.Set(k, v) }
func (o otterCache) SetTTL(k string, v []byte, _ time.Duration) { o.c.Set(k, v) }
func (o otterCache) Delete(k string)                            { o.c.Invalidate(k) }
func (o otterCache) Len() int                                   { o.c.CleanUp(); return o.c.EstimatedSize() }
func (o otterCache) Close()                                     { o.c.StopAllGoroutines() }

// ristrettoCache adapts ristretto v2, each entry costing 1.
type ristrettoCache struct {
	c *ristretto.Cache[string, []byte]
}

func newRistretto(cfg Config) Cache {
	c, err := ristretto.NewCache(&ristretto.Config[string, []byte]{
		NumCounters:        int64(cfg.Capacity) * 10, // the documented 10x
		MaxCost:            int64(cfg.Capacity),
		BufferItems:        64, // the documented default
		IgnoreInternalCost: true,
	})
	if err != nil {
		panic(err)
	}
	return ristrettoCache{c}
}

func (r ristrettoCache) Name() string                { return "ristretto" }
func (r ristrettoCache) Get(k string) ([]byte, bool) { return r.c.Get(k) }
func (r ristrettoCache) Set(k string, v []byte)      { r.c.Set(k, v, 1) }
func (r ristrettoCache) SetTTL(k string, v []byte, ttl time.Duration) {
	r.c.SetWithTTL(k, v, 1, ttl)
}
func (r ristrettoCache) Delete(k string) { r.c.Del(k) }
func (r ristrettoCache) Close()          { r.c.Close() }

// Len counts the entries after applying the buffered writes.
func (r ristrettoCache) Len() int {
	r.c.Wait()
	n := 0
	r.c.IterValues(func([]byte) bool { n++; return false })
	return n
}

// theineCache adapts theine, each entry costing 1.
type theineCache struct{ c *theine.Cache[string, []byte] }

func newTheine(cfg Config) Cache {
	c, err := theine.NewBuilder[string, []byte](int64(cfg.Capacity)).Build()
	if err != nil {
		panic(err)
	}
	return theineCache{c}
}

func (t theineCache) Name() string                { return "theine" }
func (t theineCache) Get(k string) ([]byte, bool) { return t.c.Get(k) }
func (t theineCache) Set(k string, v []byte)      { t.c.Set(k, v, 1) }
func (t theineCache) SetTTL(k string, v []byte, ttl time.Duration) {
	t.c.SetWithTTL(k, v, 1, ttl)
}
func (t theineCache) Delete(k string) { t.c.Delete(k) }
func (t theineCache) Len() int        { t.c.Wait(); return t.c.Len() }
func (t theineCache) Close()          { t.c.Close() }

// lruCache adapts hashicorp's golang-lru (one mutex over a list).
type lruCache struct{ c *lru.Cache[string, []byte] }

func newLRU(cfg Config) Cache {
	c, err := lru.New[string, []byte](cfg.Capacity)
	if err != nil {
		panic(err)
	}
	return lruCache{c}
}

func (l lruCache) Name() string                               { return "golang-lru" }
func (l lruCache) Get(k string) ([]byte, bool)                { return l.c.Get(k) }
func (l lruCache) Set(k string, v []byte)                     { l.c.Add(k, v) }
func (l lruCache) SetTTL(k string, v []byte, _ time.Duration) { l.c.Add(k, v) }
func (l lruCache) Delete(k string)                            { l.c.Remove(k) }
func (l lruCache) Len() int                                   { return l.c.Len() }
func (l lruCache) Close()                                     {}

// expirableCache adapts golang-lru's expirable LRU, whose TTL is set
// per cache. It has no Close: its cleanup goroutine outlives it.
type expirableCache struct {
	c *expirable.LRU[string, []byte]
}

func newExpirable(cfg Config) Cache {
	return expirableCache{expirable.NewLRU[string, []byte](cfg.Capacity, nil, cfg.TTL)}
}

func (e expirableCache) Name() string                               { return "lru-expirable" }
func (e expirableCache) Get(k string) ([]byte, bool)                { return e.c.Get(k) }
func (e expirableCache) Set(k string, v []byte)                     { e.c.Add(k, v) }
func (e expirableCache) SetTTL(k string, v []byte, _ time.Duration) { e.c.Add(k, v) }
func (e expirableCache) Delete(k string)                            { e.c.Remove(k) }
func (e expirableCache) Len() int                                   { return e.c.Len() }
func (e expirableCache) Close()                                     {}

// freecacheCache adapts freecache. Its arena is sized for Capacity
// entries of EntryBytes plus its 24-byte entry header, with headroom.
type freecacheCache struct{ c *freecache.Cache }

func newFreecache(cfg Config) Cache {
	size := cfg.Capacity * (cfg.EntryBytes + 24) * headroomNum / headroomDen
	return freecacheCache{freecache.NewCache(size)}
}

// bytesOf views a string's bytes without copying; freecache copies keys
// and never keeps the slice it is given.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (f freecacheCache) Name() string { return "freecache" }
func (f freecacheCache) Get(k string) ([]byte, bool) {
	v, err := f.c.Get(bytesOf(k))
	return v, err == nil
}
func (f freecacheCache) Set(k string, v []byte) { _ = f.c.Set(bytesOf(k), v, 0) }
func (f freecacheCache) SetTTL(k string, v []byte, ttl time.Duration) {
	_ = f.c.Set(bytesOf(k), v, int(ttl/time.Second))
}
func (f freecacheCache) Delete(k string) { f.c.Del(bytesOf(k)) }
func (f freecacheCache) Len() int        { return int(f.c.EntryCount()) }
func (f freecacheCache) Close()          {}

// bigcacheCache adapts bigcache, whose TTL (LifeWindow) is per cache.
type bigcacheCache struct{ c *bigcache.BigCache }

// bigcacheHeader is bigcache's per-entry header (timestamp, hash, key
// length) plus the queue's length prefix.
const bigcacheHeader = 8 + 8 + 2 + 2

// forever stands for "no TTL" in bigcache, which treats a zero
// LifeWindow as "expire at once".
const forever = 100 * 365 * 24 * time.Hour

func newBigcache(cfg Config) Cache {
	entry := cfg.EntryBytes + bigcacheHeader
	budget := cfg.Capacity * entry * headroomNum / headroomDen
	life := forever
	if cfg.TTL > 0 {
		life = cfg.TTL
	}
	c, err := bigcache.New(context.Background(), bigcache.Config{
		Shards:             bigcacheShards(budget),
		LifeWindow:         life,
		MaxEntriesInWindow: cfg.Capacity * headroomNum / headroomDen,
		MaxEntrySize:       entry,
		HardMaxCacheSize:   (budget + 1<<20 - 1) >> 20,
	})
	if err != nil {
		panic(err)
	}
	return bigcacheCache{c}
}

// bigcacheShards picks a power of two that leaves each shard at least
// 64 KiB of the budget, at most bigcache's default of 1024.
func bigcacheShards(budget int) int {
	s := 1
	for s < 1024 && budget/(2*s) >= 64<<10 {
		s *= 2
	}
	return s
}

func (b bigcacheCache) Name() string { return "bigcache" }
func (b bigcacheCache) Get(k string) ([]byte, bool) {
	v, err := b.c.Get(k)
	return v, err == nil
}
func (b bigcacheCache) Set(k string, v []byte)                     { _ = b.c.Set(k, v) }
func (b bigcacheCache) SetTTL(k string, v []byte, _ time.Duration) { _ = b.c.Set(k, v) }
func (b bigcacheCache) Delete(k string)                            { _ = b.c.Delete(k) }
func (b bigcacheCache) Len() int                                   { return b.c.Len() }
func (b bigcacheCache) Close()                                     { _ = b.c.Close() }
