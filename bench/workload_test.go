package bench

import (
	"testing"
	"time"
)

// recorder is a peers.Cache that remembers the last key it was asked for
// and the last value it was given.
type recorder struct {
	key   string
	value []byte
	gets  int
	sets  int
}

func (c *recorder) Name() string                               { return "recorder" }
func (c *recorder) Get(k string) ([]byte, bool)                { c.key, c.gets = k, c.gets+1; return nil, false }
func (c *recorder) Set(k string, v []byte)                     { c.key, c.value, c.sets = k, v, c.sets+1 }
func (c *recorder) SetTTL(k string, v []byte, _ time.Duration) { c.Set(k, v) }
func (c *recorder) Delete(k string)                            { c.key = k }
func (c *recorder) Len() int                                   { return 0 }
func (c *recorder) Close()                                     {}

// LatencyOp's operations are BenchmarkLatency's: Get hit reads the Zipf
// keys, Get miss keys never stored, Set update alternates a stored key's
// value with its update, and Set-evict writes keys never in the prefill.
func TestLatencyOps(t *testing.T) {
	x := getFixture()
	c := &recorder{}
	call := func(op string, i int) {
		t.Helper()
		run, err := LatencyOp(op, c)
		if err != nil {
			t.Fatal(err)
		}
		run(i)
	}
	call("GetHit", keySpace+3)
	if c.key != x.keys[3] || c.gets != 1 {
		t.Errorf("GetHit read %q, want the Zipf key %q", c.key, x.keys[3])
	}
	call("GetMiss", 5)
	if c.key != x.missKeys[5] {
		t.Errorf("GetMiss read %q, want %q", c.key, x.missKeys[5])
	}
	call("SetUpdate", 7)
	if c.key != x.fillKeys[7] || string(c.value) != string(x.updates[7]) {
		t.Errorf("SetUpdate, first pass: %q=%q, want %q=%q", c.key, c.value, x.fillKeys[7], x.updates[7])
	}
	call("SetUpdate", capacity+7)
	if c.key != x.fillKeys[7] || string(c.value) != string(x.values[7]) {
		t.Errorf("SetUpdate, second pass: %q=%q, want %q=%q", c.key, c.value, x.fillKeys[7], x.values[7])
	}
	call("SetInsertEvict", 9)
	if c.key != x.insertKeys[9] || c.sets != 3 {
		t.Errorf("SetInsertEvict wrote %q, want %q", c.key, x.insertKeys[9])
	}
	if _, err := LatencyOp("SetBogus", c); err == nil {
		t.Error("no error for an unknown operation")
	}
}

// The update values differ from the prefill's, and insert and miss keys
// are never prefilled.
func TestLatencyFixtureKeysAreDisjoint(t *testing.T) {
	x := getFixture()
	filled := map[string]bool{}
	for _, k := range x.fillKeys {
		filled[k] = true
	}
	for _, k := range x.keys {
		if !filled[k] {
			t.Fatalf("Zipf key %q is not prefilled", k)
		}
	}
	for _, ks := range [][]string{x.insertKeys, x.missKeys} {
		for _, k := range ks {
			if filled[k] {
				t.Fatalf("key %q is prefilled", k)
			}
		}
	}
	for i, u := range x.updates {
		if string(u) == string(x.values[i]) {
			t.Fatalf("update %d equals the prefilled value", i)
		}
	}
}
