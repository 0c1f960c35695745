package arena

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// owner keeps entries in an arena as a shard does: a word per key, found
// again by key for Compact.
type owner struct {
	a      Arena
	words  map[string]*uint64
	values map[string][]byte // what each key holds: the model
	custom bool
}

func newOwner() *owner {
	return &owner{words: map[string]*uint64{}, values: map[string][]byte{}}
}

func (o *owner) Word(r uint64, key []byte) *uint64 {
	if w := o.words[string(key)]; w != nil && *w == r {
		return w
	}
	return nil
}

func (o *owner) set(key string, value []byte) {
	size := int64(len(key) + len(value))
	if w := o.words[key]; w != nil {
		if o.a.Holds(*w, key, value, size, o.custom) {
			return
		}
		old := *w
		*w = o.a.Put(key, value, size, o.custom)
		o.a.Release(old)
	} else {
		w := new(uint64)
		*w = o.a.Put(key, value, size, o.custom)
		o.words[key] = w
	}
	o.values[key] = bytes.Clone(value)
	o.a.Compact(o)
}

func (o *owner) del(key string) {
	if w := o.words[key]; w != nil {
		o.a.Release(*w)
		delete(o.words, key)
		delete(o.values, key)
		o.a.Compact(o)
	}
}

// check reads every key back, both as a reader without the lock and as
// the lock holder, and checks the arena's bound.
func (o *owner) check(t *testing.T) {
	t.Helper()
	for key, want := range o.values {
		w := *o.words[key]
		if got, ok := o.a.Load().Lend(w, key); !ok || !bytes.Equal(got, want) {
			t.Fatalf("Table.Lend(%q) = %.30q, %v; want %.30q", key, got, ok, want)
		}
		if !o.a.Match(w, key) || string(o.a.Key(w)) != key || !bytes.Equal(o.a.Lend(w), want) {
			t.Fatalf("%q: Match, Key or Lend disagree with the model", key)
		}
		if _, ok := o.a.Load().Lend(w, key+"x"); ok {
			t.Fatalf("Table.Lend(%q) matched another key", key+"x")
		}
	}
	var shared int64
	if o.a.Load() == nil {
		return
	}
	for i := range o.a.Load().c {
		if ch := o.a.Load().c[i].Load(); ch != nil && ch.shared {
			shared += int64(len(ch.data))
		}
	}
	for _, ch := range o.a.free {
		shared += int64(len(ch.data))
	}
	if limit := o.a.live + o.a.room() + MaxChunk; shared > limit {
		t.Fatalf("shared chunks hold %d bytes for %d live: over %d", shared, o.a.live, limit)
	}
}

func value(key string, i int) []byte {
	v := fmt.Appendf(nil, "%s|%d|", key, i)
	pad := i % 97
	if i%501 == 0 {
		pad = maxShared + i%3000 // a value with a chunk of its own
	}
	return append(v, bytes.Repeat([]byte{'x'}, pad)...)
}

func TestAgainstModel(t *testing.T) {
	for _, custom := range []bool{false, true} {
		o := newOwner()
		o.custom = custom
		r := rand.New(rand.NewPCG(1, 2))
		for i := range 30000 {
			key := fmt.Sprint("key", r.IntN(500))
			if i%2000 == 1000 {
				key = string(bytes.Repeat([]byte{'k'}, 40000)) // an item with a chunk of its own
			}
			if r.IntN(4) == 0 {
				o.del(key)
			} else {
				o.set(key, value(key, i))
			}
			if i%1000 == 0 {
				o.check(t)
			}
		}
		o.check(t)
	}
}

func FuzzAgainstModel(f *testing.F) {
	f.Add([]byte{1, 2, 3, 200, 5, 1, 9, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		o := newOwner()
		for i := 0; i+1 < len(ops); i += 2 {
			key := fmt.Sprint("k", ops[i+1]%32)
			if ops[i]%4 == 0 {
				o.del(key)
			} else {
				o.set(key, value(key, int(ops[i])*int(ops[i+1])))
			}
		}
		o.check(t)
	})
}

// Stale references never read another key's item.
func TestStaleReferences(t *testing.T) {
	o := newOwner()
	var stale []uint64
	for i := range 20000 {
		key := fmt.Sprint("k", i%300)
		if w := o.words[key]; w != nil {
			stale = append(stale, *w)
		}
		o.set(key, value(key, i))
	}
	// A stale reference may still find its own dead item where its chunk
	// is not freed yet (the owner's seqlock makes readers discard it), but
	// never another key's bytes or bytes being written.
	for _, r := range stale {
		for k := range 300 {
			key := fmt.Sprint("k", k)
			if v, ok := o.a.Load().Lend(r, key); ok && !bytes.HasPrefix(v, []byte(key+"|")) {
				t.Fatalf("a stale reference read %.30q as the value of %q", v, key)
			}
		}
	}
}

