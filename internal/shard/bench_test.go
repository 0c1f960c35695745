package shard

import (
	"fmt"
	"testing"
)

// The shard's own costs, without the cache around it: a Get hit without
// the lock, a rewrite of a resident key (in place, nobody was handed its
// value), and a write of a new key that evicts one, as the cache's write
// path drives them.

const benchKeys = 10_000

// benchHarness returns a harness of n keys of 16 bytes with 64-byte
// values under LRU, in a budget that holds them with room to spare, and
// their hashes.
func benchHarness(b *testing.B, budget int64) (*harness, []string, []uint32) {
	h := newHarness(b, Policy{Kind: LRU}, budget)
	keys, hashes := make([]string, benchKeys), make([]uint32, benchKeys)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%012d", i)
		hashes[i] = h.hash(keys[i])
		if !h.set(keys[i], string(make([]byte, 64)), 0) {
			b.Fatal("the budget does not hold the keys")
		}
	}
	return h, keys, hashes
}

func BenchmarkGetHit(b *testing.B) {
	h, keys, hashes := benchHarness(b, 1<<24)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok, _ := h.s.Get(keys[i%benchKeys], hashes[i%benchKeys]); !ok {
			b.Fatal("miss")
		}
	}
}

// noEviction is an eviction callback that keeps no record.
func noEviction(uint32) {}

func BenchmarkSetUpdate(b *testing.B) {
	h, keys, hashes := benchHarness(b, 1<<24)
	value := make([]byte, 64)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		write(&h.s, keys[i%benchKeys], hashes[i%benchKeys], value, 0, noEviction)
	}
}

func BenchmarkSetInsertEvict(b *testing.B) {
	h, _, _ := benchHarness(b, 1<<20) // about 7,000 of the keys fit
	value := make([]byte, 64)
	fresh := make([]string, 1<<16)
	for i := range fresh {
		fresh[i] = fmt.Sprintf("new-%012d", i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := fresh[i%len(fresh)]
		write(&h.s, k, h.hash(k), value, 0, noEviction)
	}
}
