package shard

import (
	"time"

	"github.com/maxmem/maxmem/internal/lfu"
)

// Under LFU an entry's access word is Redis's: the minute of its last
// decrement in the high 16 bits and its 8-bit logarithmic counter in the
// low 8.

// lfuInit is the counter of a new entry.
const lfuInit = lfu.Init

// lfuWord packs a counter and its minute.
func lfuWord(counter uint8, minute uint16) uint32 { return uint32(minute)<<8 | uint32(counter) }

// minutes returns the cache clock in minutes, modulo 2^16, as Redis keeps
// them.
func (s *Shard) minutes() uint16 { return uint16(s.cfg.Now() / int64(time.Minute)) }

// counterOf returns the counter of an access word after decay to minute
// now.
func (s *Shard) counterOf(w uint32, now uint16) uint8 {
	return lfu.Decay(uint8(w), uint16(w>>8), now, s.cfg.DecayMinutes)
}

// lfuAccess returns the access word w after one access, with rnd uniform
// in [0, 1): decayed to this minute, then incremented with Redis's
// probability.
func (s *Shard) lfuAccess(w uint32, rnd float64) uint32 {
	now := s.minutes()
	return lfuWord(lfu.Incr(s.counterOf(w, now), s.cfg.LogFactor, rnd), now)
}

// FrequencyLocked returns the LFU counter of the entry at slot after
// decay; 0 when the shard keeps recency instead.
func (s *Shard) FrequencyLocked(slot uint32) uint8 {
	if !s.freq {
		return 0
	}
	return s.counterOf(s.head(slot).loadAccess(), s.minutes())
}

// IdleLocked returns the shard's writes since the entry at slot was last
// accessed, or, where the shard keeps LFU counters or orders by
// modification, since it was last written.
func (s *Shard) IdleLocked(slot uint32) uint32 {
	return s.clock - s.stampOf(s.head(slot))
}
