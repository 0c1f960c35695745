package maxmem

import (
	"strings"
	"testing"
)

func TestOOMErrorHints(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  OOMError
		want string
	}{
		{"too large", OOMError{Need: 3 << 20, Max: 1 << 20, Policy: "allkeys-lru", TooLarge: true}, "larger than maxmemory (1.00M)"},
		{"noeviction", OOMError{Policy: "noeviction"}, "switch to an evicting policy"},
		{"volatile, no TTLs", OOMError{Policy: "volatile-lfu", Keys: 7}, "none of the 7 keys has one"},
		{"volatile, TTLs spent", OOMError{Policy: "volatile-lru", Keys: 7, KeysWithTTL: 2}, "ran out of keys with a TTL"},
		{"volatile, not counted", OOMError{Policy: "volatile-random"}, "switch to allkeys-random"},
		{"volatile-ttl", OOMError{Policy: "volatile-ttl"}, "switch to allkeys-lru"},
		{"custom", OOMError{Policy: "allkeys-largest"}, "allkeys-largest found nothing more"},
	} {
		if got := tc.err.Hint(); !strings.Contains(got, tc.want) {
			t.Errorf("%s: Hint() = %q, want it to contain %q", tc.name, got, tc.want)
		}
		if tc.err.Error() != "OOM command not allowed when used memory > 'maxmemory'." {
			t.Errorf("%s: Error() = %q", tc.name, tc.err.Error())
		}
	}
}

func TestNewOOMErrorCountsKeys(t *testing.T) {
	c, _ := newTestCache(t, 3, VolatileLRU)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	mustSetTTL(t, c, "c", 3, 1e9)
	e := c.newOOMError(unit, false)
	if e.Keys != 3 || e.KeysWithTTL != 1 || e.Used != 3*unit || e.Policy != "volatile-lru" {
		t.Fatalf("newOOMError = %+v", *e)
	}
	if c.Stats().OOMRejections != 1 {
		t.Fatalf("total_oom_errors %d, want 1", c.Stats().OOMRejections)
	}
	if !strings.Contains(e.Detail(), "3 keys, 1 with a TTL") {
		t.Fatalf("Detail() = %q", e.Detail())
	}
}
