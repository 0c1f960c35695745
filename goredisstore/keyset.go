package goredisstore

// keySet is a set of cache keys, kept small for the common case of one key:
// the one field holds a set of one, and the map takes over from two.
// The zero value is the empty set.
type keySet struct {
	one  string
	has  bool // one is a member
	more map[string]struct{}
}

// add puts k in the set.
func (s *keySet) add(k string) {
	switch {
	case s.more != nil:
		s.more[k] = struct{}{}
	case !s.has:
		s.one, s.has = k, true
	case s.one != k:
		s.more = map[string]struct{}{s.one: {}, k: {}}
		s.one, s.has = "", false
	}
}

// remove takes k out of the set and reports whether the set is now empty.
func (s *keySet) remove(k string) (empty bool) {
	if s.more != nil {
		delete(s.more, k)
		return len(s.more) == 0
	}
	if s.has && s.one == k {
		s.one, s.has = "", false
	}
	return !s.has
}

// keys returns the members, in no order, as a new slice: the caller may
// change the set while it walks them.
func (s *keySet) keys() []string {
	if s.more == nil {
		if s.has {
			return []string{s.one}
		}
		return nil
	}
	ks := make([]string, 0, len(s.more))
	for k := range s.more {
		ks = append(ks, k)
	}
	return ks
}
