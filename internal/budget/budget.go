// Package budget keeps a cache's byte budget across its shards without
// every write touching one shared counter: each shard charges its entries
// against a Lease, under its own lock, and a lease draws bytes from the
// Budget, and gives them back, in chunks.
//
// Invariant: reserved == Σ over the leases of (charged + held) + the
// credit of writes in flight (bytes evicted for a write not yet absorbed),
// and reserved <= max whenever max > 0 and SetLimit did not lower it
// below. used (Σ charged) <= reserved, so the charges never pass the
// limit.
//
// A lease that needs more than it holds draws the difference, plus a chunk
// while there is room for it, with a compare-and-swap that never passes
// max. A removal returns its bytes to its lease, and a lease holding more
// than two chunks gives the excess back when its shard is unlocked
// (Settle).
//
// Leases must never make a write evict what would fit: so the first time a
// draw fails, the budget turns tight, every lease is collected, and while
// it stays tight leases hold nothing beyond what one write needs. A full
// cache is tight, and there each write pays for itself with what it
// evicts. The budget loosens again once an eighth of it is free.
package budget

import (
	"sync"
	"sync/atomic"
)

// maxChunk bounds a lease's chunk: at most 1/leaseShare of a shard's share
// of the budget, and at most maxChunk bytes.
const (
	maxChunk   = 64 << 10
	leaseShare = 32
)

// Budget is the cache-wide half of the accounting.
type Budget struct {
	max      atomic.Int64 // 0: no limit
	reserved atomic.Int64 // see the invariant
	peak     atomic.Int64 // the highest used seen (see RaisePeak)
	tight    atomic.Bool  // a draw failed: leases hold nothing extra
	chunk    atomic.Int64 // what a lease draws beyond its need (see setChunk)
	leases   []*Lease

	// Writers waiting for room hold a channel that is closed the next time
	// bytes are released or the limit rises.
	waiters atomic.Int32
	roomMu  sync.Mutex
	room    chan struct{} // guarded by roomMu; nil until someone waits
}

// Lease is one shard's part of the budget. Its methods need the shard's
// lock, but Charged.
type Lease struct {
	b       *Budget
	held    int64        // bytes drawn beyond the charges
	charged atomic.Int64 // bytes charged to the shard's entries and policy
}

// New returns a budget of max bytes (0: no limit) and its leases, one per
// shard.
func New(max int64, shards int) (*Budget, []Lease) {
	b := &Budget{}
	leases := make([]Lease, shards)
	for i := range leases {
		leases[i].b = b
		b.leases = append(b.leases, &leases[i])
	}
	b.SetLimit(max)
	return b, leases
}

// Max returns the limit; 0 means none.
func (b *Budget) Max() int64 { return b.max.Load() }

// Reserved returns the bytes the leases and writes in flight hold.
func (b *Budget) Reserved() int64 { return b.reserved.Load() }

// Used returns the bytes charged in every lease.
func (b *Budget) Used() int64 {
	var n int64
	for _, l := range b.leases {
		n += l.charged.Load()
	}
	return n
}

// Peak returns the highest used seen.
func (b *Budget) Peak() int64 { return b.peak.Load() }

// ResetPeak makes the peak the bytes in use now.
func (b *Budget) ResetPeak() { b.peak.Store(b.Used()) }

// RaisePeak makes u the peak if it is higher. Every draw raises it to
// Used, so the peak is exact to within the leases' chunks (exact while the
// budget is tight).
func (b *Budget) RaisePeak(u int64) {
	for {
		p := b.peak.Load()
		if u <= p || b.peak.CompareAndSwap(p, u) {
			return
		}
	}
}

// SetLimit sets max (0: none). The budget starts tight if what is reserved
// already takes more than seven eighths of it.
func (b *Budget) SetLimit(max int64) {
	b.max.Store(max)
	b.tight.Store(max > 0 && b.reserved.Load() > max/8*7)
	b.setChunk()
	b.SignalRoom() // a raised limit is room for waiting writers
}

// Tight reports whether the budget is tight.
func (b *Budget) Tight() bool { return b.tight.Load() }

