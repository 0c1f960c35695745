package maxmem

import "time"

// The methods below make a locked shard's ledger the read-only Shard view a
// Policy sees. They are called only from Policy.Victim, with the shard's
// lock held and viewNow set.

// Len returns the number of resident entries.
func (l *ledger) Len() int { return int(l.n) }

// Volatile returns the number of entries with a TTL.
func (l *ledger) Volatile() int { return l.ttl.Len() }

// Samples returns how many entries this consultation should sample.
func (l *ledger) Samples() int {
	if l.viewSamples > 0 {
		return l.viewSamples
	}
	return l.samples
}

// Rand returns a random number from the shard's seeded source.
func (l *ledger) Rand() uint64 { return l.rng.Uint64() }

// LeastRecent returns the entry with the oldest recency stamp: the backs of
// the two class lists compared.
func (l *ledger) LeastRecent(volatileOnly bool) (Entry, bool) {
	if slot := l.leastRecent(volatileOnly); slot != 0 {
		return l.entry(slot), true
	}
	return Entry{}, false
}

// leastRecent returns the slot of the entry with the oldest recency stamp
// (among those with a TTL if volatileOnly), 0 if none.
func (l *ledger) leastRecent(volatileOnly bool) uint32 {
	v := l.lists[volatile].back
	if volatileOnly {
		return v
	}
	p := l.lists[persistent].back
	if p == 0 || v != 0 && l.node(v).stamp < l.node(p).stamp {
		return v
	}
	return p
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

// entry describes the entry at slot as of viewNow.
func (l *ledger) entry(slot uint32) Entry {
	n, now := l.node(slot), recencyNow()
	e := Entry{
		slot:      slot,
		stamp:     n.stamp,
		deadline:  l.head(slot).expireAt,
		Size:      l.charge(slot),
		Idle:      now - min(n.stamp, now),
		Frequency: n.freq,
		TTL:       NoExpiry,
	}
	if l.policy.Load().frequency {
		e.Frequency = lfuDecay(n, l.viewNow, l.decayMinutes)
	}
	if e.deadline != 0 {
		if l.viewNow == 0 { // the eviction found no TTL before this one arrived
			l.viewNow = l.base.now()
		}
		e.TTL = time.Duration(e.deadline - l.viewNow)
	}
	return e
}
