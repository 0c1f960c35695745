package maxmem

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// newBytesCache returns an unlimited cache of []byte values, one shard
// unless shards says otherwise, on a fake clock.
func newBytesCache(t *testing.T, max int64, p Policy, shards int) (*Cache[string, []byte], *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	c, err := New(Options[string, []byte]{MaxMemory: max, Policy: p, Shards: shards, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, clock
}

func TestBigKeysLargestFirstAcrossChunks(t *testing.T) {
	c, clock := newBytesCache(t, 0, nil, 1)
	for i := range 3 * bigKeysChunk { // several lock holds in the one shard
		if err := c.Set(fmt.Sprint("k", i), make([]byte, i%500)); err != nil {
			t.Fatal(err)
		}
	}
	c.SetWithTTL("huge", make([]byte, 5000), time.Minute)
	c.SetWithTTL("gone", make([]byte, 9000), time.Second)
	clock.Advance(2 * time.Second) // "gone" has expired: not listed
	top, err := c.BigKeys(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 3 || top[0].Key != "huge" || top[0].TTL != 58*time.Second || top[1].TTL != NoExpiry {
		t.Fatalf("BigKeys(3) = %+v", top)
	}
	if top[1].Bytes < top[2].Bytes {
		t.Fatalf("BigKeys(3) out of order: %+v", top)
	}
	if n, _ := c.MemoryUsage(top[1].Key); n != top[1].Bytes {
		t.Fatalf("BigKeys says %d bytes for %s, MemoryUsage %d", top[1].Bytes, top[1].Key, n)
	}
}

func TestBigKeysMoreThanResident(t *testing.T) {
	c, _ := newBytesCache(t, 0, nil, 4)
	c.Set("a", make([]byte, 10))
	c.Set("b", make([]byte, 20))
	top, err := c.BigKeys(10)
	if err != nil || len(top) != 2 || top[0].Key != "b" {
		t.Fatalf("BigKeys(10) of 2 keys = %+v, %v", top, err)
	}
}

func TestBigKeysBadInput(t *testing.T) {
	c, _ := newBytesCache(t, 0, nil, 1)
	for _, n := range []int{0, -1} {
		if _, err := c.BigKeys(n); !errors.Is(err, ErrInvalidArgument) {
			t.Fatalf("BigKeys(%d) = %v", n, err)
		}
	}
}

func TestBigKeysUnderConcurrentWrites(t *testing.T) {
	c, _ := newBytesCache(t, 200<<10, AllKeysLRU, 2)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				c.Set(fmt.Sprint("k", i%3000), make([]byte, i%300))
			}
		}
	})
	for range 20 {
		top, err := c.BigKeys(50)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for i, u := range top {
			if seen[u.Key] || (i > 0 && u.Bytes > top[i-1].Bytes) {
				t.Fatalf("BigKeys listed %s twice or out of order: %+v", u.Key, top)
			}
			seen[u.Key] = true
		}
	}
	close(stop)
	wg.Wait()
}
