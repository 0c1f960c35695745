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

// write stores value under key, evicting the shard's victims until it
// fits, as the cache's write path does, without the harness's model.
func write(s *Shard, key string, hk uint32, value []byte) {
	s.Lock()
	defer s.Unlock()
	size := int64(len(key) + len(value))
	for {
		slot, found := s.FindPackedLocked(key, hk)
		need := s.EntryChargeLocked(size)
		if found {
			need -= s.ChargeLocked(slot)
		}
		if s.Lease.Take(need) {
			if found {
				s.UpdateLocked(slot, s.ReplaceLocked(slot, key, value, size), 0)
			} else {
				s.InsertLocked(hk, s.PutLocked(key, value, size), 0)
			}
			return
		}
		v, _ := s.VictimLocked(0)
		charge, _ := s.RemoveLocked(v.Slot, true)
		s.Lease.Release(charge)
	}
}

func BenchmarkSetUpdate(b *testing.B) {
	h, keys, hashes := benchHarness(b, 1<<24)
	value := make([]byte, 64)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		write(&h.s, keys[i%benchKeys], hashes[i%benchKeys], value)
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
		write(&h.s, k, h.hash(k), value)
	}
}
