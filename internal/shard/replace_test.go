package shard

import "testing"

// wordOf returns the word of key's entry.
func (h *harness) wordOf(key string) uint64 {
	h.s.Lock()
	defer h.s.Unlock()
	slot, _ := h.s.FindPackedLocked(key, h.hash(key))
	return h.s.head(slot).word
}

// A rewrite of a value of the same length writes over the entry's item
// until its value is handed out, by a Get or under the lock; then it goes
// to a new item, which is written over again until it is handed out. A
// value of another length always goes to a new item.
func TestReplaceWritesInPlaceUntilLent(t *testing.T) {
	h := newHarness(t, Policy{Kind: LRU}, 1<<20)
	h.set("k", "value-1", 0)
	first := h.wordOf("k")
	h.set("k", "value-2", 0)
	if h.wordOf("k") != first {
		t.Fatal("a value nobody was handed was not written over")
	}
	got, found, done := h.s.Get("k", h.hash("k"))
	h.set("k", "value-3", 0)
	second := h.wordOf("k")
	switch {
	case !found || !done || string(got) != "value-2":
		t.Fatalf("Get = %q, %v, %v; want value-2", got, found, done)
	case second == first:
		t.Fatal("a value a Get returned was written over")
	}
	h.set("k", "value-4", 0)
	if h.wordOf("k") != second {
		t.Fatal("the new item was not written over")
	}
	h.s.Lock()
	slot, _ := h.s.FindPackedLocked("k", h.hash("k"))
	locked := h.s.ValueLocked(slot)
	h.s.Unlock()
	h.set("k", "value-5", 0)
	if h.wordOf("k") == second || string(locked) != "value-4" {
		t.Fatalf("a value handed out under the lock was written over: now %q", locked)
	}
	third := h.wordOf("k")
	h.set("k", "a longer value", 0)
	if h.wordOf("k") == third {
		t.Fatal("a value of another length was written over the old one")
	}
	h.check(t)
}
