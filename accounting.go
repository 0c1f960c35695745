package maxmem

// Accounting
//
// Every entry is charged what it costs: the Sizer's bytes for its key and
// value plus EntryOverhead, the cache's own bytes per entry. The cache
// holds to one budget, MaxMemory, across all shards, without every write
// touching one shared counter: a shard takes bytes from the budget in
// leases and charges its entries against its lease, under its own lock.
//
// Invariant: reserved == Σ over shards of (charged + lease) + the credit
// of writes in flight, and reserved <= max whenever max > 0 and has not
// been lowered below it by SetMaxMemory. charged is the sum of the
// shard's charges (and its policy's own bytes); used_memory is the sum of
// charged over the shards, so used_memory <= reserved <= MaxMemory.
//
// A write that needs more than its shard's lease draws the difference,
// plus a chunk (leaseChunk) while there is room for it, from reserved with
// a compare-and-swap that never passes max. A removal returns its bytes to
// its shard's lease, and a lease past two chunks gives the excess back
// when the shard is unlocked.
//
// Leases must never make a write evict what would fit: so the first time
// a draw fails, the budget turns tight, every shard's lease is collected
// (collectLeases), and while it stays tight shards keep no lease beyond
// what one write needs. A full cache is tight, and there each write pays
// for itself with what it evicts, in its own shard (the bytes go to its
// lease and straight to the write) or in another (they become the
// write's credit: they stay in reserved, so no other writer can take them,
// until the write locks its own shard again). Either way no write of a
// full cache touches reserved. The budget loosens again once an eighth of
// it is free.

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// budget is the cache-wide half of the accounting.
type budget struct {
	max      atomic.Int64 // 0: no limit
	reserved atomic.Int64 // see the invariant above
	peak     atomic.Int64 // the highest used_memory seen (see notePeak)
	tight    atomic.Bool  // a draw failed: shards keep no leases
	chunk    atomic.Int64 // the lease chunk for the limit and tightness (see setChunk)
	shards   int64
	soonest  atomic.Int64 // no deadline in the cache is earlier (see expiredShard)

	// Writers waiting for room (SetWait) hold a channel that is closed the
	// next time bytes are released or the limit rises.
	waiters atomic.Int32
	roomMu  sync.Mutex
	room    chan struct{} // guarded by roomMu; nil until someone waits
}

// maxLease bounds a shard's lease: a lease is at most 1/leaseShare of the
// budget's share of each shard, and at most maxLease bytes.
const (
	maxLease   = 64 << 10
	leaseShare = 32
)

// lowerSoonest makes d the bound on deadlines if it is earlier.
func (b *budget) lowerSoonest(d int64) {
	for {
		s := b.soonest.Load()
		if d >= s || b.soonest.CompareAndSwap(s, d) {
			return
		}
	}
}

// leaseChunk returns how much a shard draws beyond what a write needs.
func (b *base) leaseChunk() int64 { return b.budget.chunk.Load() }

// setChunk computes the lease chunk after the limit or the tightness
// changed. Small budgets draw nearly nothing extra, so their
// used_memory_peak is exact; large ones draw up to maxLease at a time.
func (b *budget) setChunk() {
	m := b.max.Load()
	switch {
	case m == 0:
		b.chunk.Store(maxLease)
	case b.tight.Load():
		b.chunk.Store(0)
	default:
		b.chunk.Store(min(maxLease, m/(b.shards*leaseShare)))
	}
}

// setLimit sets max and whether the budget is tight.
func (b *budget) setLimit(max int64, tight bool) {
	b.max.Store(max)
	b.tight.Store(tight)
	b.setChunk()
}

// tighten makes the budget tight and reports whether it was not already.
func (b *budget) tighten() bool {
	if b.tight.Load() || !b.tight.CompareAndSwap(false, true) {
		return false
	}
	b.setChunk()
	return true
}

