package maxmem

// Refresh-ahead (Options.RefreshAfter): a reload is a flight that
// GetOrLoad callers join; it stores as a load does, keeps the entry if it
// fails, and deletes it if the key is gone (ErrNotFound).

import "context"

// cached returns key's value for GetOrLoad, as Get does; with RefreshAfter
// set, it reads the entry's age under its shard's lock and, when it is
// due, starts a refresh with load.
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
