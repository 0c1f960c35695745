package maxmem

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// packedValue is the value the packed tests store under key at version
// i: the key, then i, then padding that varies the length (some values
// are too large to share a chunk).
func packedValue(key string, i int) []byte {
	v := fmt.Appendf(nil, "%s|%d|", key, i)
	pad := i % 97
	if i%501 == 0 {
		pad = maxShared + i%3000 // a chunk of its own
	}
	return append(v, bytes.Repeat([]byte{'x'}, pad)...)
}

// Readers without the lock never see a torn entry: whatever Get returns
// belongs to the key asked for, while writers update, delete, expire and
// evict (which moves entries between slots) and compact the arena, on a
// budget small enough to evict all the time.
func TestPackedReadsUnderWrites(t *testing.T) {
	clock := newFakeClock()
	c := mustNew(t, Options[string, []byte]{MaxMemory: 64 << 10, Policy: AllKeysLRU, Shards: 2, Clock: clock})
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for i := range 4000 {
				k := fmt.Sprint("key", r.IntN(300))
				switch r.IntN(10) {
				case 0, 1, 2, 3:
					if v, ok := c.Get(k); ok && !bytes.HasPrefix(v, []byte(k+"|")) {
						t.Errorf("Get(%q) = %.40q", k, v)
						return
					}
				case 4, 5:
					c.Set(k, packedValue(k, i))
				case 6:
					c.SetWithTTL(k, packedValue(k, i), time.Duration(1+r.IntN(3))*time.Second)
				case 7:
					c.Delete(k)
				case 8:
					clock.Advance(500 * time.Millisecond)
					c.sweep()
				case 9:
					for key, v := range c.All() {
						if !bytes.HasPrefix(v, []byte(key+"|")) {
							t.Errorf("All: %q holds %.40q", key, v)
							return
						}
						break
					}
				}
			}
		})
	}
	wg.Wait()
	checkAccounting(t, c)
	checkArenas(t, c)
}

// A key that stays is always found, while other keys of its shard come and
// go around it: deletes move entries between slots, the index grows,
// shrinks and drops its markers, the arena compacts.
func TestPackedReadsNeverMissAResidentKey(t *testing.T) {
	c := mustNew(t, Options[string, []byte]{Shards: 1})
	for k := range 50 {
		key := fmt.Sprint("stays", k)
		c.Set(key, packedValue(key, k))
	}
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			for i := range 20000 {
				key := fmt.Sprint("churn", (i*7+g)%400)
				if i%3 == 0 {
					c.Delete(key)
				} else {
					c.Set(key, packedValue(key, i))
				}
			}
		})
	}
	for g := range 3 {
		wg.Go(func() {
			for i := range 30000 {
				key := fmt.Sprint("stays", (i+g)%50)
				if v, ok := c.Get(key); !ok || !bytes.HasPrefix(v, []byte(key+"|")) {
					t.Errorf("Get(%q) = %.40q, %v during churn", key, v, ok)
					return
				}
			}
		})
	}
	wg.Wait()
}

// checkArenas verifies that every shard's arena holds no more than its
// entries are charged for it, beyond one chunk of slack.
func checkArenas[K comparable, V any](t *testing.T, c *Cache[K, V]) {
	t.Helper()
	for i := range c.shards {
		s := &c.shards[i]
		s.lockAndDrain()
		a := s.arena
		var items int64
		for slot := uint32(1); slot <= s.n; slot++ {
			w := s.head(slot).word
			_, it := a.parse(w)
			if n := it.end - refOff(w); n != a.length(w) {
				t.Errorf("shard %d slot %d: item of %d bytes, reference says %d", i, slot, n, a.length(w))
			}
			items += int64(it.end - refOff(w))
		}
		live, size, allowed := a.live, a.held(), a.live+a.live/16+maxChunk
		s.unlock()
		if live != items {
			t.Errorf("shard %d: arena counts %d live bytes, its entries hold %d", i, live, items)
		}
		if size > allowed {
			t.Errorf("shard %d: arena holds %d bytes for %d live", i, size, live)
		}
	}
}

// Overwriting keys again and again leaves garbage that compaction keeps
// within the sixteenth each entry is charged for, and the values stay.
func TestPackedCompactionBoundsGarbage(t *testing.T) {
	c := mustNew(t, Options[string, []byte]{Shards: 1})
	for round := range 40 {
		for k := range 500 {
			key := fmt.Sprint("k", k)
			if err := c.Set(key, packedValue(key, round*1000+k)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for k := range 500 {
		key := fmt.Sprint("k", k)
		if v, ok := c.Get(key); !ok || !bytes.Equal(v, packedValue(key, 39*1000+k)) {
			t.Fatalf("Get(%q) = %.40q, %v", key, v, ok)
		}
	}
	checkArenas(t, c)
	checkAccounting(t, c)
}

// A value Get returned stays as it was after its key is rewritten,
// deleted, and its chunk compacted away.
func TestPackedValuesStayValid(t *testing.T) {
	c := mustNew(t, Options[string, []byte]{Shards: 1})
	c.Set("kept", []byte("first value"))
	v, _ := c.Get("kept")
	for i := range 5000 {
		c.Set("kept", packedValue("kept", i))
		c.Set(fmt.Sprint("other", i%50), packedValue("other", i))
	}
	c.Delete("kept")
	if string(v) != "first value" {
		t.Fatalf("a value Get returned changed to %.40q", v)
	}
	if cap(v) != len(v) {
		t.Fatalf("returned slice has spare capacity %d: an append would write into the arena", cap(v)-len(v))
	}
}

// Empty and large values, string values, and custom sizes round-trip.
func TestPackedShapes(t *testing.T) {
	c := mustNew(t, Options[string, []byte]{})
	big := bytes.Repeat([]byte("big"), 100_000)
	for k, v := range map[string][]byte{"": []byte("empty key"), "empty": nil, "big": big} {
		if err := c.Set(k, v); err != nil {
			t.Fatal(err)
		}
		if got, ok := c.Get(k); !ok || !bytes.Equal(got, v) {
			t.Fatalf("Get(%q) = %d bytes, %v; want %d", k, len(got), ok, len(v))
		}
	}
	strs := mustNew(t, Options[string, string]{Sizer: func(k, v string) int64 { return 1000 }})
	want := strings.Repeat("s", 300)
	strs.Set("k", want)
	if got, _ := strs.Get("k"); got != want {
		t.Fatalf("string value came back as %.20q (%d bytes)", got, len(got))
	}
	if n, _ := strs.MemoryUsage("k"); n != 1000+EntryOverhead[string, string]() {
		t.Fatalf("custom-sized MemoryUsage %d, want %d", n, 1000+EntryOverhead[string, string]())
	}
}

// held returns the bytes of all the chunks the arena holds.
func (a *arena) held() int64 {
	var n int64
	if t := a.table.Load(); t != nil {
		for i := range t.c {
			if ch := t.c[i].Load(); ch != nil {
				n += int64(len(ch.data))
			}
		}
	}
	return n
}
