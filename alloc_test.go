package maxmem

import (
	"fmt"
	"testing"
)

// Get, Set of an existing key and Set of a new key that evicts allocate
// nothing with string keys and []byte values, under the exact LRU and under
// the admission layout.
func TestHotPathsDoNotAllocate(t *testing.T) {
	for _, p := range []Policy{AllKeysLRU, AllKeysTinyLFU} {
		t.Run(p.Name(), func(t *testing.T) { testHotPathsDoNotAllocate(t, p) })
	}
}

func testHotPathsDoNotAllocate(t *testing.T, p Policy) {
	keys := make([]string, 512)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i)
	}
	value := make([]byte, 64)
	per := packedSize(len(keys[0]), len(value)) + EntryOverhead[string, []byte]()
	c, err := New(Options[string, []byte]{MaxMemory: 256 * per, Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, k := range keys[:256] {
		if err := c.Set(k, value); err != nil {
			t.Fatal(err)
		}
	}
	i := 0
	cases := []struct {
		name string
		op   func()
	}{
		{"Get hit", func() { c.Get(keys[i%256]); i++ }},
		{"Get miss", func() { c.Get("absent"); i++ }},
		{"Set update", func() { c.Set(keys[i%256], value); i++ }},
		{"Set insert+evict", func() { c.Set(keys[i%512], value); i++ }}, // the key went 256 writes ago
	}
	for _, tc := range cases {
		if n := testing.AllocsPerRun(1000, tc.op); n != 0 {
			t.Errorf("%s: %.1f allocations per call, want 0", tc.name, n)
		}
	}
}
