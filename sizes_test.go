package maxmem_test

// What an entry is charged, from two sources other than the code that
// computes it: first principles (the documented size of each part of an
// entry, stated here) and the heap the runtime reports.

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/maxmem/maxmem"
)

// The per-entry overhead, part by part, as CONTRIBUTING.md and the doc comment of
// EntryOverhead describe it. A core that changes its layout changes these
// figures here, deliberately; TestChargeMatchesHeap checks them against the
// heap whatever they are.
const (
	// headBytes is the entry's head: its word (size or arena place), its
	// deadline, its access and write stamps, its hash bits and its place in
	// the TTL heap.
	headBytes  = 32
	linkBytes  = 8 // the entry's two links in its recency bucket
	heapBytes  = 4 // the entry's TTL heap slot, charged with or without a TTL
	indexBytes = 7 // 5 bytes a table slot, the table 2/3 full on average
	// genericOverhead is the overhead of an entry kept as Go values whose
	// pair of key and value has no padding.
	genericOverhead = headBytes + linkBytes + heapBytes + indexBytes
	// itemHeader is the arena header of a packed entry with a key under 64
	// bytes and a value under 128: two one-byte lengths.
	itemHeader = 2
	// packedOverhead is EntryOverhead of the packed layout.
	packedOverhead = genericOverhead + itemHeader
)

// packedCharge is the charge of a packed entry with a key of k bytes and a
// value of v bytes (k < 64, v < 128): the overhead, the key and value, and
// a sixteenth of the item, rounded up, for the arena's slack.
func packedCharge(k, v int) int64 {
	return int64(packedOverhead + k + v + (k+v+itemHeader+15)/16)
}

