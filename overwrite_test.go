package maxmem

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// heldValue is a value the cache handed out and what it was then.
type heldValue struct {
	got, was []byte
	how      string
}

// hold records v as handed out by how.
func hold(held *[]heldValue, v []byte, how string) {
	*held = append(*held, heldValue{v, bytes.Clone(v), how})
}

// A write of a value as long as the old one may write it over the old
// one's bytes (the packed layout does, when it can), but a value once
// handed out, by Get, All, Compute or OnEvict, never changes: in every
// layout of item, with and without a Sizer.
func TestPackedHandedOutValuesNeverChange(t *testing.T) {
	for _, vlen := range []int{40, 5000, maxSharedBytes + 100} {
		for _, sized := range []bool{false, true} {
			t.Run(fmt.Sprint("value=", vlen, "/sized=", sized), func(t *testing.T) {
				var held []heldValue
				opts := Options[string, []byte]{Shards: 1, OnEvict: func(_ string, v []byte, r Reason) {
					if r == Replaced {
						hold(&held, v, "OnEvict")
					}
				}}
				if sized {
					opts.Sizer = func(k string, v []byte) int64 { return int64(len(k) + len(v)) }
				}
				c := mustNew(t, opts)
				quiet := mustNew(t, Options[string, []byte]{Shards: 1, Sizer: opts.Sizer})
				for round := range 60 {
					value := bytes.Repeat([]byte{byte('a' + round%26)}, vlen)
					for _, c := range []*Cache[string, []byte]{c, quiet} {
						if err := c.Set("k", value); err != nil {
							t.Fatal(err)
						}
						switch round % 4 {
						case 0:
							v, _ := c.Get("k")
							hold(&held, v, "Get")
						case 1:
							for _, v := range c.All() {
								hold(&held, v, "All")
							}
						case 2:
							c.Compute("k", func(old []byte, _ bool) ([]byte, ComputeOp) {
								hold(&held, old, "Compute")
								return nil, CancelOp
							})
						}
					}
					for i, h := range held {
						if !bytes.Equal(h.got, h.was) {
							t.Fatalf("round %d: value %d, handed out by %s, changed from %.8q to %.8q", round, i, h.how, h.was, h.got)
						}
					}
				}
				if v, _ := quiet.Get("k"); v[0] != 'a'+59%26 {
					t.Fatalf("last value reads %.8q", v)
				}
			})
		}
	}
}

// Under readers without the lock, writers that rewrite values of the same
// length, and writers that insert and delete, every value a Get returns is one that was written, whole,
// and stays as it was for as long as the reader keeps it. Under the race
// detector this also proves that a write in place never touches bytes a
// reader was handed.
func TestPackedOverwritesUnderReaders(t *testing.T) {
	c := mustNew(t, Options[string, []byte]{Shards: 2})
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = fmt.Sprint("key", i)
		c.Set(keys[i], bytes.Repeat([]byte{0}, 48))
	}
	const rounds = 5000
	var wg sync.WaitGroup
	wg.Go(func() { // inserts and deletes, so that the heads move to new pages under the readers
		for i := range rounds {
			k := fmt.Sprint("churn", i%3000)
			if i%3000 < 1500 {
				c.Set(k, nil)
			} else {
				c.Delete(fmt.Sprint("churn", i%1500))
			}
		}
	})
	for w := range 2 {
		wg.Go(func() {
			for i := range rounds {
				c.Set(keys[(i*7+w)%len(keys)], bytes.Repeat([]byte{byte(i)}, 48))
			}
		})
	}
	errs := make(chan error, 2)
	for r := range 2 {
		wg.Go(func() {
			var held []heldValue
			for i := range rounds {
				v, ok := c.Get(keys[(i*5+r)%len(keys)])
				if !ok || len(v) != 48 || !bytes.Equal(v, bytes.Repeat(v[:1], 48)) {
					errs <- fmt.Errorf("Get returned %v, %q: not a value that was written", ok, v)
					return
				}
				if held = append(held, heldValue{v, bytes.Clone(v), "Get"}); len(held) == 256 {
					held = held[:0]
				}
				for _, h := range held {
					if !bytes.Equal(h.got, h.was) {
						errs <- fmt.Errorf("a value Get returned changed from %q to %q", h.was, h.got)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkInvariants(t, c)
}