// Deleting most entries gives their chunks back: the arena keeps no more
// than its remaining entries pay for.
func TestShrinks(t *testing.T) {
	o := newOwner()
	for i := range 20000 {
		key := fmt.Sprint("key", i)
		o.set(key, value(key, i%90+1))
	}
	for i := range 20000 {
		if i%10 != 0 {
			o.del(fmt.Sprint("key", i))
		}
	}
	o.check(t)
}

// Reset forgets every item: the arena after it sizes its chunks as a new
// one does (the mean item comes from the live items it counts).
func TestResetForgetsTheItems(t *testing.T) {
	o := newOwner()
	for i := range 5000 {
		key := fmt.Sprint("key", i)
		o.set(key, value(key, 64))
	}
	o.a.Reset()
	if o.a.items != 0 || o.a.live != 0 {
		t.Fatalf("after Reset: %d items, %d live bytes", o.a.items, o.a.live)
	}
	o.words, o.values = map[string]*uint64{}, map[string][]byte{}
	for i := range 100 {
		key := fmt.Sprint("new", i)
		o.set(key, value(key, 64))
	}
	if o.a.items != 100 {
		t.Fatalf("100 items after Reset, the arena counts %d", o.a.items)
	}
	o.check(t)
}

// A cache in steady state allocates nothing when entries leave in about
// the order they came (eviction of the least recent, expiry): freed
// chunks are reused. Where garbage is spread (hot keys rewritten again and
// again, entries leaving uniformly at random), compaction cannot always
// free a chunk before the next is needed: hot rewrites make chunks for at
// most half the bytes written, and every order keeps the chunks
// within what the entries pay for (check).
func TestSteadyStateAllocatesNothing(t *testing.T) {
	for _, order := range []string{"oldest", "hot", "random"} {
		t.Run(order, func(t *testing.T) {
			o := newOwner()
			r := rand.New(rand.NewPCG(3, 4))
			z := rand.NewZipf(r, 1.1, 1, 20000-1)
			const n = 20000
			keys := make([]string, 4*n)
			for i := range keys {
				keys[i] = fmt.Sprintf("key:%012d", i)
			}
			v := [2][]byte{bytes.Repeat([]byte{'v'}, 64), bytes.Repeat([]byte{'w'}, 64)}
			next := 0
			step := func() {
				switch order {
				case "hot": // rewrite a Zipf-chosen key with another value
					o.set(keys[z.Uint64()], v[next%2])
					next++
					return
				case "oldest":
					o.del(keys[(next-n)%len(keys)])
				case "random":
					victim := ""
					for victim == "" || o.words[victim] == nil {
						victim = keys[r.IntN(len(keys))]
					}
					o.del(victim)
				}
				key := keys[next%len(keys)]
				for o.words[key] != nil {
					next++
					key = keys[next%len(keys)]
				}
				o.set(key, v[0])
				next++
			}
			for next < n {
				o.set(keys[next], v[0])
				next++
			}
			for range 5 * n { // every first entry has left, and compaction has settled
				step()
			}
			made := o.a.made
			ops := 100000 / raceSlowdown
			for range ops {
				step()
			}
			o.check(t)
			per := float64(o.a.made-made) / float64(ops)
			if reuse && (order == "oldest" && per > 0.5 || order == "hot" && per > 82/2) {
				t.Fatalf("%.2f bytes of chunks made per write of 82 in steady state", per)
			}
		})
	}
}

// A lent value keeps its bytes, whatever happens to its entry and its

// Lending a value of its own chunk marks that chunk lent, not the shared
// chunk that holds its item: the shared one stays free for reuse.
func TestLendingALargeValueMarksItsOwnChunk(t *testing.T) {
	o := newOwner()
	o.set("big", make([]byte, maxShared+10))
	w := *o.words["big"]
	for _, lend := range []func() []byte{
		func() []byte { v, _ := o.a.Load().Lend(w, "big"); return v },
		func() []byte { return o.a.Lend(w) },
	} {
		if v := lend(); len(v) != maxShared+10 {
			t.Fatalf("lent %d bytes", len(v))
		}
		if o.a.at(refIdx(w)).lent.Load() {
			t.Fatal("the shared chunk of the item was marked lent")
		}
	}
}

// chunk afterwards: its chunk is never reused.
func TestLentValuesStay(t *testing.T) {
	o := newOwner()
	type loan struct {
		got, want []byte
	}
	var loans []loan
	for i := range 60000 {
		key := fmt.Sprint("k", i%700)
		o.set(key, value(key, i))
		if i%97 == 0 {
			w := *o.words[key]
			v, _ := o.a.Load().Lend(w, key)
			loans = append(loans, loan{v, bytes.Clone(v)})
		}
		if i%3 == 0 {
			o.del(fmt.Sprint("k", (i*7)%700))
		}
	}
	for _, l := range loans {
		if !bytes.Equal(l.got, l.want) {
			t.Fatalf("a lent value changed from %.30q to %.30q", l.want, l.got)
		}
	}
}