// EntryOverhead is the sum of the documented parts, in each layout.
func TestEntryOverheadFromItsParts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want int64
	}{
		{"string, []byte", maxmem.EntryOverhead[string, []byte](), packedOverhead},
		{"string, string", maxmem.EntryOverhead[string, string](), packedOverhead},
		{"string, int", maxmem.EntryOverhead[string, int](), genericOverhead},
		{"uint64, []byte", maxmem.EntryOverhead[uint64, []byte](), genericOverhead},
		{"int32, int64", maxmem.EntryOverhead[int32, int64](), genericOverhead + 4}, // padding after the key
	} {
		if tc.got != tc.want {
			t.Errorf("EntryOverhead[%s] = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

// A packed entry is charged its key and value, its overhead, and the
// arena's sixteenth: MemoryUsage says so, and used_memory grows by it.
func TestPackedChargeFromFirstPrinciples(t *testing.T) {
	c := openCache(t, maxmem.Options[string, []byte]{})
	var used int64
	for i, k := range []int{2, 16, 63} {
		for j, v := range []int{0, 1, 15, 64, 127} {
			key := fmt.Sprintf("%0*d", k, 10*i+j) // unique, k bytes
			if err := c.Set(key, make([]byte, v)); err != nil {
				t.Fatal(err)
			}
			want := packedCharge(k, v)
			if got, _ := c.MemoryUsage(key); got != want {
				t.Errorf("key %d bytes, value %d: MemoryUsage %d, want %d", k, v, got, want)
			}
			now := c.Stats().UsedMemory
			if now-used != want {
				t.Errorf("key %d bytes, value %d: used_memory grew by %d, want %d", k, v, now-used, want)
			}
			used = now
		}
	}
}

// A value too large to share a chunk of the arena gets an allocation of its
// own, which the runtime rounds up to 8 KiB pages; the charge covers the
// entry's bytes and overhead, and no more than a page beyond.
func TestPackedChargeOfLargeValues(t *testing.T) {
	c := openCache(t, maxmem.Options[string, []byte]{})
	for _, v := range []int{32 << 10, 64 << 10, 1 << 20} {
		key := fmt.Sprint("large", v)
		if err := c.Set(key, make([]byte, v)); err != nil {
			t.Fatal(err)
		}
		least := int64(packedOverhead + len(key) + v)
		if got, _ := c.MemoryUsage(key); got < least || got > least+8<<10 {
			t.Errorf("value of %d bytes: MemoryUsage %d, want %d to %d", v, got, least, least+8<<10)
		}
	}
}

// A generic entry is charged what the built-in sizer measures (the
// key's and value's own bytes, plus what strings and slices reach) and
// the overhead.
func TestGenericChargeFromFirstPrinciples(t *testing.T) {
	strs := openCache(t, maxmem.Options[string, int]{})
	strs.Set("twelve bytes", 1)
	if got, want := usage(strs, "twelve bytes"), int64(16+12+8+genericOverhead); got != want {
		t.Errorf("Cache[string, int]: MemoryUsage %d, want %d", got, want)
	}
	ids := openCache(t, maxmem.Options[uint64, []byte]{})
	ids.Set(7, make([]byte, 100, 128))
	if got, want := usage(ids, 7), int64(8+24+128+genericOverhead); got != want {
		t.Errorf("Cache[uint64, []byte]: MemoryUsage %d, want %d (the slice's capacity counts)", got, want)
	}
	if st := ids.Stats(); st.UsedMemory != usage(ids, 7) {
		t.Errorf("used_memory %d, MemoryUsage %d", st.UsedMemory, usage(ids, 7))
	}
}

func usage[K comparable, V any](c *maxmem.Cache[K, V], k K) int64 {
	n, _ := c.MemoryUsage(k)
	return n
}

// What the cache charges is what it holds: for entries of 16-byte keys
// and values of every size class, with and without TTL, used_memory is
// within 10 % of the heap the entries take, and for small values, where
// the overhead is most of the charge, so is the charge beyond the key and
// value (EntryOverhead and the arena's slack) of the heap each entry takes
// beyond them. Under the race detector, which
// makes each write ten times slower, only the cases without TTL of 0 and
// 64-byte values and of 64 KiB run. The keys are made before the first
// reading and kept alive after the second, so that only the cache's own
// copies count.
func TestChargeMatchesHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("fills caches of 100,000 entries; TestPackedChargeFromFirstPrinciples checks the overhead cheaply")
	}
	for _, tc := range []struct{ n, value int }{
		{100_000, 0}, {100_000, 16}, {100_000, 64}, {100_000, 1024}, {1_000, 64 << 10},
	} {
		for _, ttl := range []bool{false, true} {
			if raceDetector && (ttl || tc.value == 16 || tc.value == 1024) {
				continue // the detector makes each write ten times slower: a third of the cases
			}
			t.Run(fmt.Sprintf("%dx%dB/ttl=%v", tc.n, tc.value, ttl), func(t *testing.T) {
				checkHeap(t, tc.n, tc.value, ttl)
			})
		}
	}
}

func checkHeap(t *testing.T, n, size int, ttl bool) {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%012d", i)
	}
	value := make([]byte, size)
	before := maxmem.LiveHeap()
	c, err := maxmem.New(maxmem.Options[string, []byte]{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, k := range keys {
		if ttl {
			err = c.SetWithTTL(k, value, 1<<40)
		} else {
			err = c.Set(k, value)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	heap := float64(maxmem.LiveHeap() - before)
	runtime.KeepAlive(keys)
	charged := float64(c.Stats().UsedMemory)
	perEntry := heap/float64(n) - float64(16+size) // the heap an entry takes beyond its key and value
	t.Logf("heap %.1f B/entry, charged %.1f; beyond key and value: heap %.1f, EntryOverhead %d",
		heap/float64(n), charged/float64(n), perEntry, maxmem.EntryOverhead[string, []byte]())
	if r := charged / heap; r < 0.9 || r > 1.1 {
		t.Errorf("used_memory is %.3fx the heap the entries take", r)
	}
	// EntryOverhead and the arena's charged slack, less the TTL heap slot an
	// entry without a TTL is charged and does not hold (so that EXPIRE never
	// needs memory).
	beyond := charged/float64(n) - float64(16+size)
	if !ttl {
		beyond -= heapBytes
	}
	if r := beyond / perEntry; size <= 64 && (r < 0.9 || r > 1.1) {
		t.Errorf("the charge beyond key and value is %.3fx the heap an entry takes beyond them", r)
	}
}
