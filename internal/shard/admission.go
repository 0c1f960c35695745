package shard

import (
	"cmp"
	"slices"

	"github.com/maxmem/maxmem/internal/tinylfu"
)

// The shard's side of allkeys-tinylfu: the shard's entries are the
// policy's Entries, each entry is charged its node too (EntryChargeLocked),
// and the policy's sketch and judge, sized from the shard's share of the
// budget, are charged to the lease: what the lease cannot take at once
// the shard owes, and the cache evicts to pay it (PayPolicyLocked).

// entries is a locked shard as the policy sees it.
type entries Shard

// Charge returns the charge of the entry at slot.
func (e *entries) Charge(slot uint32) int64 {
	if slot == 0 {
		return 0 // an empty list's front
	}
	return (*Shard)(e).chargeOf(e.slab.head(slot).word)
}

// Hash returns the hash bits of the entry at slot.
func (e *entries) Hash(slot uint32) uint32 { return e.slab.head(slot).Hash() }

// Len returns the entries.
func (e *entries) Len() uint32 { return e.n }

// Nominal returns the shard's share of the budget.
func (e *entries) Nominal() int64 { return e.cfg.Nominal() }

// Rand returns a random number from the shard's source.
func (e *entries) Rand() uint64 { return e.rng.Uint64() }

// switchAdmissionLocked builds the admission layout (on) or drops it,
// keeping the entries' recency order, and adjusts the entries' charges:
// each carries its node under the layout. The lease takes what the nodes
// and the policy's own memory need; when it cannot, the shard owes it
// (see PolicyOwedLocked) and the cache evicts to pay.
func (s *Shard) switchAdmissionLocked(on bool) {
	if on == (s.adm != nil) {
		return
	}
	if !on {
		s.Lease.Release(int64(s.n)*tinylfu.NodeBytes + s.adm.Bytes() - s.owed)
		s.adm, s.owed = nil, 0
		return
	}
	order := make([]uint32, s.n)
	for i := range order {
		order[i] = uint32(i + 1)
	}
	slices.SortFunc(order, func(a, b uint32) int {
		return cmp.Compare(s.recencyRank(s.head(b).written), s.recencyRank(s.head(a).written))
	})
	s.adm = tinylfu.New((*entries)(s))
	s.adm.Adopt(order)
	s.owed = int64(s.n) * tinylfu.NodeBytes // the entries' nodes, charged from now on
	s.chargeOwedLocked()
}

// PolicyOwedLocked returns the bytes the policy needs that the lease could
// not take: the cache evicts the shard's victims until PayPolicyLocked
// succeeds.
func (s *Shard) PolicyOwedLocked() int64 {
	if s.adm == nil {
		return 0
	}
	return s.owed + s.adm.Owed()
}

// PayPolicyLocked takes what the policy owes from the lease and reports
// whether nothing is owed any more.
func (s *Shard) PayPolicyLocked() bool {
	if s.adm == nil {
		return true
	}
	s.chargeOwedLocked()
	if o := s.adm.Owed(); o != 0 && s.Lease.Take(o) {
		s.adm.Grow()
	}
	return s.PolicyOwedLocked() == 0
}

// chargeOwedLocked takes the nodes' bytes owed since a switch, if it can.
func (s *Shard) chargeOwedLocked() {
	if s.owed > 0 && s.Lease.Take(s.owed) {
		s.owed = 0
	}
}

// admittedLocked returns the admission layout's victim, after applying the
// reads recorded since the last drain.
func (s *Shard) admittedLocked() (Victim, bool) {
	s.drainLocked()
	if s.n == 0 {
		return Victim{}, false
	}
	return Victim{Slot: s.adm.Victim(), Rank: 1}, true
}

// SparedLocked reports whether a write to the shard should evict in
// another shard first: a shard holding less than half its share of the
// budget is spared, so that shards whose writes evict in their own shard
// stay near their share whatever the sizes of what they evict, and, under
// allkeys-tinylfu, the policy's duels happen where the entries are.
func (s *Shard) SparedLocked() bool {
	if s.adm != nil {
		return 2*s.adm.Total() < s.cfg.Nominal()
	}
	return 2*s.Lease.Charged() < s.cfg.Nominal()
}

// PolicyBytesLocked returns the memory of the policy's sketch and judge.
func (s *Shard) PolicyBytesLocked() int64 {
	if s.adm == nil {
		return 0
	}
	return s.adm.Bytes()
}
