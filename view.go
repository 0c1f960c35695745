package maxmem

import "time"

// The methods below make a locked shard's ledger the read-only Shard view a
// Policy sees. They are called only from Policy.Victim, with the shard's
// lock held and view set.

// viewState is what a consultation of the policy needs besides the ledger.
type viewState struct {
	now     int64 // the cache clock when the consultation began; 0: not read yet
	samples int   // Samples() for this consultation; 0: the configured number
}

// Len returns the number of resident entries.
func (l *ledger) Len() int { return int(l.n) }

// Volatile returns the number of entries with a TTL.
func (l *ledger) Volatile() int { return l.ttl.Len() }

// Samples returns how many entries this consultation should sample.
func (l *ledger) Samples() int {
	if l.view.samples > 0 {
		return l.view.samples
	}
	return l.samples
}

// Rand returns a random number from the shard's seeded source.
func (l *ledger) Rand() uint64 { return l.rng.Uint64() }

// LeastRecent returns the entry with the oldest recency stamp.
func (l *ledger) LeastRecent(volatileOnly bool) (Entry, bool) {
	if slot := l.leastRecentLocked(volatileOnly); slot != 0 {
		return l.entry(slot), true
	}
	return Entry{}, false
}

// SoonestExpiring returns the entry whose deadline comes first.
func (l *ledger) SoonestExpiring() (Entry, bool) {
	if l.ttl.Len() == 0 {
		return Entry{}, false
	}
	return l.entry(l.ttl.Min()), true
}

// Random returns an entry chosen uniformly: the slab and the heap are dense.
func (l *ledger) Random(volatileOnly bool) (Entry, bool) {
	if volatileOnly {
		if l.ttl.Len() == 0 {
			return Entry{}, false
		}
		return l.entry(l.ttl.At(int(l.rng.Uint64() % uint64(l.ttl.Len())))), true
	}
	n := uint64(l.n)
	if n == 0 {
		return Entry{}, false
	}
	return l.entry(uint32(1 + l.rng.Uint64()%n)), true
}

// entry describes the entry at slot as of the consultation.
func (l *ledger) entry(slot uint32) Entry {
	n, now := l.node(slot), recencyNow()
	stamp := n.getStamp()
	e := Entry{
		slot:      slot,
		hash:      n.hash,
		stamp:     stamp,
		deadline:  l.head(slot).expireAt,
		Size:      l.charge(slot),
		Idle:      now - min(stamp, now),
		Frequency: n.freq,
		TTL:       NoExpiry,
	}
	if l.policy.Load().frequency {
		e.Frequency = lfuDecay(n, l.viewNow(), l.decayMinutes)
	}
	if e.deadline != 0 {
		e.TTL = time.Duration(e.deadline - l.viewNow())
	}
	return e
}

// viewNow returns the cache clock for this consultation, reading it once.
func (l *ledger) viewNow() int64 {
	if l.view.now == 0 {
		l.view.now = l.now()
	}
	return l.view.now
}
