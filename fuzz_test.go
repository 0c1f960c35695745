package maxmem

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// refEntry is the reference model's view of one key.
type refEntry struct {
	value    int
	deadline time.Time // zero: no TTL
}

// reference is the simple model the fuzz test checks the cache against: a
// map, a clock and a byte count, under noeviction.
type reference struct {
	m     map[string]refEntry
	now   time.Time
	limit int
}

func (r *reference) live(k string) (refEntry, bool) {
	e, ok := r.m[k]
	if ok && !e.deadline.IsZero() && !r.now.Before(e.deadline) {
		delete(r.m, k)
		return refEntry{}, false
	}
	return e, ok
}

func (r *reference) fits(k string) bool {
	_, ok := r.live(k)
	return ok || len(r.m) < r.limit
}

// FuzzAgainstModel drives random operation sequences through a cache and
// the reference model and checks results and invariants after each step,
// in both layouts: string keys with int values (generic) and with string
// values (packed).
func FuzzAgainstModel(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add([]byte{1, 7, 1, 8, 1, 9, 1, 10, 1, 11, 5, 3, 0, 7})
	f.Fuzz(func(t *testing.T, ops []byte) {
		const limit = 6
		c, clock := newTestCache(t, limit, NoEviction)
		fuzzRun(t, c, clock, limit, ops, func(n int) int { return n }, func(v int) int { return v })

		clock = newFakeClock()
		packed, err := New(Options[string, string]{
			MaxMemory: limit * (unitSize + EntryOverhead[string, string]()),
			Policy:    NoEviction,
			Sizer:     func(string, string) int64 { return unitSize },
			Clock:     clock, Seed: 1, Shards: 8,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer packed.Close()
		fuzzRun(t, packed, clock, limit, ops, strconv.Itoa, func(v string) int { n, _ := strconv.Atoi(v); return n })
	})
}

// fuzzRun replays ops on c, which holds limit entries of unitSize plus
// overhead bytes, and on a fresh model; value and number convert the
// model's values.
func fuzzRun[V any](t *testing.T, c *Cache[string, V], clock *fakeClock, limit int, ops []byte,
	value func(int) V, number func(V) int) {
	per := unitSize + EntryOverhead[string, V]()
	ref := &reference{m: map[string]refEntry{}, now: clock.Now(), limit: limit}
	for i := 0; i+1 < len(ops); i += 2 {
		fuzzStep(t, c, clock, ref, ops[i], ops[i+1], value, number)
		for k := range ref.m {
			ref.live(k) // expire the model's keys as the cache's clock would
		}
		// Expired keys stay charged until reclaimed, so the cache may
		// hold more keys than the model's live ones, never fewer.
		st := c.Stats()
		if st.UsedMemory != st.Keys*per || st.UsedMemory > st.MaxMemory || st.Keys < int64(len(ref.m)) {
			t.Fatalf("step %d: used_memory %d for %d keys, model holds %d", i/2, st.UsedMemory, st.Keys, len(ref.m))
		}
	}
	checkAccounting(t, c)
}

func fuzzStep[V any](t *testing.T, c *Cache[string, V], clock *fakeClock, ref *reference, op, arg byte,
	value func(int) V, number func(V) int) {
	k := fmt.Sprint(arg % 10)
	ttl := time.Duration(arg%4) * time.Second
	switch op % 8 {
	case 0:
		v, ok := c.Get(k)
		e, want := ref.live(k)
		if ok != want || ok && number(v) != e.value {
			t.Fatalf("Get(%s) = %v, %v; model %d, %v", k, v, ok, e.value, want)
		}
	case 1, 2:
		fits := ref.fits(k)
		err := c.Set(k, value(int(arg)))
		if fits != (err == nil) || (!fits && !errors.Is(err, ErrOOM)) {
			t.Fatalf("Set(%s): %v, model fits=%v", k, err, fits)
		}
		if fits {
			ref.m[k] = refEntry{value: int(arg)}
		}
	case 3:
		fits := ref.fits(k)
		err := c.SetWithTTL(k, value(int(arg)), ttl)
		switch {
		case ttl <= 0:
			if !errors.Is(err, ErrInvalidTTL) {
				t.Fatalf("SetWithTTL(%s, %v): %v", k, ttl, err)
			}
		case fits != (err == nil):
			t.Fatalf("SetWithTTL(%s): %v, model fits=%v", k, err, fits)
		case fits:
			ref.m[k] = refEntry{value: int(arg), deadline: ref.now.Add(ttl)}
		}
	case 4:
		_, want := ref.live(k)
		if got := c.Delete(k); got != want {
			t.Fatalf("Delete(%s) = %v, model %v", k, got, want)
		}
		delete(ref.m, k)
	case 5:
		e, want := ref.live(k)
		if got := c.Expire(k, ttl); got != want {
			t.Fatalf("Expire(%s, %v) = %v, model %v", k, ttl, got, want)
		}
		if want && ttl <= 0 {
			delete(ref.m, k)
		} else if want {
			ref.m[k] = refEntry{value: e.value, deadline: ref.now.Add(ttl)}
		}
	case 6:
		e, ok := ref.live(k)
		want := Missing
		switch {
		case ok && e.deadline.IsZero():
			want = NoExpiry
		case ok:
			want = e.deadline.Sub(ref.now)
		}
		if got := c.TTL(k); got != want {
			t.Fatalf("TTL(%s) = %v, model %v", k, got, want)
		}
	case 7:
		d := time.Duration(arg%3) * 500 * time.Millisecond
		clock.Advance(d)
		ref.now = ref.now.Add(d)
		if arg%2 == 0 {
			c.sweep()
		}
	}
}
