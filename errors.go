package maxmem

import (
	"errors"
	"fmt"
)

// oomMessage is Redis's reply, byte for byte, when a write cannot get memory.
const oomMessage = "OOM command not allowed when used memory > 'maxmemory'."

// ErrOOM matches every out-of-memory failure: errors.Is(err, ErrOOM) holds for
// each *OOMError a write returns.
var ErrOOM = errors.New(oomMessage)

// ErrClosed is returned by writes to a cache after Close.
var ErrClosed = errors.New("maxmem: cache is closed")

// ErrInvalidTTL is returned by SetWithTTL for a TTL that is not positive or
// whose deadline does not fit in time.Time's range, as Redis answers "invalid
// expire time". Nothing is written.
var ErrInvalidTTL = errors.New("maxmem: invalid expire time")

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
	return fmt.Sprintf("need %d bytes, used_memory %d of maxmemory %d, policy %s freed nothing more",
		e.Need, e.Used, e.Max, e.Policy)
}
