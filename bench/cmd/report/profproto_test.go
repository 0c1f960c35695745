package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
)

// pb builds protocol-buffer messages for the tests.
type pb []byte

// varint appends field num as a varint.
func (b pb) varint(num int, v uint64) pb {
	b = binary.AppendUvarint(b, uint64(num)<<3|wireVarint)
	return binary.AppendUvarint(b, v)
}

// bytes appends field num as a length-delimited field.
func (b pb) bytes(num int, v []byte) pb {
	b = binary.AppendUvarint(b, uint64(num)<<3|wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// packed appends field num as a packed run of varints.
func (b pb) packed(num int, vs ...uint64) pb {
	var inner []byte
	for _, v := range vs {
		inner = binary.AppendUvarint(inner, v)
	}
	return b.bytes(num, inner)
}

// gzipped compresses b as runtime/pprof does.
func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A CPU profile's value is its nanoseconds; a location's inlined function
// comes before the caller holding it; repeated fields may be packed or
// not.
func TestDecodeProfile(t *testing.T) {
	var p pb
	for _, s := range []string{"", "samples", "count", "cpu", "nanoseconds", "main.f", "main.g", "main.inlined"} {
		p = p.bytes(profStringTable, []byte(s))
	}
	p = p.bytes(profSampleType, pb{}.varint(1, 1).varint(2, 2))
	p = p.bytes(profSampleType, pb{}.varint(1, 3).varint(2, 4))
	for id, name := range []uint64{5, 6, 7} {
		p = p.bytes(profFunction, pb{}.varint(1, uint64(id+1)).varint(2, name))
	}
	p = p.bytes(profLocation, pb{}.varint(1, 1).bytes(4, pb{}.varint(1, 3)).bytes(4, pb{}.varint(1, 1)))
	p = p.bytes(profLocation, pb{}.varint(1, 2).bytes(4, pb{}.varint(1, 2)))
	p = p.bytes(profSample, pb{}.packed(1, 1, 2).packed(2, 2, 20_000_000))
	p = p.bytes(profSample, pb{}.varint(1, 2).varint(2, 1).varint(2, 10_000_000))
	got, err := decodeProfile(gzipped(t, p))
	if err != nil {
		t.Fatal(err)
	}
	want := []stackSample{
		{[]string{"main.inlined", "main.f", "main.g"}, 20_000_000},
		{[]string{"main.g"}, 10_000_000},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d samples, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !slices.Equal(got[i].funcs, want[i].funcs) || got[i].value != want[i].value {
			t.Errorf("sample %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// allocSink keeps the test's allocation alive for the heap profile.
var allocSink []byte

// allocateForProfile allocates a MiB under its own name.
//
//go:noinline
func allocateForProfile() []byte { return make([]byte, 1<<20) }

// The decoder reads what the runtime writes: a heap profile (every
// allocation sampled) holds the test's MiB under the function that
// allocated it.
func TestDecodeProfileReadsTheRuntimesOutput(t *testing.T) {
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 1
	allocSink = allocateForProfile()
	runtime.GC()
	runtime.GC()
	var buf bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	samples, err := decodeProfile(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		if len(s.funcs) > 0 && strings.HasSuffix(s.funcs[0], ".allocateForProfile") && s.value >= 1<<20 {
			return
		}
	}
	t.Errorf("no sample of ≥ 1 MiB in allocateForProfile among %d samples", len(samples))
}

// Input that is not a profile is an error, not a panic.
func TestDecodeProfileRejectsGarbage(t *testing.T) {
	if _, err := decodeProfile([]byte("not gzip")); err == nil {
		t.Error("no error for input that is not gzipped")
	}
	for name, p := range map[string][]byte{
		"length past the end": {profSample<<3 | wireBytes, 9, 1},
		"truncated varint":    {profSample<<3 | wireVarint, 0x80},
		"wire type 3":         {profSample<<3 | 3},
		"fixed64 cut short":   {profSample<<3 | wireFixed64, 1, 2},
	} {
		if _, err := decodeProfile(gzipped(t, p)); !errors.Is(err, errProfile) {
			t.Errorf("%s: err = %v, want errProfile", name, err)
		}
	}
	two := pb{}.bytes(profSampleType, nil).bytes(profSampleType, nil).bytes(profSample, pb{}.varint(2, 1))
	if _, err := decodeProfile(gzipped(t, two)); !errors.Is(err, errProfile) {
		t.Errorf("a sample with fewer values than types: err = %v, want errProfile", err)
	}
}
