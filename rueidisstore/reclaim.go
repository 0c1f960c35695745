package rueidisstore

// reclaim deletes the entries of the generations this store no longer
// serves (all of them once it is closed), walking the whole cache as SCAN
// does, until no new generation began during its last pass. It runs on its
// own goroutine, at most one per store: a flush or a lost connection returns
// at once, and the walk's cost (one pass over the cache) is paid beside the
// traffic. Entries of an old generation are never served, so the walk only
// gives their memory back sooner than their TTL would.
func (s *store) reclaim() {
	for {
		s.mu.Lock()
		if !s.again {
			s.reclaiming = false
			s.mu.Unlock()
			return
		}
		s.again = false
		live, closed := s.gen.Load(), s.closed.Load()
		s.mu.Unlock()
		s.deleteOlder(live, closed)
	}
}

// deleteOlder deletes this store's entries of generations before live, or
// all of them if closed. Writes after the walk began use live or a later
// generation, so they are never deleted here.
func (s *store) deleteOlder(live uint32, closed bool) {
	for k := range s.cache.All() {
		if id, gen, ok := parseKey(k); ok && id == s.id && (closed || gen < live) {
			s.cache.Delete(k)
		}
	}
}
