package maxmem_test

// The contract suite (contract_test.go) runs every rule over every storage
// layout. A rule names keys by strings and values by small integers; a
// subject turns them into its cache's own key and value types, so one rule
// body tests a Cache[string, []byte] (the packed layout) and a
// Cache[uint64, []byte] (the generic one) alike.
//
// The suite is an external test package: it sees the public API, plus one
// hook (StopSweeper, export_test.go) with which a test tells the calls' own
// expiry from the background sweep's.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maxmem/maxmem"
)

// event is one OnEvict call, with the key and value in the rules' terms.
type event struct {
	key    string
	value  int
	reason maxmem.Reason
}

// subject is one cache under contract, keyed by strings and valued by
// integers whatever its real types.
type subject interface {
	Set(k string, v int) error
	// SetSized stores v as a value of about size bytes (see layout.sized).
	SetSized(k string, v, size int) error
	SetWithTTL(k string, v int, ttl time.Duration) error
	Get(k string) (int, bool)
	Delete(k string) bool
	Expire(k string, ttl time.Duration) bool
	Persist(k string) bool
	TTL(k string) time.Duration
	MemoryUsage(k string) (int64, bool)
	Len() int
	Stats() maxmem.Stats
	SetMaxMemory(n int64) error
	SetPolicy(p maxmem.Policy) error
	Clear()
	// Entries returns what All yields.
	Entries() map[string]int
	// Events returns the OnEvict calls so far and forgets them.
	Events() []event
	// stopSweeper ends the background expiry (an internal hook).
	stopSweeper()
}

// setup is what a rule asks of a new subject.
type setup struct {
	max     int64
	policy  maxmem.Policy
	clock   maxmem.Clock // nil: a new maxmem.FakeClock
	shards  int          // 0: 1
	samples int
}

// layout makes subjects of one pair of key and value types.
type layout struct {
	name string
	// sized: SetSized changes the bytes a value is charged; otherwise
	// every value of the layout costs the same.
	sized bool
	open  func(t *testing.T, s setup) subject
}

// layouts are the storage layouts every rule runs over: the two packed
// pairs (string keys with []byte and with string values) and three generic
// ones (built-in sizer with string keys, built-in sizer with integer keys,
// a struct key and a pointer value measured by a Sizer).
var layouts = []layout{
	{"packed-bytes", true, func(t *testing.T, s setup) subject {
		return openSubject(t, s, strKey, strName, bytesValue, bytesNum, nil)
	}},
	{"packed-string", true, func(t *testing.T, s setup) subject {
		return openSubject(t, s, strKey, strName, stringValue, stringNum, nil)
	}},
	{"generic-string-int", false, func(t *testing.T, s setup) subject {
		return openSubject(t, s, strKey, strName, intValue, intNum, nil)
	}},
	{"generic-uint64-bytes", true, func(t *testing.T, s setup) subject {
		return openSubject(t, s, idKey, idName, bytesValue, bytesNum, nil)
	}},
	{"generic-struct-sizer", true, func(t *testing.T, s setup) subject {
		return openSubject(t, s, recKeyOf, recKeyName, recValue, recNum, recSizer)
	}},
}

// The key and value conversions of the layouts. A value is at least
// valueWidth bytes: v in decimal, zero-padded, then padding to its size.
const valueWidth = 8

func strKey(k string) string  { return k }
func strName(k string) string { return k }

func valueText(v, size int) []byte {
	b := make([]byte, max(size, valueWidth)) // len == cap: the built-in sizer counts cap
	copy(b, fmt.Sprintf("%0*d", valueWidth, v))
	for i := valueWidth; i < len(b); i++ {
		b[i] = 'x'
	}
	return b
}

func textNum(b []byte) int {
	n, err := strconv.Atoi(string(b[:valueWidth]))
	if err != nil {
		return -1
	}
	return n
}

