package maxmem

import (
	"sync/atomic"
	"unsafe"

	"github.com/maxmem/maxmem/internal/list"
)

// budget is the one global byte budget shared by all shards.
//
// Invariant: used == Σ charges of resident entries + bytes reserved by writes
// in flight, and used <= max whenever max > 0 and max has not been lowered
// below used by SetMaxMemory. Every increase goes through tryReserve, which
// refuses to cross max, so no interleaving of goroutines can overshoot.
type budget struct {
	used atomic.Int64
	max  atomic.Int64 // 0: no limit
	peak atomic.Int64 // highest used seen
}

// tryReserve adds n bytes to used if that keeps used within max.
func (b *budget) tryReserve(n int64) bool {
	for {
		u, m := b.used.Load(), b.max.Load()
		if m > 0 && u+n > m {
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			b.notePeak(u + n)
			return true
		}
	}
}

// release returns n reserved or charged bytes.
func (b *budget) release(n int64) { b.used.Add(-n) }

// over reports how far used is above max (0 when within it or unlimited).
func (b *budget) over() int64 {
	u, m := b.used.Load(), b.max.Load()
	if m == 0 || u <= m {
		return 0
	}
	return u - m
}

func (b *budget) notePeak(u int64) {
	for {
		p := b.peak.Load()
		if u <= p || b.peak.CompareAndSwap(p, u) {
			return
		}
	}
}

// EntryOverhead returns the bytes the cache charges each entry of a
// Cache[K, V] beyond what the Sizer reports: its metadata, its links in the
// LRU and LRM lists, its TTL heap slot (charged whether or not it has a TTL,
// so EXPIRE and PERSIST never need memory), and its share of the index,
// including the index's average free space. A test checks this against the
// heap the runtime reports.
func EntryOverhead[K comparable, V any]() int64 {
	var (
		m    meta
		node list.Node
		slot struct {
			k K
			v uint32
		}
	)
	// The built-in map keeps 8 slots and 8 control bytes per group and
	// grows when 7/8 full, so on average a table is about 2/3 full.
	index := (int64(unsafe.Sizeof(slot)) + 1) * 3 / 2
	return int64(unsafe.Sizeof(m)) + 2*int64(unsafe.Sizeof(node)) + 4 + index
}
