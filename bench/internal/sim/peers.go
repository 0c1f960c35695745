package sim

import (
	"fmt"

	"github.com/Yiling-J/theine-go"
	"github.com/dgraph-io/ristretto/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/maypok86/otter/v2"
)

// Spec describes the cache a factory must build.
type Spec struct {
	// Capacity is the bound, in entries or bytes.
	Capacity int64
	// Weighted is true when Capacity is in bytes and requests carry sizes.
	Weighted bool
	// Items estimates how many entries fit at Capacity (Capacity itself for
	// entry-count traces); caches size their frequency sketches by it.
	Items int64
	// Seed seeds caches that take one.
	Seed uint64
}

// Factory builds one kind of cache.
type Factory struct {
	// Name labels the cache in tables and charts.
	Name string
	// Weighted tells whether the cache can bound total size in bytes;
	// caches that only count entries are skipped on weighted traces.
	Weighted bool
	// New builds an empty cache for spec.
	New func(spec Spec) (Cache, error)
}

// The names of the sampled-LRU references: Redis's default
// maxmemory-samples, and the 10 that redis.conf recommends for an
// eviction close to exact LRU.
const (
	RedisLRU5  = "Redis sampled LRU (5 samples)"
	RedisLRU10 = "Redis sampled LRU (10 samples)"
)

// References returns the reference policies of this package: exact LRU,
// Redis's sampled LRU with 5 and with 10 samples, and its sampled LFU.
func References() []Factory {
	return []Factory{
		{Name: "LRU (exact)", Weighted: true, New: func(s Spec) (Cache, error) { return NewLRU(s.Capacity), nil }},
		{Name: RedisLRU5, Weighted: true, New: func(s Spec) (Cache, error) {
			return NewRedis(SampledLRU, s.Capacity, DefaultSamples, s.Seed), nil
		}},
		{Name: RedisLRU10, Weighted: true, New: func(s Spec) (Cache, error) {
			return NewRedis(SampledLRU, s.Capacity, RecommendedSamples, s.Seed), nil
		}},
		{Name: "Redis sampled LFU", Weighted: true, New: func(s Spec) (Cache, error) {
			return NewRedis(SampledLFU, s.Capacity, DefaultSamples, s.Seed), nil
		}},
	}
}

// Peers returns the peer caches: otter, ristretto, theine and golang-lru.
func Peers() []Factory {
	return []Factory{
		{Name: "otter", Weighted: true, New: newOtter},
		{Name: "ristretto", Weighted: true, New: newRistretto},
		{Name: "theine", Weighted: true, New: newTheine},
		{Name: "golang-lru", New: newGolangLRU},
	}
}

// otterCache adapts otter v2. Its maintenance runs on the calling goroutine
// (a synchronous Executor), so evictions happen before Set returns.
type otterCache struct{ c *otter.Cache[uint64, uint32] }

func newOtter(s Spec) (Cache, error) {
	o := &otter.Options[uint64, uint32]{
		Executor: func(fn func()) { fn() },
	}
	if s.Weighted {
		o.MaximumWeight = uint64(s.Capacity)
		o.Weigher = func(_ uint64, size uint32) uint32 { return size }
	} else {
		o.MaximumSize = int(s.Capacity)
	}
	c, err := otter.New(o)
	if err != nil {
		return nil, fmt.Errorf("otter: %w", err)
	}
	return otterCache{c}, nil
}

func (o otterCache) Get(key uint64) bool {
	_, ok := o.c.GetIfPresent(key)
	return ok
}

func (o otterCache) Set(key uint64, size int64) {
	o.c.Set(key, uint32(min(size, 1<<32-1)))
	o.c.CleanUp()
}

func (o otterCache) Close() { o.c.StopAllGoroutines() }

// ristrettoCache adapts ristretto v2: cost is the request size (1 for
// entry-count traces), internal cost is ignored, and every Set is followed
// by Wait so the admission and eviction it triggers happen before the next
// request.
type ristrettoCache struct {
	c *ristretto.Cache[uint64, struct{}]
}

func newRistretto(s Spec) (Cache, error) {
	c, err := ristretto.NewCache(&ristretto.Config[uint64, struct{}]{
		NumCounters:        max(10*s.Items, 100),
		MaxCost:            s.Capacity,
		BufferItems:        64,
		IgnoreInternalCost: true,
	})
	if err != nil {
		return nil, fmt.Errorf("ristretto: %w", err)
	}
	return ristrettoCache{c}, nil
}

func (r ristrettoCache) Get(key uint64) bool {
	_, ok := r.c.Get(key)
	return ok
}

func (r ristrettoCache) Set(key uint64, size int64) {
	r.c.Set(key, struct{}{}, size)
	r.c.Wait()
}

func (r ristrettoCache) Close() { r.c.Close() }

// theineCache adapts theine: cost is the request size and every Set is
// followed by Wait, which flushes theine's write buffer.
type theineCache struct {
	c *theine.Cache[uint64, struct{}]
}

func newTheine(s Spec) (Cache, error) {
	c, err := theine.NewBuilder[uint64, struct{}](s.Capacity).Build()
	if err != nil {
		return nil, fmt.Errorf("theine: %w", err)
	}
	return theineCache{c}, nil
}

func (t theineCache) Get(key uint64) bool {
	_, ok := t.c.Get(key)
	return ok
}

func (t theineCache) Set(key uint64, size int64) {
	t.c.Set(key, struct{}{}, size)
	t.c.Wait()
}

func (t theineCache) Close() { t.c.Close() }

// golangLRU adapts hashicorp/golang-lru v2, an entry-count LRU.
type golangLRU struct{ c *lru.Cache[uint64, struct{}] }

func newGolangLRU(s Spec) (Cache, error) {
	if s.Weighted {
		return nil, fmt.Errorf("golang-lru: cannot bound bytes")
	}
	c, err := lru.New[uint64, struct{}](int(s.Capacity))
	if err != nil {
		return nil, fmt.Errorf("golang-lru: %w", err)
	}
	return golangLRU{c}, nil
}

func (g golangLRU) Get(key uint64) bool {
	_, ok := g.c.Get(key)
	return ok
}

func (g golangLRU) Set(key uint64, _ int64) { g.c.Add(key, struct{}{}) }

func (g golangLRU) Close() {}
