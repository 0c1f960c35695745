package maxmem

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestTouch(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	mustSet(t, c, "a", 1)
	mustSet(t, c, "b", 2)
	if n := c.Touch("a", "nope", "b", "a"); n != 3 {
		t.Fatalf("Touch = %d, want 3", n)
	}
	if st := c.Stats(); st.Hits != 3 || st.Misses != 1 {
		t.Fatalf("hits %d, misses %d; want 3 and 1, as Redis counts TOUCH", st.Hits, st.Misses)
	}
}

func TestExpireTime(t *testing.T) {
	c, clock := newTestCache(t, 10, NoEviction)
	mustSet(t, c, "p", 1)
	mustSetTTL(t, c, "v", 2, time.Minute)
	if at, ok := c.ExpireTime("v"); !ok || !at.Equal(clock.Now().Add(time.Minute)) {
		t.Fatalf("ExpireTime(v) = %v, %v", at, ok)
	}
	if at, ok := c.ExpireTime("p"); !ok || !at.IsZero() {
		t.Fatalf("ExpireTime(p) = %v, %v; want the zero time", at, ok)
	}
	if _, ok := c.ExpireTime("nope"); ok {
		t.Fatal("ExpireTime of a missing key found it")
	}
	if st := c.Stats(); st.Hits != 2 || st.Misses != 1 {
		t.Fatalf("hits %d, misses %d", st.Hits, st.Misses)
	}
}

// RANDOMKEY returns live keys only, removing the expired ones it meets
// (counted and reported as expired), nothing from an empty cache, and
// every key about equally often across shards.
func TestRandomKey(t *testing.T) {
	var log reasonLog
	c, clock := newCmdCache(t, 100, NoEviction, &log)
	if k, ok := c.RandomKey(); ok {
		t.Fatalf("RandomKey of an empty cache = %q", k)
	}
	for i := range 20 {
		mustSetTTL(t, c, fmt.Sprint("gone", i), i, time.Second)
	}
	mustSet(t, c, "live", 1)
	clock.Advance(time.Second)
	for range 10 {
		if k, ok := c.RandomKey(); !ok || k != "live" {
			t.Fatalf("RandomKey = %q, %v; want live", k, ok)
		}
	}
	if got := c.Stats().ExpiredKeys; int(got) != len(log) || got == 0 {
		t.Fatalf("expired_keys %d, OnEvict %v", got, log)
	}
	if st := c.Stats(); st.Hits+st.Misses != 0 {
		t.Fatal("RandomKey counted reads")
	}
	c.sweep()
	c.Delete("live")
	if _, ok := c.RandomKey(); ok {
		t.Fatal("RandomKey found a key in an empty cache")
	}
}

func TestRandomKeyIsUniform(t *testing.T) {
	c := mustNew(t, Options[string, int]{Shards: 8, Seed: 3})
	const keys, draws = 16, 16_000
	for i := range keys {
		if err := c.Set(fmt.Sprint(i), i); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	for range draws {
		k, _ := c.RandomKey()
		seen[k]++
	}
	for k, n := range seen { // expect 1000 each; 5 standard deviations is ±150
		if n < 850 || n > 1150 {
			t.Errorf("key %s drawn %d times of %d, want about %d", k, n, draws, draws/keys)
		}
	}
	if len(seen) != keys {
		t.Errorf("%d keys drawn, want %d", len(seen), keys)
	}
}

func TestObjectFreqAndIdleTime(t *testing.T) {
	c, clock := newTestCache(t, 10, AllKeysLFU)
	mustSet(t, c, "k", 1)
	if f, ok, err := c.ObjectFreq("k"); f != 5 || !ok || err != nil {
		t.Fatalf("OBJECT FREQ of a new key = %d, %v, %v; want Redis's LFU_INIT_VAL 5", f, ok, err)
	}
	c.Get("k")
	if f, _, _ := c.ObjectFreq("k"); f != 6 {
		t.Fatalf("OBJECT FREQ after a read = %d, want 6", f)
	}
	if _, ok, err := c.ObjectFreq("nope"); ok || err != nil {
		t.Fatalf("OBJECT FREQ of a missing key: %v, %v", ok, err)
	}
	if _, ok, err := c.ObjectIdleTime("k"); !ok || err != ErrIdleTimeNotTracked {
		t.Fatalf("OBJECT IDLETIME under LFU: %v, %v", ok, err)
	}
	if err := c.SetPolicy(AllKeysLRU); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.ObjectFreq("k"); !ok || !errors.Is(err, ErrFrequencyNotTracked) {
		t.Fatalf("OBJECT FREQ under LRU: %v, %v", ok, err)
	}
	clock.Advance(time.Minute)
	mustSet(t, c, "other", 2)
	if idle, ok, err := c.ObjectIdleTime("k"); !ok || err != nil || idle < time.Minute || idle > 2*time.Minute {
		t.Fatalf("OBJECT IDLETIME a minute on = %v, %v, %v", idle, ok, err)
	}
	c.Get("k")
	if idle, _, _ := c.ObjectIdleTime("k"); idle >= time.Minute {
		t.Fatalf("OBJECT IDLETIME after a read = %v, want under a minute", idle)
	}
	if st := c.Stats(); st.Hits != 8 || st.Misses != 1 { // every lookup above but the Sets, as Redis counts OBJECT
		t.Fatalf("hits %d, misses %d", st.Hits, st.Misses)
	}
}