func bytesValue(v, size int) []byte  { return valueText(v, size) }
func bytesNum(b []byte) int          { return textNum(b) }
func stringValue(v, size int) string { return string(valueText(v, size)) }
func stringNum(s string) int         { return textNum([]byte(s)) }
func intValue(v, _ int) int          { return v }
func intNum(v int) int               { return v }

// idKey maps a string key to an integer one, reversibly (keys of up to 8
// bytes).
func idKey(k string) uint64 {
	var b [8]byte
	copy(b[:], k)
	if len(k) > 8 {
		panic("idKey: key longer than 8 bytes: " + k)
	}
	return binary.BigEndian.Uint64(b[:])
}

func idName(id uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], id)
	return strings.TrimRight(string(b[:]), "\x00")
}

// recKey and record are a key type the runtime's hash handles and a value
// type the built-in sizer refuses (it holds a pointer).
type recKey struct{ hi, lo uint64 }

type record struct {
	n    int
	blob *[]byte
}

func recKeyOf(k string) recKey { return recKey{lo: idKey(k), hi: 7} }
func recKeyName(k recKey) string {
	return idName(k.lo)
}
func recValue(v, size int) *record {
	b := make([]byte, max(size, valueWidth))
	return &record{n: v, blob: &b}
}
func recNum(r *record) int { return r.n }

// recSizer charges a record its blob and two words.
func recSizer(_ recKey, r *record) int64 { return 16 + int64(len(*r.blob)) }

// sub is a subject over a Cache[K, V].
type sub[K comparable, V any] struct {
	c    *maxmem.Cache[K, V]
	key  func(string) K
	name func(K) string
	val  func(v, size int) V
	num  func(V) int

	mu     sync.Mutex
	events []event
}

func openSubject[K comparable, V any](t *testing.T, s setup, key func(string) K, name func(K) string,
	val func(v, size int) V, num func(V) int, sizer func(K, V) int64) subject {
	t.Helper()
	b := &sub[K, V]{key: key, name: name, val: val, num: num}
	if s.clock == nil {
		s.clock = maxmem.NewFakeClock()
	}
	if s.shards == 0 {
		s.shards = 1
	}
	b.c = openCache(t, maxmem.Options[K, V]{
		MaxMemory: s.max, Policy: s.policy, Clock: s.clock, Shards: s.shards,
		Samples: s.samples, Seed: 1, Sizer: sizer,
		OnEvict: func(k K, v V, r maxmem.Reason) {
			b.mu.Lock()
			b.events = append(b.events, event{b.name(k), b.num(v), r})
			b.mu.Unlock()
		},
	})
	return b
}

func (b *sub[K, V]) Set(k string, v int) error { return b.c.Set(b.key(k), b.val(v, 0)) }
func (b *sub[K, V]) SetSized(k string, v, size int) error {
	return b.c.Set(b.key(k), b.val(v, size))
}
func (b *sub[K, V]) SetWithTTL(k string, v int, ttl time.Duration) error {
	return b.c.SetWithTTL(b.key(k), b.val(v, 0), ttl)
}
func (b *sub[K, V]) Get(k string) (int, bool) {
	v, ok := b.c.Get(b.key(k))
	if !ok {
		return 0, false
	}
	return b.num(v), true
}
func (b *sub[K, V]) Delete(k string) bool                    { return b.c.Delete(b.key(k)) }
func (b *sub[K, V]) Expire(k string, ttl time.Duration) bool { return b.c.Expire(b.key(k), ttl) }
func (b *sub[K, V]) Persist(k string) bool                   { return b.c.Persist(b.key(k)) }
func (b *sub[K, V]) TTL(k string) time.Duration              { return b.c.TTL(b.key(k)) }
func (b *sub[K, V]) MemoryUsage(k string) (int64, bool)      { return b.c.MemoryUsage(b.key(k)) }
func (b *sub[K, V]) Len() int                                { return b.c.Len() }
func (b *sub[K, V]) Stats() maxmem.Stats                     { return b.c.Stats() }
func (b *sub[K, V]) SetMaxMemory(n int64) error              { return b.c.SetMaxMemory(n) }
func (b *sub[K, V]) SetPolicy(p maxmem.Policy) error         { return b.c.SetPolicy(p) }
func (b *sub[K, V]) Clear()                                  { b.c.Clear() }
func (b *sub[K, V]) stopSweeper()                            { maxmem.StopSweeper(b.c) }
func (b *sub[K, V]) Entries() map[string]int {
	m := map[string]int{}
	for k, v := range b.c.All() {
		m[b.name(k)] = b.num(v)
	}
	return m
}
func (b *sub[K, V]) Events() []event {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.events
	b.events = nil
	return e
}

