package maxmem_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/maxmem/maxmem"
)

// tinylfuNode is what allkeys-tinylfu charges each entry for its place in
// its lists (AllKeysTinyLFU's doc).
const tinylfuNode = 12

// With string keys and []byte values, Get allocates nothing, not once in
// 10,000 calls, hit or miss. Set allocates nothing of its own, only the
// arena's chunks: in a cache this small (256 entries) compaction cannot
// always free a chunk before the next is needed, so n writes of items of
// b bytes make chunks for at most n b / 2 bytes (measured: 2 B per update,
// 1 to 24 per insert that evicts); under the race detector, which turns
// chunk reuse off, for the chunks written and those compaction fills, 3 n
// b. A larger cache allocates nothing (TestSteadyStateWrites). This holds
// for an update and for an insert that evicts, under LRU and the admission
// layout.
func TestHotPathsAllocateOnlyArenaChunks(t *testing.T) {
	for _, p := range []maxmem.Policy{maxmem.AllKeysLRU, maxmem.AllKeysTinyLFU} {
		t.Run(p.Name(), func(t *testing.T) { testHotPathAllocs(t, p) })
	}
}

// allocated returns how many heap objects and bytes n calls of op
// allocate.
func allocated(n int, op func()) (objects, bytes uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		op()
	}
	runtime.ReadMemStats(&after)
	return after.Mallocs - before.Mallocs, after.TotalAlloc - before.TotalAlloc
}

func testHotPathAllocs(t *testing.T, p maxmem.Policy) {
	const n = 10_000
	keys := make([]string, 512)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i) // 16 bytes
	}
	values := [2][]byte{make([]byte, 64), make([]byte, 64)}
	values[1][0] = 1 // an update writes a value unlike the one it replaces
	per := packedCharge(16, 64)
	if p == maxmem.AllKeysTinyLFU {
		per += tinylfuNode // room for the policy's place of each entry
	}
	c := openCache(t, maxmem.Options[string, []byte]{MaxMemory: 256*per + 4096, Policy: p})
	maxmem.StopSweeper(c) // the count is the whole process's: no other goroutine may run
	for _, k := range keys[:256] {
		if err := c.Set(k, values[0]); err != nil {
			t.Fatal(err)
		}
	}
	item := uint64(16 + 64 + itemHeader)
	bound := n * item / 2 // chunks for half the bytes written: compaction reuses most
	if raceDetector {
		bound = 3 * n * item // no reuse: the chunks written and those compaction fills
	}
	i := 0
	for _, tc := range []struct {
		name  string
		op    func()
		bound uint64 // bytes
	}{
		{"Get hit", func() { c.Get(keys[i%256]); i++ }, 0},
		{"Get miss", func() { c.Get("absent"); i++ }, 0},
		{"Set update", func() { c.Set(keys[i%256], values[i/256%2]); i++ }, bound},
		{"Set insert+evict", func() { c.Set(keys[i%512], values[0]); i++ }, bound}, // the key left 256 writes ago
	} {
		if objects, bytes := allocated(n, tc.op); bytes > tc.bound || tc.bound == 0 && objects > 0 {
			t.Errorf("%s: %d objects, %d bytes in %d calls, want at most %d bytes", tc.name, objects, bytes, n, tc.bound)
		}
	}
}

// In steady state (a full cache of 2^14 entries, 16-byte keys, 64-byte
// values), writes make no garbage: an evicting Set of a new key, a Set
// that rewrites a key, a Delete followed by a Set, and a Set whose entry
// later expires each allocate at most 4 bytes on average, the arena
// reusing the chunks its compaction empties. (Values a Get handed out stay
// the caller's: their chunks are left to the collector, so a workload that
// reads does make garbage, in proportion to the chunks it reads from.)
func TestSteadyStateWrites(t *testing.T) {
	const entries, ops = 1 << 14, 200_000
	keys := make([]string, 8*entries)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i)
	}
	values := [2][]byte{make([]byte, 64), make([]byte, 64)}
	values[1][0] = 1
	clock := maxmem.NewFakeClock()
	for _, tc := range []struct {
		name string
		op   func(c *maxmem.Cache[string, []byte], i int)
	}{
		{"evicting Set", func(c *maxmem.Cache[string, []byte], i int) { c.Set(keys[i%len(keys)], values[0]) }},
		{"update", func(c *maxmem.Cache[string, []byte], i int) { c.Set(keys[i*7919%entries], values[i%2]) }},
		{"Delete and Set", func(c *maxmem.Cache[string, []byte], i int) {
			k := keys[i*7919%entries]
			c.Delete(k)
			c.Set(k, values[i%2])
		}},
		{"expiry", func(c *maxmem.Cache[string, []byte], i int) {
			c.SetWithTTL(keys[i%len(keys)], values[0], time.Second)
			clock.Advance(time.Second / entries) // an entry expires as its turn comes round again
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := openCache(t, maxmem.Options[string, []byte]{MaxMemory: entries * packedCharge(16, 64),
				Policy: maxmem.AllKeysLRU, Clock: clock})
			maxmem.StopSweeper(c)
			i := 0
			for ; i < 4*entries; i++ { // every first entry has left, and compaction has settled
				tc.op(c, i)
			}
			n := ops / raceDivisor
			_, bytes := allocated(n, func() { tc.op(c, i); i++ })
			// Under the race detector the arena does not reuse chunks (see
			// internal/arena's reuse): the bytes are counted there only.
			if per := float64(bytes) / float64(n); per > 4 && !raceDetector {
				t.Errorf("%.1f bytes per operation in steady state, want at most 4", per)
			}
		})
	}
}
