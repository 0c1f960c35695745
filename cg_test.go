package maxmem

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
)

// TestInstructionDriver runs one operation in a loop for instruction
// counting under valgrind --tool=callgrind --toggle-collect=*cgLoop*:
// MAXMEM_CG=op:n, op one of get, set, insert. Skipped without it.
func TestInstructionDriver(t *testing.T) {
	spec := os.Getenv("MAXMEM_CG")
	if spec == "" {
		t.Skip("MAXMEM_CG not set")
	}
	op, ns, _ := cut(spec)
	n, _ := strconv.Atoi(ns)
	const resident = 1 << 14
	keys := benchKeys(4 * resident)
	value := make([]byte, 64)
	per := int64(16+16+24+64) + EntryOverhead[string, []byte]()
	c := mustNew(t, Options[string, []byte]{MaxMemory: resident * per, Policy: AllKeysLRU})
	for _, k := range keys[:resident] {
		c.Set(k, value)
	}
	values := [2][]byte{make([]byte, 64), make([]byte, 64)}
	values[1][0] = 1
	c.sweeper.stop() // nothing else runs while cgLoop is counted
	c.now()          // the clock's one-time calibration
	runtime.GC()
	debug.SetGCPercent(-1)
	cgLoop(c, op, n, keys, values)
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

//go:noinline
func cgLoop(c *Cache[string, []byte], op string, n int, keys []string, values [2][]byte) {
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