// Tighten makes the budget tight and reports whether it was not already:
// the caller then collects the leases (see Collect).
func (b *Budget) Tighten() bool {
	if b.tight.Load() || !b.tight.CompareAndSwap(false, true) {
		return false
	}
	b.setChunk()
	return true
}

// setChunk computes the lease chunk after the limit or the tightness
// changed. Small budgets draw nearly nothing extra, so their peak is
// exact; large ones draw up to maxChunk at a time.
func (b *Budget) setChunk() {
	m := b.max.Load()
	switch {
	case m == 0:
		b.chunk.Store(maxChunk)
	case b.tight.Load():
		b.chunk.Store(0)
	default:
		b.chunk.Store(min(maxChunk, m/(int64(len(b.leases))*leaseShare)))
	}
}

// draw takes n bytes, plus extra more if there is room for them too, and
// returns what it took; 0 when n does not fit.
func (b *Budget) draw(n, extra int64) int64 {
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

// GiveBack returns n bytes to the budget (the credit of a write that
// failed, or a lease's excess) and wakes writers waiting for room.
func (b *Budget) GiveBack(n int64) {
	if n == 0 {
		return
	}
	r := b.reserved.Add(-n)
	if b.tight.Load() && r <= b.max.Load()/8*7 && b.tight.CompareAndSwap(true, false) {
		b.setChunk()
	}
	if b.waiters.Load() > 0 {
		b.SignalRoom()
	}
}

// Take charges n more bytes (n may be negative) to the lease, drawing on
// the budget when the lease falls short. It reports false, changing
// nothing, when the budget has no room for the shortfall.
func (l *Lease) Take(n int64) bool {
	drew := false
	if n > l.held {
		got := l.b.draw(n-l.held, l.b.chunk.Load())
		if got == 0 {
			return false
		}
		l.held, drew = l.held+got, true
	}
	l.held -= n
	l.charged.Add(n)
	if drew {
		l.b.RaisePeak(l.b.Used())
	}
	return true
}

// Release uncharges n bytes of a removed entry into the lease.
func (l *Lease) Release(n int64) {
	l.held += n
	l.charged.Add(-n)
	if l.b.waiters.Load() > 0 {
		l.b.SignalRoom()
	}
}

// HandOver uncharges n bytes of an entry evicted for another shard's
// write and returns them as that write's credit, which stays reserved
// until the write absorbs it into its own lease or gives it back.
func (l *Lease) HandOver(n int64) int64 {
	l.charged.Add(-n)
	return n
}

// Absorb takes a write's credit into the lease.
func (l *Lease) Absorb(credit *int64) {
	l.held += *credit
	*credit = 0
}

// Settle gives back what the lease holds beyond two chunks, as its shard
// is unlocked.
func (l *Lease) Settle() {
	if chunk := l.b.chunk.Load(); l.held > 2*chunk {
		l.b.GiveBack(l.held - chunk)
		l.held = chunk
	}
}

// Return gives the whole lease back and reports whether it held anything.
func (l *Lease) Return() bool {
	n := l.held
	l.b.GiveBack(n)
	l.held = 0
	return n > 0
}

// Charged returns the bytes charged to the lease's shard. It may be read
// without the lock.
func (l *Lease) Charged() int64 { return l.charged.Load() }

// Waiting counts a writer waiting for room (+1) or done waiting (-1).
func (b *Budget) Waiting(delta int32) { b.waiters.Add(delta) }

// Waiters returns the writers waiting for room.
func (b *Budget) Waiters() int32 { return b.waiters.Load() }

// RoomChan returns a channel closed the next time room may have appeared.
// A waiter takes it before its attempt, so no release is missed between
// the attempt failing and the wait starting.
func (b *Budget) RoomChan() <-chan struct{} {
	b.roomMu.Lock()
	defer b.roomMu.Unlock()
	if b.room == nil {
		b.room = make(chan struct{})
	}
	return b.room
}

// SignalRoom wakes every waiter.
func (b *Budget) SignalRoom() {
	b.roomMu.Lock()
	if b.room != nil {
		close(b.room)
		b.room = nil
	}
	b.roomMu.Unlock()
}
