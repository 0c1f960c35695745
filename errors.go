package maxmem

import (
	"errors"
	"fmt"
	"strings"
)

// oomMessage is Redis's reply, byte for byte, when a write cannot get memory.
const oomMessage = "OOM command not allowed when used memory > 'maxmemory'."

// ErrOOM matches every out-of-memory failure: errors.Is(err, ErrOOM) holds for
// each *OOMError a write returns.
var ErrOOM = errors.New(oomMessage)

// ErrClosed is returned by writes to a cache after Close.
var ErrClosed = errors.New("maxmem: cache is closed")

// ErrInvalidTTL is wrapped by the error SetWithTTL, SetWithTTLWait,
// SetArgs and GetEx return for a TTL that is not positive (SetArgs and
// GetEx: negative) or whose deadline does not fit in time.Time's range, as
// Redis answers "invalid expire time"; the error names the TTL. Nothing is
// written.
var ErrInvalidTTL = errors.New("maxmem: invalid expire time")

// ErrFrequencyNotTracked (ObjectFreq's without LFU counters) and
// ErrIdleTimeNotTracked (ObjectIdleTime's under LFU) are Redis's replies.
var (
	ErrFrequencyNotTracked = errors.New("ERR An LFU maxmemory policy is not selected, access frequency not tracked. " + switchNote)
	ErrIdleTimeNotTracked  = errors.New("ERR An LFU maxmemory policy is selected, idle time not tracked. " + switchNote)
)

const switchNote = "Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."

// ErrNegativeSize is returned when a Sizer reports fewer than zero bytes.
var ErrNegativeSize = errors.New("maxmem: Sizer returned a negative size")

// OOMError reports a write that could not get memory: the policy could not
// free enough, or the entry alone is larger than MaxMemory. The key keeps its
// previous value and TTL. Its Error text is exactly Redis's reply.
type OOMError struct {
	Need   int64  // bytes the write needed: the new entry's charge
	Used   int64  // used_memory when the write gave up
	Max    int64  // maxmemory at that moment
	Policy string // maxmemory-policy at that moment
	// TooLarge is set when Need alone exceeds Max: no eviction can help.
	TooLarge bool
	// Keys and KeysWithTTL are the resident entries, and those of them with
	// a TTL, when the write gave up: under a volatile-* policy only the
	// latter can be evicted.
	Keys, KeysWithTTL int64
}

// Error returns Redis's message: OOM command not allowed when used memory > 'maxmemory'.
func (e *OOMError) Error() string { return oomMessage }

// Is makes errors.Is(err, ErrOOM) true.
func (e *OOMError) Is(target error) bool { return target == ErrOOM }

// Detail describes the situation in numbers, for logs.
func (e *OOMError) Detail() string {
	if e.TooLarge {
		return fmt.Sprintf("entry of %d bytes is larger than maxmemory %d", e.Need, e.Max)
	}
	d := fmt.Sprintf("need %d bytes, used_memory %d of maxmemory %d, policy %s freed nothing more",
		e.Need, e.Used, e.Max, e.Policy)
	return d + fmt.Sprintf(", %d keys, %d with a TTL", e.Keys, e.KeysWithTTL)
}

// Hint returns the fix for this refusal in one sentence, as an operator
// would give it: raise maxmemory for an entry that can never fit, switch
// noeviction to an evicting policy, give keys TTLs (or use allkeys-*) under
// a volatile-* policy that found nothing to evict.
func (e *OOMError) Hint() string {
	switch {
	case e.TooLarge:
		return fmt.Sprintf("the entry (%s) is larger than maxmemory (%s): raise MaxMemory above it, or split or shrink the value",
			humanBytes(e.Need), humanBytes(e.Max))
	case e.Policy == NoEviction.Name():
		return "noeviction never evicts: switch to an evicting policy (allkeys-lru for a cache), raise MaxMemory, or delete keys; writers that can wait may use SetWait"
	case strings.HasPrefix(e.Policy, "volatile-"):
		return e.volatileHint()
	}
	return fmt.Sprintf("policy %s found nothing more to evict: raise MaxMemory or delete keys", e.Policy)
}

// volatileHint is Hint under a volatile-* policy, which evicts only keys
// with a TTL.
func (e *OOMError) volatileHint() string {
	alt := allKeysFor(e.Policy)
	if e.KeysWithTTL == 0 {
		return fmt.Sprintf("%s evicts only keys with a TTL and none of the %d keys has one: write cache-like keys with SetWithTTL or Expire, or switch to %s",
			e.Policy, e.Keys, alt)
	}
	return fmt.Sprintf("%s ran out of keys with a TTL to evict: give more keys a TTL, switch to %s, or raise MaxMemory",
		e.Policy, alt)
}

// allKeysFor names the allkeys-* policy closest to a volatile-* one.
func allKeysFor(volatile string) string {
	if volatile == VolatileTTL.Name() {
		return AllKeysLRU.Name()
	}
	return "allkeys-" + strings.TrimPrefix(volatile, "volatile-")
}

// ErrInvalidArgument is wrapped by the errors of calls given a bad
// argument: Options that New refuses, a negative MaxMemory, an unknown
// policy name, a nil context or function, a count that is not positive, a
// fraction outside (0, 1].
var ErrInvalidArgument = errors.New("maxmem: invalid argument")

// invalid returns an error wrapping ErrInvalidArgument.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// newOOMError counts a refused write and describes it completely: the
// budget, the policy, and the keys with and without a TTL. No lock may
// be held.
func (c *Cache[K, V]) newOOMError(charge int64, tooLarge bool) *OOMError {
	e := &OOMError{
		Need:     charge,
		Used:     c.budget.Used(),
		Max:      c.budget.Max(),
		Policy:   c.activePolicy().Name(),
		TooLarge: tooLarge,
	}
	c.stats.refused.add(e)
	c.countKeys(e)
	return e
}

// countKeys fills in the key counts of e, as the shards last published
// them.
func (c *Cache[K, V]) countKeys(e *OOMError) {
	e.Keys, e.KeysWithTTL = 0, 0
	for i := range c.shards {
		e.Keys += c.shards[i].Count()
		e.KeysWithTTL += c.shards[i].Volatile()
	}
}
