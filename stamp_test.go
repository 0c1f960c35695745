package maxmem

import (
	"sync/atomic"
	"testing"
	"time"
)

// Stamps taken one after the other increase, and are never 0.
func TestRecencyClockIncreases(t *testing.T) {
	prev := recencyNow()
	for i := range 100_000 {
		now := recencyNow()
		if now == 0 || now < prev {
			t.Fatalf("stamp %d is %d after %d", i, now, prev)
		}
		prev = now
	}
}

// A write always takes a stamp above its shard's previous ones, even when
// the clock has not moved.
func TestWriteStampsAreDistinct(t *testing.T) {
	var l ledger
	l.lastWrite = recencyNow() + 1<<40 // a clock that lags the shard's last stamp
	first := l.writeStampLocked()
	if second := l.writeStampLocked(); second <= first {
		t.Fatalf("second write stamp %d, first %d", second, first)
	}
}

// BenchmarkStamp compares the ways to take a recency stamp on every
// access, from all cores at once: a shared counter (one cache line every
// core writes), the monotonic clock, and recencyNow.
func BenchmarkStamp(b *testing.B) {
	var counter atomic.Uint64
	var sink atomic.Uint64
	epoch := time.Now()
	for _, bc := range []struct {
		name  string
		stamp func() uint64
	}{
		{"counter", func() uint64 { return counter.Add(1) }},
		{"monotonic", func() uint64 { return uint64(time.Since(epoch)) }},
		{"recencyNow", recencyNow},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				var s uint64
				for pb.Next() {
					s += bc.stamp()
				}
				sink.Add(s)
			})
		})
	}
}
