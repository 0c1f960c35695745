package peers

import (
	"time"

	"github.com/maxmem/maxmem"
)

// Maxmem returns the factory of maxmem with the allkeys-lru policy,
// bounded by Config.Bytes (unlimited when zero).
func Maxmem() Factory {
	return Factory{Name: "maxmem", TTL: true, New: maxmemWith("maxmem", maxmem.AllKeysLRU)}
}

// MaxmemTinyLFU returns the factory of maxmem with its own policy,
// allkeys-tinylfu, in the same budget.
func MaxmemTinyLFU() Factory {
	return Factory{Name: "maxmem-tinylfu", TTL: true, New: maxmemWith("maxmem-tinylfu", maxmem.AllKeysTinyLFU)}
}

// maxmemCache adapts maxmem.
type maxmemCache struct {
	c    *maxmem.Cache[string, []byte]
	name string
}

// maxmemWith returns the constructor of maxmem under policy p.
func maxmemWith(name string, p maxmem.Policy) func(Config) Cache {
	return func(cfg Config) Cache {
		c, err := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: cfg.Bytes, Policy: p})
		if err != nil {
			panic(err)
		}
		return maxmemCache{c, name}
	}
}

func (m maxmemCache) Name() string                { return m.name }
func (m maxmemCache) Get(k string) ([]byte, bool) { return m.c.Get(k) }
func (m maxmemCache) Set(k string, v []byte)      { _ = m.c.Set(k, v) }
func (m maxmemCache) SetTTL(k string, v []byte, ttl time.Duration) {
	_ = m.c.SetWithTTL(k, v, ttl)
}
func (m maxmemCache) Delete(k string) { m.c.Delete(k) }
func (m maxmemCache) Len() int        { return m.c.Len() }
func (m maxmemCache) Close()          { _ = m.c.Close() }
func (m maxmemCache) Charged() int64  { return m.c.Stats().UsedMemory }

// MaxmemBudget returns the bytes maxmem charges for the given entries:
// it stores them in an unlimited cache and reads Stats().UsedMemory.
// This is the MaxMemory a benchmark gives maxmem for "capacity entries".
func MaxmemBudget(keys []string, values [][]byte) int64 {
	c := maxmemWith("maxmem", maxmem.AllKeysLRU)(Config{}).(maxmemCache)
	defer c.Close()
	for i, k := range keys {
		c.Set(k, values[i])
	}
	return c.Charged()
}
