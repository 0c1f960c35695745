package maxmem

// Refresh-ahead (Options.RefreshAfter): a reload is a flight GetOrLoad
// callers join; it stores as a load does, or keeps the entry if it fails.

import "context"

// cached is Get for GetOrLoad; with RefreshAfter it reads the entry's age
// under the lock, and starts a refresh when one is due.
func (c *Cache[K, V]) cached(ctx context.Context, key K, load Loader[K, V]) (v V, ok bool) {
	if c.cfg.RefreshAfter <= 0 {
		return c.Get(key)
	}
	due := false
	ok = c.atKey(key, true, func(s *kvShard[K, V], slot uint32, found bool) (del bool) {
		if !found {
			s.MissLocked() // as Get's
			return false
		}
		s.AccessLocked(slot)
		v = s.value(slot)
		due = c.now()-s.WrittenAtLocked(slot) >= int64(c.cfg.RefreshAfter)
		return false
	})
	if due {
		c.refresh(ctx, key, load)
	}
	return v, ok
}

// refresh reloads key with load in the background unless a load of key
// is in flight. A panic of load is recovered: lead has ended the flight
// (ErrLoaderPanicked) and timed has counted it.
func (c *Cache[K, V]) refresh(ctx context.Context, key K, load Loader[K, V]) {
	f, leader := c.loads.Join(key, false)
	if !leader {
		return
	}
	c.stats.loads.Refreshes.Add(1)
	go func() {
		defer func() { _ = recover() }()
		c.lead(context.WithoutCancel(ctx), key, f, load, true)
	}()
}
