package maxmem

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// incr is a Compute function adding one to a counter.
func incr(old int, _ bool) (int, ComputeOp) { return old + 1, WriteOp }

func TestComputeWritesKeepsTTLAndCancels(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	if v, ok, err := c.Compute("n", incr); v != 1 || !ok || err != nil {
		t.Fatalf("Compute on an absent key = %v, %v, %v", v, ok, err)
	}
	mustSetTTL(t, c, "t", 10, time.Minute)
	if v, ok, err := c.Compute("t", incr); v != 11 || !ok || err != nil || c.TTL("t") != time.Minute {
		t.Fatalf("Compute = %v, %v, %v; TTL %v, want 11 and the TTL kept", v, ok, err, c.TTL("t"))
	}
	cancel := func(old int, found bool) (int, ComputeOp) { return 99, CancelOp }
	if v, ok, _ := c.Compute("t", cancel); v != 11 || !ok {
		t.Fatalf("CancelOp on a present key = %v, %v", v, ok)
	}
	if _, ok, _ := c.Compute("absent", cancel); ok || len(resident(c, "absent")) != 0 {
		t.Fatal("CancelOp created an absent key")
	}
}

func TestComputeInvalidates(t *testing.T) {
	c, _ := newTestCache(t, 10, nil)
	mustSet(t, c, "a", 1)
	drop := func(int, bool) (int, ComputeOp) { return 0, InvalidateOp }
	if _, ok, err := c.Compute("a", drop); ok || err != nil || len(resident(c, "a")) != 0 {
		t.Fatalf("InvalidateOp: present %v, err %v", ok, err)
	}
	if _, ok, err := c.Compute("never", drop); ok || err != nil {
		t.Fatalf("InvalidateOp on an absent key: %v, %v", ok, err)
	}
	checkAccounting(t, c)
}

func TestComputeOOMKeepsOldValue(t *testing.T) {
	c, err := New(Options[string, []byte]{MaxMemory: 1000, Policy: NoEviction})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Set("a", []byte("small")); err != nil {
		t.Fatal(err)
	}
	grow := func(old []byte, _ bool) ([]byte, ComputeOp) { return make([]byte, 950), WriteOp }
	v, ok, err := c.Compute("a", grow)
	var oom *OOMError
	if !errors.As(err, &oom) || oom.Keys != 1 || string(v) != "small" || !ok {
		t.Fatalf("Compute past the budget = %q, %v, %v", v, ok, err)
	}
	if got, _ := c.Get("a"); string(got) != "small" {
		t.Fatalf("old value lost: %q", got)
	}
	if c.Stats().OOMRejections != 1 {
		t.Fatalf("total_oom_errors %d", c.Stats().OOMRejections)
	}
}

func TestComputeEvictsToMakeRoom(t *testing.T) {
	c, _ := newTestCache(t, 2, AllKeysLRU)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	if v, ok, err := c.Compute("c", incr); v != 1 || !ok || err != nil {
		t.Fatalf("Compute on a full cache = %v, %v, %v", v, ok, err)
	}
	if got := resident(c, "a", "b", "c"); len(got) != 2 || got[0] != "b" {
		t.Fatalf("resident %v, want [b c]", got)
	}
	checkAccounting(t, c)
}

func TestComputeConcurrentIncrementsAreAtomic(t *testing.T) {
	c, _ := newTestCache(t, 4, AllKeysLRU)
	const workers, each = 8, 300
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if _, _, err := c.Compute("n", incr); err != nil {
					t.Error(err)
				}
				mustSet(t, c, string(rune('a'+w)), i) // churn: evictions move slots
			}
		})
	}
	wg.Wait()
	// "n" may itself have been evicted by the churn; count what it lost.
	if v, ok := c.Get("n"); ok && v > workers*each {
		t.Fatalf("n = %d, more than %d increments", v, workers*each)
	}
	checkAccounting(t, c)
}

func TestComputeExactCountWithoutEviction(t *testing.T) {
	c, _ := newTestCache(t, 0, nil) // unlimited
	const workers, each = 8, 300
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				c.Compute("n", incr)
			}
		})
	}
	wg.Wait()
	if v, _ := c.Get("n"); v != workers*each {
		t.Fatalf("n = %d, want %d", v, workers*each)
	}
}

func TestComputePanicLeavesCacheUsable(t *testing.T) {
	c, _ := newTestCache(t, 10, nil)
	mustSet(t, c, "a", 1)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		c.Compute("a", func(int, bool) (int, ComputeOp) { panic("boom") })
	}()
	mustSet(t, c, "a", 2) // would deadlock if the shard stayed locked
	if v, _ := c.Get("a"); v != 2 {
		t.Fatalf("a = %d", v)
	}
}

func TestComputeBadInput(t *testing.T) {
	c, _ := newTestCache(t, 10, nil)
	if _, _, err := c.Compute("a", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("Compute(nil) = %v", err)
	}
	bad := func(int, bool) (int, ComputeOp) { return 1, ComputeOp(7) }
	if _, _, err := c.Compute("a", bad); !errors.Is(err, ErrInvalidArgument) || len(resident(c, "a")) != 0 {
		t.Fatalf("Compute with op 7 = %v", err)
	}
	c.Close()
	if _, _, err := c.Compute("a", incr); !errors.Is(err, ErrClosed) {
		t.Fatalf("Compute on a closed cache = %v", err)
	}
}
