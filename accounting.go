package maxmem

import (
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"
)

// budget is the one global byte budget shared by all shards.
//
// Invariant: used == Σ charges of resident entries + bytes reserved by writes
// in flight + the policy's own bytes (AllKeysTinyLFU's sketches), and used <= max whenever max > 0 and max has not been lowered
// below used by SetMaxMemory. Every increase goes through tryReserve, which
// refuses to cross max, so no interleaving of goroutines can overshoot.
type budget struct {
	used atomic.Int64
	max  atomic.Int64 // 0: no limit
	peak atomic.Int64 // highest used seen
	// credits are the bytes of evicted entries that writes in flight hold
	// as their credit: counted in used, held by no entry.
	credits atomic.Int64

	// Writers waiting for room (SetWait) hold a channel that is closed the
	// next time bytes are released or the limit rises.
	waiters atomic.Int32
	roomMu  sync.Mutex
	room    chan struct{} // guarded by roomMu; nil until someone waits
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
func (b *budget) release(n int64) {
	if n == 0 {
		return // spares the shared counter's cache line
	}
	b.used.Add(-n)
	if n > 0 && b.waiters.Load() > 0 {
		b.signalRoom()
	}
}

// roomChan returns a channel closed the next time room may have appeared.
// A waiter takes it before its attempt, so no release is missed between the
// attempt failing and the wait starting.
func (b *budget) roomChan() <-chan struct{} {
	b.roomMu.Lock()
	defer b.roomMu.Unlock()
	if b.room == nil {
		b.room = make(chan struct{})
	}
	return b.room
}

// signalRoom wakes every waiter.
func (b *budget) signalRoom() {
	b.roomMu.Lock()
	if b.room != nil {
		close(b.room)
		b.room = nil
	}
	b.roomMu.Unlock()
}

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
// Cache[K, V] beyond what the Sizer reports: its node (recency stamp and
// links, deadline, LFU counter and the word that holds its charge or the
// place of its bytes), its TTL heap slot (charged whether or not it has a
// TTL, so EXPIRE and PERSIST never need memory), its share of the index,
// including the index's average free space, and, in the packed layout
// (string keys with []byte or string values), the first bytes of its
// header in the arena; in the generic layout, any padding around its key
// and value. A test checks this against the heap the runtime reports.
func EntryOverhead[K comparable, V any]() int64 {
	fixed := int64(headBytes + nodeBytes + heapSlot + indexBytes)
	if packed, _ := packedLayout[K, V](); packed {
		return fixed + itemBase
	}
	var (
		p pair[K, V]
		k K
		v V
	)
	return fixed + int64(unsafe.Sizeof(p)) - int64(unsafe.Sizeof(k)) - int64(unsafe.Sizeof(v))
}

// packedLayout reports whether a Cache[K, V] keeps its keys and values in
// arenas: string keys with []byte or string values (of any type with those
// underlying types); and whether the values are strings.
func packedLayout[K comparable, V any]() (packed, stringValues bool) {
	k, v := reflect.TypeFor[K](), reflect.TypeFor[V]()
	if k.Kind() != reflect.String {
		return false, false
	}
	switch {
	case v.Kind() == reflect.String:
		return true, true
	case v.Kind() == reflect.Slice && v.Elem().Kind() == reflect.Uint8:
		return true, false
	}
	return false, false
}

// packedSizer is the built-in sizer of the packed layout: what the key and
// value take in the arena (see packedSize).
func packedSizer[K comparable, V any](stringValues bool) func(K, V) int64 {
	return func(k K, v V) int64 {
		return packedSize(len(keyString(k)), len(valueBytes(v, stringValues)))
	}
}

// heapSlot is the TTL heap's four bytes per entry.
const heapSlot = 4

// indexBytes is the index's share per entry: five bytes per table slot, and
// a table between 7/16 and 7/8 full, about 2/3 on average.
const indexBytes = 5 * 3 / 2
