package maxmem

// Buffered reads
//
// A Get takes its shard's lock in read mode, so reads of one shard run in
// parallel, and everything a read changes is deferred: the access (the
// entry's place in its recency list, its LFU counter, the admission
// layout's sketch and climber, and the keyspace hit itself) is recorded in
// the shard's read buffer. Whoever next takes the lock in write
// mode replays the buffer first (drainLocked), in the order the reads were
// recorded, so every write, expiry and eviction sees every earlier read:
// the LRU stays exact. The reader that fills the buffer replays it itself.
//
// A read takes its recency stamp when it happens, from the clock all
// shards share, so that replays of different shards' buffers, whenever
// they come, order the reads as they were made: the LRU across shards
// stays exact. A recorded read names its entry by slot, which stays valid until the
// replay: entries move between slots only under the lock in write mode,
// and every such section replays the buffer before anything else
// (lockAndDrain), or empties it with the shard (resetLocked). The key hash
// rides along for the admission layout's sketch. A read that finds the
// buffer full while another reader is about to replay it is dropped: the
// one recency update it carried is lost, which only concurrent readers of
// one shard can cause.

import "sync/atomic"

// readBufferSize is how many reads a shard records before one is replayed.
const readBufferSize = 64

// readEvent is one recorded Get: the entry's slot, key hash and the read's
// stamp, or slot 0 for a miss (which only the admission layout's climber
// counts).
type readEvent struct {
	slot  uint32
	hash  uint64
	stamp uint64
}

// readBuffer holds a shard's recorded reads. Readers claim positions with
// an atomic counter while holding the lock in read mode; the buffer is
// replayed and reset with the lock held in write mode.
type readBuffer struct {
	n      atomic.Uint32
	events [readBufferSize]readEvent
}

// record stores a read and reports whether it did (kept) and whether the
// buffer is now full, in which case the caller replays it. A read that
// finds the buffer already full is not kept: the reader that filled it is
// replaying it.
func (b *readBuffer) record(slot uint32, hash, stamp uint64) (kept, full bool) {
	i := b.n.Add(1) - 1
	if i >= readBufferSize {
		return false, false
	}
	b.events[i] = readEvent{slot, hash, stamp}
	return true, i == readBufferSize-1
}

// pending reports whether reads wait to be replayed.
func (b *readBuffer) pending() bool { return b.n.Load() != 0 }

// drainLocked replays the recorded reads; the lock must be held in write
// mode.
func (s *shard[K, V]) drainLocked() {
	n := min(s.reads.n.Load(), readBufferSize)
	if n == 0 {
		return
	}
	p, now := s.c.policy.Load(), int64(0)
	if p.frequency { // the clock is slow to read: only for LFU decay
		now = s.c.now()
	}
	var hits uint64
	for _, ev := range s.reads.events[:n] {
		if ev.slot != 0 {
			hits++
		}
		s.replayLocked(ev, p, now)
	}
	s.hits.Add(hits) // a recorded hit is counted here, one atomic add per replay
	s.reads.n.Store(0)
}

// replayLocked applies one recorded read.
func (s *shard[K, V]) replayLocked(ev readEvent, p *policyState, now int64) {
	hit := ev.slot != 0
	if hit {
		s.touchLocked(ev.slot, ev.stamp, p, now)
	}
	if s.adm != nil {
		s.admRequestLocked(ev.hash, hit)
	}
}

// readsMatter reports whether a Get changes anything under p: always,
// except under an LRM policy that keeps no LFU counters.
func (s *shard[K, V]) readsMatter(p *policyState) bool {
	return !p.modification || p.frequency || s.adm != nil
}

// recordHit records a Get that found key (hashed h) at slot, counting the
// hit now only if the read is not kept for replay, and reports whether the
// caller must replay the buffer.
func (s *shard[K, V]) recordHit(slot uint32, h uint64, p *policyState) (full bool) {
	if s.readsMatter(p) {
		kept, full := s.reads.record(slot, h, recencyNow())
		if kept {
			return full
		}
	}
	s.hits.Add(1)
	return false
}

// recordMiss counts a Get that missed; the admission layout's climber
// counts it too, on replay.
func (s *shard[K, V]) recordMiss(h uint64) (full bool) {
	s.misses.Add(1)
	if s.adm == nil {
		return false
	}
	_, full = s.reads.record(0, h, 0)
	return full
}

// lockAndDrain takes the shard's lock in write mode and replays the
// recorded reads, so what follows sees them.
func (s *shard[K, V]) lockAndDrain() {
	s.mu.Lock()
	s.drainLocked()
}

// drain replays the recorded reads after a reader filled the buffer, if
// the lock is free: a reader never waits for it (a waiting writer would
// hold up every other reader of the shard). While the lock is busy the
// buffer stays full, later reads are not recorded, and the next section
// in write mode replays what it holds.
func (s *shard[K, V]) drain() {
	if s.mu.TryLock() {
		s.drainLocked()
		s.mu.Unlock()
	}
}