// forEachLayout runs f over every layout (only those that size their
// values with sizedOnly).
func forEachLayout(t *testing.T, sizedOnly bool, f func(t *testing.T, l layout)) {
	for _, l := range layouts {
		if sizedOnly && !l.sized {
			continue
		}
		t.Run(l.name, func(t *testing.T) { f(t, l) })
	}
}

// forEachPolicy runs f over every policy ParsePolicy knows.
func forEachPolicy(t *testing.T, f func(t *testing.T, p maxmem.Policy)) {
	for _, name := range policyNames {
		p, err := maxmem.ParsePolicy(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) { f(t, p) })
	}
}

// policyNames are the names of every policy, as CONFIG SET takes them.
var policyNames = []string{"noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu",
	"allkeys-random", "volatile-random", "volatile-ttl", "allkeys-lrm", "volatile-lrm", "allkeys-tinylfu"}

// allKeys reports whether p may evict keys without a TTL.
func allKeys(p maxmem.Policy) bool { return strings.HasPrefix(p.Name(), "allkeys-") }

// volatileOnly reports whether p evicts only keys with a TTL.
func volatileOnly(p maxmem.Policy) bool { return strings.HasPrefix(p.Name(), "volatile-") }

// chargeOf returns what one entry of key k and the layout's default value
// costs in l, measured on a cache of its own.
func chargeOf(t *testing.T, l layout, k string, size int) int64 {
	t.Helper()
	s := l.open(t, setup{})
	if err := s.SetSized(k, 1, size); err != nil {
		t.Fatal(err)
	}
	n, ok := s.MemoryUsage(k)
	if !ok || n <= 0 {
		t.Fatalf("MemoryUsage(%q) = %d, %v after Set", k, n, ok)
	}
	return n
}

// key returns the i-th key of a rule: every key of a rule has the same
// length, so every entry of a layout costs the same.
func key(i int) string { return fmt.Sprintf("k%04d", i) }

// openCache makes a cache with o, fails the test if New refuses it, and
// closes it when the test ends.
func openCache[K comparable, V any](t *testing.T, o maxmem.Options[K, V]) *maxmem.Cache[K, V] {
	t.Helper()
	c, err := maxmem.New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// redisOOM is Redis's reply to a write it has no memory for, byte for byte.
const redisOOM = "OOM command not allowed when used memory > 'maxmemory'."

// checkOOM fails the test unless err is an *OOMError that matches ErrOOM,
// reads as Redis's message, and says whether the entry alone was too large.
func checkOOM(t *testing.T, err error, tooLarge bool) {
	t.Helper()
	var oom *maxmem.OOMError
	switch {
	case err == nil:
		t.Fatal("the write succeeded, want ErrOOM")
	case !errors.Is(err, maxmem.ErrOOM) || !errors.As(err, &oom):
		t.Fatalf("err = %v (%T), want an *OOMError matching ErrOOM", err, err)
	case err.Error() != redisOOM:
		t.Fatalf("Error() = %q, want Redis's %q", err.Error(), redisOOM)
	case oom.TooLarge != tooLarge:
		t.Fatalf("TooLarge = %v, want %v (%s)", oom.TooLarge, tooLarge, oom.Detail())
	}
}
