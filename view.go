package maxmem

import (
	"time"

	"github.com/maxmem/maxmem/internal/shard"
)

// view is a locked shard as a custom Policy sees it, through the Shard
// interface. It is the shard itself under another type, so handing it to
// Victim allocates nothing.
type view shard.Shard

// customVictim asks the active custom Policy for its victim in s, which is
// locked: the shards' Config.Victim.
func (c *Cache[K, V]) customVictim(s *shard.Shard) (shard.Candidate, bool) {
	cand, ok := c.activePolicy().Victim((*view)(s))
	if !ok || cand.Entry.slot == 0 {
		return shard.Candidate{}, false
	}
	return shard.Candidate{Slot: cand.Entry.slot, Hash: cand.Entry.hash, Score: cand.Score}, true
}

func (v *view) shard() *shard.Shard { return (*shard.Shard)(v) }

// Len returns the number of resident entries.
func (v *view) Len() int { return int(v.shard().LenLocked()) }

// Volatile returns the number of entries with a TTL.
func (v *view) Volatile() int { return v.shard().VolatileLocked() }

// Samples returns how many entries this call should look at.
func (v *view) Samples() int { return v.shard().SamplesLocked() }

// Rand returns a random number from the shard's seeded source.
func (v *view) Rand() uint64 { return v.shard().Rand() }

// LeastRecent returns the least recent entry, as allkeys-lru finds it.
func (v *view) LeastRecent(volatile bool) (Entry, bool) {
	slot, ok := v.shard().LeastRecentLocked(volatile)
	return v.entry(slot), ok
}

// SoonestExpiring returns the entry whose deadline comes first.
func (v *view) SoonestExpiring() (Entry, bool) {
	slot, ok := v.shard().SoonestLocked()
	return v.entry(slot), ok
}

// Random returns an entry chosen uniformly.
func (v *view) Random(volatile bool) (Entry, bool) {
	slot, ok := v.shard().RandomLocked(volatile)
	return v.entry(slot), ok
}

// entry describes the entry at slot (none for slot 0).
func (v *view) entry(slot uint32) Entry {
	if slot == 0 {
		return Entry{}
	}
	s := v.shard()
	h := s.HeadLocked(slot)
	e := Entry{
		slot:      slot,
		hash:      h.Hash(),
		rank:      s.RecencyRankLocked(slot),
		deadline:  h.ExpireAt(),
		Size:      s.ChargeLocked(slot),
		Idle:      uint64(s.IdleLocked(slot)),
		Frequency: s.FrequencyLocked(slot),
		TTL:       NoExpiry,
	}
	if e.deadline != 0 {
		e.TTL = time.Duration(e.deadline - s.Now())
	}
	return e
}
