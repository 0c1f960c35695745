package peers

import (
	"strconv"
	"testing"
	"time"
)

// TestAdapters checks that every adapter stores, finds and misses, with
// and without TTL, and reports a sensible Len.
func TestAdapters(t *testing.T) {
	for _, f := range All() {
		for _, ttl := range []time.Duration{0, time.Hour} {
			if ttl > 0 && !f.TTL {
				continue
			}
			t.Run(f.Name+"/ttl="+ttl.String(), func(t *testing.T) {
				c := f.New(Config{Capacity: 1000, Bytes: 1 << 20, EntryBytes: 20, TTL: ttl})
				defer c.Close()
				for i := 0; i < 100; i++ {
					k, v := "key"+strconv.Itoa(i), []byte("value"+strconv.Itoa(i))
					if ttl > 0 {
						c.SetTTL(k, v, ttl)
					} else {
						c.Set(k, v)
					}
				}
				if n := c.Len(); n < 90 || n > 100 {
					t.Errorf("Len = %d, want about 100", n)
				}
				if _, ok := c.Get("absent"); ok {
					t.Error("Get(absent) hit")
				}
				if v, ok := c.Get("key7"); ok && string(v) != "value7" {
					t.Errorf("Get(key7) = %q", v)
				}
			})
		}
	}
}
