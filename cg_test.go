package maxmem

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// BenchmarkInstructions runs Get hits, Set updates and Set inserts that
// evict, each in a loop of its own (opsLoop), with the sweeper stopped and
// the collector off, for counting instructions, which unlike time do not
// depend on what else the machine runs:
//
//	go test -c -o /tmp/mm.test
//	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --toggle-collect='*opsLoop*' \
//		/tmp/mm.test -test.run '^$' -test.bench 'Instructions/get' -test.benchtime 100000x
//
// The instructions per operation are the total over the 100001 calls.
func BenchmarkInstructions(b *testing.B) {
	for _, op := range []string{"get", "set", "insert"} {
		b.Run(op, func(b *testing.B) {
			const resident = 1 << 14
			keys := benchKeys(4 * resident)
			value := make([]byte, 64)
			per := int64(16+16+24+64) + EntryOverhead[string, []byte]()
			c, err := New(Options[string, []byte]{MaxMemory: resident * per, Policy: AllKeysLRU})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			for _, k := range keys[:resident] {
				c.Set(k, value)
			}
			values := [2][]byte{make([]byte, 64), make([]byte, 64)}
			values[1][0] = 1
			c.sweeper.Stop() // nothing else runs while the loop is counted
			c.now()          // the clock's one-time calibration
			runtime.GC()
			defer debug.SetGCPercent(debug.SetGCPercent(-1))
			growStack() // a stack that grows inside the loop would stop the count
			b.ResetTimer()
			opsLoop(c, op, b.N, keys, values)
		})
	}
}

// growStack makes the goroutine's stack large enough for any call the
// loop makes, so that it is not copied while callgrind counts: callgrind
// loses track of the loop when it is.
//
//go:noinline
func growStack() {
	var buf [64 << 10]byte
	runtime.KeepAlive(&buf)
}

// opsLoop runs n operations of one kind.
//
//go:noinline
func opsLoop(c *Cache[string, []byte], op string, n int, keys []string, values [2][]byte) {
	const resident = 1 << 14
	switch op {
	case "get":
		for i := range n {
			c.Get(keys[(i*7)&(resident-1)])
		}
	case "set":
		for i := range n {
			c.Set(keys[(i*7)&(resident-1)], values[(i/resident)&1])
		}
	case "insert":
		for i := range n {
			c.Set(keys[(resident+i)&(4*resident-1)], values[0])
		}
	}
}
