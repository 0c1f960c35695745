package maxmem

// ComputeOp tells Compute what to do with the value its function returned.
type ComputeOp uint8

// The operations of Compute, as otter names them.
const (
	CancelOp     ComputeOp = iota // leave the entry as it is (absent stays absent)
	WriteOp                       // store the new value
	InvalidateOp                  // remove the entry
)

// Compute is an atomic read-modify-write of one key: fn receives the
// current value and whether the key is present, and returns a new value and
// what to do with it (WriteOp, InvalidateOp or CancelOp). It returns the
// key's value afterwards and whether the key is present.
//
// fn runs with the key's shard locked: it must be quick and must not call
// the cache (that would deadlock). If fn panics the shard is unlocked and
// nothing changes. If another write changes the key between fn's answer
// and the store (the store may have to evict, which is done unlocked), fn
// runs again on the newer value, so fn may run more than once.
//
// WriteOp keeps the key's TTL, as Redis's INCR does; a new key gets none.
// If the new value does not fit, Compute returns the *OOMError and the old
// value, which stays. Compute does not count as a read (no hit or miss).
// A nil fn or an unknown op is an error wrapping ErrInvalidArgument.
func (c *Cache[K, V]) Compute(key K, fn func(old V, found bool) (V, ComputeOp)) (V, bool, error) {
	var zero V
	if fn == nil {
		return zero, false, invalid("Compute: nil function")
	}
	for {
		if c.closed.Load() {
			return zero, false, ErrClosed
		}
		cur, v, op := c.computeOnce(key, fn)
		if op > InvalidateOp {
			return cur.value, cur.found, invalid("Compute: unknown ComputeOp %d", op)
		}
		if op == CancelOp {
			return cur.value, cur.found, nil
		}
		if done, val, ok, err := c.applyCompute(key, cur, v, op); done {
			return val, ok, err
		}
	}
}

// version is what Compute saw of a key: its value, whether it was there,
// and its write stamp, which every write and TTL change renews.
type version[V any] struct {
	value    V
	found    bool
	written  uint32
	expireAt int64
}

// computeOnce runs fn on the key's current version under the shard lock.
func (c *Cache[K, V]) computeOnce(key K, fn func(V, bool) (V, ComputeOp)) (cur version[V], v V, op ComputeOp) {
	var fx effects[K, V]
	defer fx.report(c) // deferred calls run last in, first out: after the unlock
	s, slot, found := c.lockKey(key, &fx)
	defer s.Unlock() // fn may panic
	if found {
		h := s.HeadLocked(slot)
		cur = version[V]{s.value(slot), true, h.Written(), h.ExpireAt()}
	}
	v, op = fn(cur.value, cur.found)
	return cur, v, op
}

// stillAt reports whether the entry at slot of the locked s (if found)
// is still the version cur describes.
func stillAt[K comparable, V any](s *kvShard[K, V], slot uint32, found bool, cur *version[V]) bool {
	return found == cur.found && (!found || s.HeadLocked(slot).Written() == cur.written)
}

// applyCompute carries out op if the key is still at version cur. done is
// false when the key changed meanwhile and fn must run again.
func (c *Cache[K, V]) applyCompute(key K, cur version[V], v V, op ComputeOp) (done bool, val V, ok bool, err error) {
	c.loadInvalidate(key)
	if op == InvalidateOp {
		return c.removeIf(key, &cur), val, false, nil
	}
	changed, err := c.storeIf(key, &cur, v)
	switch {
	case changed:
		return false, val, false, nil
	case err != nil:
		return true, cur.value, cur.found, err
	}
	return true, v, true, nil
}

// removeIf deletes the key if it is still at version cur, and reports
// whether it was (an absent key that is still absent counts).
func (c *Cache[K, V]) removeIf(key K, cur *version[V]) (done bool) {
	var fx effects[K, V]
	s, slot, found := c.lockKey(key, &fx)
	if done = stillAt(s, slot, found, cur); done && found {
		c.drop(s, slot, Deleted, &fx)
	}
	s.Unlock()
	fx.report(c)
	return done
}

// storeIf writes v under key, keeping cur's deadline, if the key is still
// at version cur; changed reports that it was not.
func (c *Cache[K, V]) storeIf(key K, cur *version[V], v V) (changed bool, err error) {
	size, err := c.sizeOf(key, v)
	if err != nil {
		return false, err
	}
	return c.store(key, v, size, cur.expireAt, func(s *kvShard[K, V], slot uint32, found bool) bool {
		return stillAt(s, slot, found, cur)
	})
}