// draw takes n bytes from the budget, plus extra more if there is room for
// them too, and returns what it took; 0 when n does not fit.
func (b *budget) draw(n, extra int64) int64 {
	for {
		r, m := b.reserved.Load(), b.max.Load()
		take := n + extra
		if m > 0 && r+take > m {
			if take = n; r+take > m {
				return 0
			}
		}
		if b.reserved.CompareAndSwap(r, r+take) {
			return take
		}
	}
}

// giveBack returns n bytes to the budget and wakes writers waiting for
// room.
func (b *budget) giveBack(n int64) {
	if n == 0 {
		return
	}
	r := b.reserved.Add(-n)
	if b.tight.Load() && r <= b.max.Load()/8*7 && b.tight.CompareAndSwap(true, false) {
		b.setChunk()
	}
	if b.waiters.Load() > 0 {
		b.signalRoom()
	}
}

// takeLocked charges n more bytes (n may be negative) to the shard, from
// its lease, drawing on the budget when the lease falls short. It reports
// false, changing nothing, when the budget has no room for the shortfall.
func (l *ledger) takeLocked(n int64) bool {
	if n > l.lease {
		got := l.budget.draw(n-l.lease, l.leaseChunk())
		if got == 0 {
			return false
		}
		l.lease += got
		defer l.notePeak()
	}
	l.lease -= n
	l.charged.Add(n)
	return true
}

// releaseLocked uncharges n bytes of a removed entry into the shard's
// lease.
func (l *ledger) releaseLocked(n int64) {
	l.lease += n
	l.charged.Add(-n)
	if l.budget.waiters.Load() > 0 {
		l.budget.signalRoom()
	}
}

// settleLeaseLocked gives back what the lease holds beyond two chunks, as
// the shard is unlocked.
func (l *ledger) settleLeaseLocked() {
	if chunk := l.leaseChunk(); l.lease > 2*chunk {
		l.budget.giveBack(l.lease - chunk)
		l.lease = chunk
	}
}

// handOverLocked uncharges n bytes of an entry evicted for another
// shard's write, which holds them as its credit.
func (l *ledger) handOverLocked(n int64) { l.charged.Add(-n) }

// absorbLocked takes a write's credit into the shard's lease.
func (l *ledger) absorbLocked(credit *int64) {
	l.lease += *credit
	*credit = 0
}

// returnLeaseLocked gives the shard's whole lease back to the budget.
func (l *ledger) returnLeaseLocked() {
	l.budget.giveBack(l.lease)
	l.lease = 0
}

// collectLeases gives every shard's lease back to the budget and reports
// whether that freed anything.
func (c *Cache[K, V]) collectLeases() bool {
	freed := false
	for i := range c.shards {
		s := &c.shards[i]
		s.lock()
		freed = freed || s.lease > 0
		s.returnLeaseLocked()
		s.unlock()
	}
	return freed
}

// used returns used_memory: the bytes charged in every shard.
func (b *base) used() int64 {
	var n int64
	for _, l := range b.ledgers {
		n += l.charged.Load()
	}
	return n
}

// notePeak records used_memory if it is the highest seen. It is called
// whenever a shard draws on the budget, and Stats records what it reads,
// so the peak it keeps is exact to within the shards' leases (exact while
// the budget is tight, or under MaxMemory/32 when it is not).
func (b *base) notePeak() { b.budget.raisePeak(b.used()) }

// raisePeak makes u the peak if it is higher.
func (b *budget) raisePeak(u int64) {
	for {
		p := b.peak.Load()
		if u <= p || b.peak.CompareAndSwap(p, u) {
			return
		}
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

// EntryOverhead returns the bytes the cache charges each entry of a
// Cache[K, V] beyond what the Sizer reports: its head (the word that holds
// its size or the place of its bytes, and its deadline), its node (list
// links, TTL heap position, hash bits, recency stamp, LFU counter), its
// TTL heap slot (charged whether or not it has a TTL, so EXPIRE and
// PERSIST never need memory), its share of the index, including the
// index's average free space, and, in the packed layout (string keys with
// []byte or string values), the two length bytes of its item in the arena;
// in the generic layout, any padding around its key and value. A test
// checks this against the heap the runtime reports.
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
