package maxmem

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maxmem/maxmem/internal/arena"
)

// packedValue is the value the packed tests store under key at version
// i: the key, then i, then padding that varies the length (some values
// are too large to share a chunk).
func packedValue(key string, i int) []byte {
	v := fmt.Appendf(nil, "%s|%d|", key, i)
	pad := i % 97
	if i%501 == 0 {
		pad = maxSharedBytes + i%3000 // a chunk of its own
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
		s.Lock()
		var paid int64 // what the entries are charged for their bytes in the arena
		for slot := uint32(1); slot <= s.LenLocked(); slot++ {
			paid += s.ChargeLocked(slot) - EntryOverhead[K, V]() + arena.ItemBase
		}
		held := s.ArenaBytes()
		s.Unlock()
		if held > paid+arena.MaxChunk {
			t.Errorf("shard %d: arena holds %d bytes, its entries pay for %d", i, held, paid)
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

// Every way an item is laid out in the arena round-trips through writes,
// rewrites, compaction and removal, with and without the lock: short items,
// long lengths, custom sizes, values of maxSharedBytes bytes or more (their own
// chunk, exactly as long as the value), and keys so long that the whole
// item gets a chunk of its own.
func TestPackedLayouts(t *testing.T) {
	shapes := []struct {
		name       string
		klen, vlen int
	}{
		{"short", 10, 40},
		{"long value", 10, 5000},
		{"value of maxSharedBytes", 16, maxSharedBytes},
		{"value of 64 KiB", 16, 64 << 10},
		{"huge key", maxSharedBytes, 10},
		{"huge key and value", maxSharedBytes, 64 << 10},
	}
	for _, sized := range []bool{false, true} {
		for _, sh := range shapes {
			t.Run(fmt.Sprint(sh.name, "/custom=", sized), func(t *testing.T) {
				opts := Options[string, []byte]{Shards: 1}
				if sized {
					opts.Sizer = func(k string, v []byte) int64 { return int64(len(k) + len(v) + 7) }
				}
				c := mustNew(t, opts)
				keys := make([]string, 8)
				for i := range keys {
					keys[i] = strings.Repeat(string(rune('a'+i)), sh.klen)
				}
				value := func(k string, round int) []byte {
					return bytes.Repeat([]byte{k[0], byte(round)}, sh.vlen/2+1)[:sh.vlen]
				}
				for round := range 40 {
					for _, k := range keys {
						if err := c.Set(k, value(k, round)); err != nil {
							t.Fatal(err)
						}
					}
					c.Delete(keys[round%len(keys)])
					c.Set(keys[round%len(keys)], value(keys[round%len(keys)], round))
					for _, k := range keys {
						if got, ok := c.Get(k); !ok || !bytes.Equal(got, value(k, round)) {
							t.Fatalf("round %d: Get of a %d-byte key: %d bytes, %v", round, len(k), len(got), ok)
						}
					}
					checkInvariants(t, c)
				}
				checkArenas(t, c)
				checkAccounting(t, c)
				want := int64(sh.klen+sh.vlen+7) + EntryOverhead[string, []byte]()
				if !sized {
					want = arena.PackedSize(sh.klen, sh.vlen) + EntryOverhead[string, []byte]()
				}
				if got, _ := c.MemoryUsage(keys[0]); got != want {
					t.Fatalf("MemoryUsage %d, want %d", got, want)
				}
			})
		}
	}
}

// A value of maxSharedBytes bytes or more costs the cache no more than its own
// length in whole pages and one shared item: no header pushes it into
// another page.
func TestPackedLargeValueCharge(t *testing.T) {
	for _, vlen := range []int{maxSharedBytes, 64 << 10, 1 << 20} {
		charge := arena.PackedSize(16, vlen)
		if extra := charge - int64(vlen); extra < 0 || extra > 64 {
			t.Errorf("a %d-byte value is charged %d bytes beyond itself", vlen, extra)
		}
	}
}

// Gets without the lock run safely beside Clear, SetMaxMemory and
// SetPolicy, which replace what such a Get reads (run with -race).
func TestPackedReadsUnderClear(t *testing.T) {
	c := mustNew(t, Options[string, []byte]{Policy: AllKeysLRU, Shards: 2})
	var done atomic.Bool
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for i := 0; !done.Load(); i++ {
				k := fmt.Sprint("k", i%100)
				if v, ok := c.Get(k); ok && !bytes.HasPrefix(v, []byte(k)) {
					t.Errorf("Get(%q) = %q", k, v)
					return
				}
			}
		})
	}
	for round := range 200 {
		for i := range 100 {
			k := fmt.Sprint("k", i)
			c.Set(k, append([]byte(k), byte(round)))
		}
		switch round % 3 {
		case 0:
			c.Clear()
		case 1:
			c.SetPolicy(AllKeysTinyLFU)
		case 2:
			c.SetPolicy(AllKeysLRU)
		}
	}
	done.Store(true)
	readers.Wait()
}

// maxSharedBytes is the arena's bound on items that share chunks.
const maxSharedBytes = arena.MaxChunk / 2
