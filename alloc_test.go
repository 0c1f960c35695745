package maxmem_test

import (
	"fmt"
	"testing"

	"github.com/maxmem/maxmem"
)

// mallocs returns how many heap objects n calls of op allocate, exactly:
// testing.AllocsPerRun divides by its runs in integers, which hides up to
// runs-1 allocations, so it is given one run of all n calls.
func mallocs(n int, op func()) int {
	return int(testing.AllocsPerRun(1, func() {
		for range n {
			op()
		}
	}))
}

// arenaChunk is the least size of an arena chunk, the unit in which the
// packed layout allocates: each chunk is two heap objects (the chunk and
// its bytes), and a chunk is never smaller than this.
const arenaChunk = 1 << 10

// With string keys and []byte values, Get allocates nothing, not once in
// 10,000 calls, hit or miss. Set allocates nothing of its own: only the
// arena's chunks, two objects per chunk, and a chunk holds at least
// arenaChunk / item bytes of items, so n writes of items of that size
// allocate at most 2 * ceil(n / (arenaChunk / item)) objects, plus a few
// for the table that lists the chunks. This holds for an update and for
// an insert that evicts, under the exact LRU and the admission layout.
func TestHotPathsAllocateOnlyArenaChunks(t *testing.T) {
	for _, p := range []maxmem.Policy{maxmem.AllKeysLRU, maxmem.AllKeysTinyLFU} {
		t.Run(p.Name(), func(t *testing.T) { testHotPathAllocs(t, p) })
	}
}

func testHotPathAllocs(t *testing.T, p maxmem.Policy) {
	const n, tableGrowth = 10_000, 8
	keys := make([]string, 512)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i) // 16 bytes
	}
	values := [2][]byte{make([]byte, 64), make([]byte, 64)}
	values[1][0] = 1 // an update writes a value unlike the one it replaces
	c := openCache(t, maxmem.Options[string, []byte]{MaxMemory: 256 * packedCharge(16, 64), Policy: p})
	maxmem.StopSweeper(c) // the count is the whole process's: no other goroutine may run
	for _, k := range keys[:256] {
		if err := c.Set(k, values[0]); err != nil {
			t.Fatal(err)
		}
	}
	perChunk := arenaChunk / (16 + 64 + itemHeader)
	setBound := 2*((n+perChunk-1)/perChunk) + tableGrowth
	i := 0
	for _, tc := range []struct {
		name  string
		op    func()
		bound int
	}{
		{"Get hit", func() { c.Get(keys[i%256]); i++ }, 0},
		{"Get miss", func() { c.Get("absent"); i++ }, 0},
		{"Set update", func() { c.Set(keys[i%256], values[i/256%2]); i++ }, setBound},
		{"Set insert+evict", func() { c.Set(keys[i%512], values[0]); i++ }, setBound}, // the key left 256 writes ago
	} {
		if got := mallocs(n, tc.op); got > tc.bound {
			t.Errorf("%s: %d allocations in %d calls, want at most %d", tc.name, got, n, tc.bound)
		}
	}
}
