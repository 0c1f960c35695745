package maxmem

import (
	"strings"
	"testing"
	"time"
)

func TestMemoryStats(t *testing.T) {
	c, _ := newTestCache(t, 10, VolatileLRU)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	mustSetTTL(t, c, "c", 3, time.Minute)
	c.Delete("b")
	m := c.MemoryStats()
	over := EntryOverhead[string, int]()
	if m.Keys != 2 || m.KeysWithTTL != 1 || m.KeysWithoutTTL != 1 || m.Overhead != 2*over ||
		m.Dataset != 2*unitSize || m.BytesPerKey != unit || m.PeakAllocated != 3*unit || m.OverheadPerKey != over {
		t.Fatalf("MemoryStats = %+v", m)
	}
	out := m.String()
	for _, want := range []string{"peak.allocated:", "keys.count:2\r\n", "keys.with-ttl:1\r\n", "dataset.bytes:200\r\n", "process.heap.inuse:"} {
		if !strings.Contains(out, want) {
			t.Errorf("MEMORY STATS lacks %q:\n%s", want, out)
		}
	}
}
