package maxmem_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/maxmem/maxmem"
)

// With string keys and []byte values, Redis's commands allocate nothing of
// their own, as Get and Set do: SetArgs that rewrites a key with the
// value it holds, GetEx, ExpireIf, ExpireAt, ExpireTime, Touch,
// RandomKey, ObjectFreq, ObjectIdleTime, and GetDel followed by a SetArgs
// NX that puts the key back (its arena item aside), once the TTL heap has
// grown to hold every key. (The cache reads a fake clock here: the system
// clock's calibration allocates 32 bytes once a millisecond, whoever reads
// it, SetWithTTL as well.)
func TestCommandsAllocateNothing(t *testing.T) {
	clock := maxmem.NewFakeClock()
	c := openCache(t, maxmem.Options[string, []byte]{MaxMemory: 1 << 20, Policy: maxmem.AllKeysLRU, Clock: clock})
	maxmem.StopSweeper(c)
	keys := make([]string, 64)
	value := make([]byte, 64)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i)
		if err := c.Set(keys[i], value); err != nil {
			t.Fatal(err)
		}
	}
	at := clock.Now().Add(time.Hour)
	i := 0
	for _, tc := range []struct {
		name  string
		op    func()
		bound uint64 // bytes per call
	}{
		{"SetArgs KEEPTTL", func() { c.SetArgs(keys[i%64], value, maxmem.SetArgs{Cond: maxmem.XX, KeepTTL: true}) }, 0},
		{"SetArgs PXAT", func() { c.SetArgs(keys[i%64], value, maxmem.SetArgs{ExpireAt: at}) }, 0},
		{"GetEx PX", func() { c.GetEx(keys[i%64], maxmem.GetExArgs{TTL: time.Hour}) }, 0},
		{"ExpireIf GT", func() { c.ExpireIf(keys[i%64], time.Duration(i)*time.Second, maxmem.GT) }, 0},
		{"ExpireAt LT", func() { c.ExpireAt(keys[i%64], at, maxmem.LT) }, 0},
		{"ExpireTime", func() { c.ExpireTime(keys[i%64]) }, 0},
		{"Touch", func() { c.Touch(keys[i%64], "absent") }, 0},
		{"RandomKey", func() { c.RandomKey() }, 0},
		{"ObjectIdleTime", func() { c.ObjectIdleTime(keys[i%64]) }, 0},
		{"ObjectFreq", func() { c.ObjectFreq(keys[i%64]) }, 0},
		{"GetDel and SetArgs NX", func() {
			c.GetDel(keys[i%64])
			c.SetArgs(keys[i%64], value, maxmem.SetArgs{Cond: maxmem.NX})
		}, 2 * (16 + 64 + itemHeader)},
	} {
		const n = 2000
		for range n { // the TTL heap and the pages reach their size
			tc.op()
			i++
		}
		objects, bytes := allocated(n, func() { tc.op(); i++ })
		if tc.bound == 0 && objects > 0 || bytes > n*tc.bound {
			t.Errorf("%s: %d objects, %d bytes in %d calls, want at most %d bytes", tc.name, objects, bytes, n, n*tc.bound)
		}
	}
}
