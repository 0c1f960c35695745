package maxmem

import (
	"cmp"
	"container/heap"
	"slices"
	"time"
)

// KeyUsage is one entry's memory, as BigKeys reports it.
type KeyUsage[K comparable] struct {
	Key   K
	Bytes int64         // bytes charged, overhead included (MemoryUsage)
	TTL   time.Duration // time left, or NoExpiry
}

// bigKeysChunk bounds the slots BigKeys reads under one hold of a shard's
// lock.
const bigKeysChunk = 1024

// BigKeys returns the n largest live entries by bytes charged, largest
// first (redis-cli --memkeys). n <= 0 is an error wrapping
// ErrInvalidArgument.
//
// Cost: it reads every entry once, O(entries × log n) time and O(n)
// memory, and never stops the world: it locks one shard at a time and
// releases the lock every bigKeysChunk entries, so a writer waits at most
// for one chunk. Like SCAN, it tolerates concurrent writes: an entry
// written or moved during the walk may be missed, and an entry's figure is
// the one it had when read. It does not count as an access.
func (c *Cache[K, V]) BigKeys(n int) ([]KeyUsage[K], error) {
	if n <= 0 {
		return nil, invalid("BigKeys: n = %d, want at least 1", n)
	}
	top := &usageHeap[K]{n: n, in: map[K]bool{}}
	for i := range c.shards {
		for from := 1; from > 0; {
			from = c.scanUsage(&c.shards[i], from, top)
		}
	}
	out := top.items
	slices.SortFunc(out, func(a, b KeyUsage[K]) int { return cmp.Compare(b.Bytes, a.Bytes) })
	return out, nil
}

// scanUsage offers the live entries of slots from, from+1, ... of s to top,
// at most bigKeysChunk of them under one lock hold, and returns the slot to
// go on from, or 0 at the end of the shard.
func (c *Cache[K, V]) scanUsage(s *kvShard[K, V], from int, top *usageHeap[K]) int {
	if c.closed.Load() {
		return 0
	}
	now := c.now()
	s.Lock()
	defer s.Unlock()
	n := int(s.LenLocked())
	end := min(n+1, from+bigKeysChunk)
	for slot := uint32(from); slot < uint32(end); slot++ {
		d := s.HeadLocked(slot).ExpireAt()
		if d != 0 && d <= now {
			continue
		}
		ttl := NoExpiry
		if d != 0 {
			ttl = time.Duration(d - now)
		}
		top.offer(KeyUsage[K]{Key: s.key(slot), Bytes: s.ChargeLocked(slot), TTL: ttl})
	}
	if end > n {
		return 0
	}
	return end
}

// usageHeap keeps the n largest usages offered, the smallest on top, and
// each key at most once (a key rewritten during a walk can be offered
// twice; the first figure stays).
type usageHeap[K comparable] struct {
	n     int
	items []KeyUsage[K]
	in    map[K]bool // keys in items
}

func (h *usageHeap[K]) offer(u KeyUsage[K]) {
	switch {
	case h.in[u.Key]:
		return
	case len(h.items) < h.n:
		heap.Push(h, u)
	case u.Bytes > h.items[0].Bytes:
		delete(h.in, h.items[0].Key)
		h.items[0] = u
		h.in[u.Key] = true
		heap.Fix(h, 0)
	}
}

func (h *usageHeap[K]) Len() int           { return len(h.items) }
func (h *usageHeap[K]) Less(i, j int) bool { return h.items[i].Bytes < h.items[j].Bytes }
func (h *usageHeap[K]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }

func (h *usageHeap[K]) Push(x any) {
	u := x.(KeyUsage[K])
	h.items = append(h.items, u)
	h.in[u.Key] = true
}

func (h *usageHeap[K]) Pop() any {
	u := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	delete(h.in, u.Key)
	return u
}
