package shard

// Kind is how a policy finds its victims.
type Kind uint8

// The kinds of policy.
const (
	NoEviction Kind = iota // never evicts
	LRU                    // the least recently used entry, up to an epoch
	LRM                    // the least recently modified entry, up to an epoch
	LFU                    // the least frequently used of sampled entries
	Random                 // an entry chosen uniformly
	TTL                    // the entry closest to its deadline, exactly
	TinyLFU                // the admission layout's choice (internal/tinylfu)
	Custom                 // a Policy's choice, through Config.Victim
)

// Policy is the active policy as the shards see it.
type Policy struct {
	Kind     Kind
	Volatile bool // only entries with a TTL may be evicted
	// Frequency keeps Redis's LFU counter in each entry's access word
	// instead of its recency stamp (LFU, and custom policies that track
	// frequency).
	Frequency bool
	// Modification orders recency by writes only: reads leave it alone
	// (LRM, and custom policies that track modification).
	Modification bool
}

// current returns the active policy.
func (s *Shard) current() *Policy { return s.cfg.Policy.Load() }

// layoutLocked puts the shard in the layout the active policy needs: the
// access words hold LFU counters under a frequency policy and recency
// stamps otherwise, reads leave them alone under a modification policy,
// and allkeys-tinylfu keeps its lists. It rewrites every access word when
// their meaning changes, and builds or drops the lists.
func (s *Shard) layoutLocked() {
	p := s.current()
	if p == s.layout {
		return
	}
	s.layout = p
	s.pool.reset()
	if p.Frequency != s.freq {
		s.freq = p.Frequency
		c := s.clock
		for slot := uint32(1); slot <= s.n; slot++ {
			s.head(slot).storeAccess(s.freshAccess(c))
		}
	}
	if p.Modification != s.lrm {
		s.lrm = p.Modification
		s.rebuildRecencyLocked() // the stamps it orders by changed
	}
	s.switchAdmissionLocked(p.Kind == TinyLFU)
}

// freshAccess returns the access word of an entry written at clock c.
func (s *Shard) freshAccess(c uint32) uint32 {
	if s.freq {
		return lfuWord(lfuInit, s.minutes())
	}
	return c
}

// SetPolicyLocked puts the shard in the active policy's layout, after
// SetPolicy changed it.
func (s *Shard) SetPolicyLocked() { s.layoutLocked() }

var kindNames = [...]string{"noeviction", "lru", "lrm", "lfu", "random", "ttl", "tinylfu", "custom"}

// String names the kind, for tests and messages.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "custom"
}
