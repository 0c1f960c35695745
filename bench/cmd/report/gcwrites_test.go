package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxmem/maxmem/bench"
	"github.com/maxmem/maxmem/bench/internal/peers"
)

// keyRecorder is a peers.Cache that only records, under a lock, the keys
// it is given.
type keyRecorder struct {
	mu   sync.Mutex
	keys []string
}

func (c *keyRecorder) Name() string                               { return "recorder" }
func (c *keyRecorder) Get(string) ([]byte, bool)                  { return nil, false }
func (c *keyRecorder) Delete(string)                              {}
func (c *keyRecorder) Len() int                                   { return 0 }
func (c *keyRecorder) Close()                                     {}
func (c *keyRecorder) SetTTL(k string, v []byte, _ time.Duration) { c.Set(k, v) }
func (c *keyRecorder) Set(k string, _ []byte) {
	c.mu.Lock()
	c.keys = append(c.keys, k)
	c.mu.Unlock()
}

// The evicting keys are twice the fill, none of them the fill's, and the
// writes are as many as asked (rounded down to the goroutines), each key
// coming back only after all the others.
func TestEvictingWritesWriteFreshKeys(t *testing.T) {
	const fillN, writes = 100, 1001
	keys := evictingKeys(fillN)
	fill := map[string]bool{}
	for i := range fillN {
		fill[bench.FixedKey(i)] = true
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if len(k) != keyLen || fill[k] || seen[k] {
			t.Fatalf("key %q: length %d, in the fill %v, seen before %v", k, len(k), fill[k], seen[k])
		}
		seen[k] = true
	}
	if len(keys) != 2*fillN {
		t.Fatalf("%d keys for a fill of %d", len(keys), fillN)
	}
	c := &keyRecorder{}
	n := evictingWrites(c, keys, writes)
	if n != len(c.keys) || n > writes || n < writes-64 {
		t.Fatalf("returned %d writes, made %d, asked %d", n, len(c.keys), writes)
	}
	count := map[string]int{}
	for _, k := range c.keys {
		count[k]++
	}
	if len(count) != len(keys) {
		t.Fatalf("%d writes used %d keys of %d", n, len(count), len(keys))
	}
}

// A cache that charges its own bytes gets them for the fill; the others
// are told nothing of bytes.
func TestChargesMemory(t *testing.T) {
	for name, want := range map[string]bool{"maxmem": true, "maxmem-tinylfu": true, "otter": false, "map+mutex": false} {
		f, _ := peers.Lookup(name)
		if got := chargesMemory(f); got != want {
			t.Errorf("chargesMemory(%s) = %v, want %v", name, got, want)
		}
	}
}

// A small run on maxmem and map+mutex: the cache is full before and
// after the writes, which are as many as asked.
func TestMeasureGCWritesStaysFull(t *testing.T) {
	const n, writes = 2000, 20000
	for _, name := range []string{"maxmem", "map+mutex"} {
		g, err := measureGCWrites(name, n, writes)
		if err != nil {
			t.Fatal(err)
		}
		if g.Writes > writes || g.Writes < writes-64 || g.Wall <= 0 {
			t.Errorf("%s: %d writes in %v, want about %d", name, g.Writes, g.Wall, writes)
		}
		if g.Stored < n*9/10 || g.Stored > n || g.StoredAfter < n*9/10 || g.StoredAfter > n {
			t.Errorf("%s: holds %d after the fill and %d after the writes, want about %d", name, g.Stored, g.StoredAfter, n)
		}
	}
	if _, err := measureGCWrites("nocache", 1, 1); err == nil {
		t.Error("no error for an unknown cache")
	}
}

// A row gives cycles per million writes, bytes per write and millions of
// writes a second; GC CPU is a dash when no cycle ended.
func TestGCWritesRow(t *testing.T) {
	g := gcWritesResult{Cache: "otter", N: 1_000_000, Stored: 1_000_000, StoredAfter: 999_990, HeapMB: 180.4,
		Writes: 4_000_000, Wall: 2 * time.Second, GCCycles: 6, GCFraction: 0.123, AllocBytes: 520_000_000}
	want := "| otter | 180 | 6 | 1.50 | 12.3 % | 130.0 | 2.00 | 1,000,000 | 999,990 |"
	if got := gcWritesRow(g); got != want {
		t.Errorf("row\n%s\nwant\n%s", got, want)
	}
	g = gcWritesResult{Cache: "maxmem", Writes: 1_000_000, Wall: time.Second, AllocBytes: 16_000_000}
	if got := gcWritesRow(g); !strings.HasPrefix(got, "| maxmem | 0 | 0 | 0.00 | – | 16.0 | 1.00 |") {
		t.Errorf("row without cycles: %s", got)
	}
	if got := (gcWritesResult{}); got.cyclesPerMillion() != 0 || got.bytesPerWrite() != 0 || got.writesPerSec() != 0 {
		t.Errorf("no writes: %v cycles/M, %v B/write, %v writes/s, want zeros", got.cyclesPerMillion(), got.bytesPerWrite(), got.writesPerSec())
	}
}

// The intro names the sizes.
func TestGCWritesIntro(t *testing.T) {
	got := gcWritesIntro(1_000_000, 10_000_000)
	for _, want := range []string{"## GC under evicting writes", "1,000,000 entries", "10,000,000 Sets"} {
		if !strings.Contains(got, want) {
			t.Errorf("intro lacks %q:\n%s", want, got)
		}
	}
}
