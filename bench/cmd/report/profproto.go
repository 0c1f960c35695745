package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// This file reads the few parts of a pprof profile (profile.proto, as
// runtime/pprof writes it: gzipped protocol buffers) that the profiles
// section needs, so the report has no dependency for it: the sample
// types, each sample's locations and values, each location's functions
// (inlined ones first, the caller that holds them last), and the names.

// stackSample is one sample of a profile: its value and its stack as
// function names, innermost first.
type stackSample struct {
	funcs []string
	value int64
}

// Field numbers of profile.proto that are read; the others are skipped.
const (
	profSampleType  = 1
	profSample      = 2
	profLocation    = 4
	profFunction    = 5
	profStringTable = 6
)

// rawProfile holds a profile's messages before ids are resolved.
type rawProfile struct {
	sampleTypes [][2]int64 // type and unit, as string-table indexes
	samples     []rawSample
	locations   map[uint64][]uint64 // location id to function ids, innermost first
	functions   map[uint64]int64    // function id to its name's string-table index
	strs        []string
}

// rawSample is a sample before its location ids are resolved.
type rawSample struct {
	locations []uint64
	values    []int64
}

// errProfile reports a profile that cannot be read.
var errProfile = errors.New("malformed profile")

// decodeProfile reads a gzipped pprof profile and returns its samples
// with the value of the sample type whose unit is nanoseconds (a CPU
// profile's cpu time), or the last sample type when none is.
func decodeProfile(gz []byte) ([]stackSample, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	p := rawProfile{locations: map[uint64][]uint64{}, functions: map[uint64]int64{}}
	if err := eachField(data, p.field); err != nil {
		return nil, err
	}
	return p.resolve()
}

// field reads one top-level field of a profile.
func (p *rawProfile) field(num int, wire int, v uint64, b []byte) error {
	if wire != wireBytes {
		return nil
	}
	switch num {
	case profSampleType:
		var t [2]int64
		err := eachField(b, func(n, w int, v uint64, _ []byte) error {
			if w == wireVarint && (n == 1 || n == 2) {
				t[n-1] = int64(v)
			}
			return nil
		})
		p.sampleTypes = append(p.sampleTypes, t)
		return err
	case profSample:
		return p.sample(b)
	case profLocation:
		return p.location(b)
	case profFunction:
		return p.function(b)
	case profStringTable:
		p.strs = append(p.strs, string(b))
	}
	return nil
}

// sample reads a Sample: location_id = 1 and value = 2, both repeated,
// packed or not.
func (p *rawProfile) sample(b []byte) error {
	var s rawSample
	err := eachField(b, func(n, w int, v uint64, inner []byte) error {
		switch n {
		case 1:
			return repeated(w, v, inner, func(x uint64) { s.locations = append(s.locations, x) })
		case 2:
			return repeated(w, v, inner, func(x uint64) { s.values = append(s.values, int64(x)) })
		}
		return nil
	})
	p.samples = append(p.samples, s)
	return err
}

// location reads a Location: id = 1 and its Lines = 4, whose
// function_id = 1.
func (p *rawProfile) location(b []byte) error {
	var id uint64
	var funcs []uint64
	err := eachField(b, func(n, w int, v uint64, inner []byte) error {
		switch {
		case n == 1 && w == wireVarint:
			id = v
		case n == 4 && w == wireBytes:
			return eachField(inner, func(n, w int, v uint64, _ []byte) error {
				if n == 1 && w == wireVarint {
					funcs = append(funcs, v)
				}
				return nil
			})
		}
		return nil
	})
	p.locations[id] = funcs
	return err
}

// function reads a Function: id = 1 and name = 2.
func (p *rawProfile) function(b []byte) error {
	var id uint64
	var name int64
	err := eachField(b, func(n, w int, v uint64, _ []byte) error {
		switch {
		case n == 1 && w == wireVarint:
			id = v
		case n == 2 && w == wireVarint:
			name = int64(v)
		}
		return nil
	})
	p.functions[id] = name
	return err
}

// resolve turns ids into names and picks each sample's value.
func (p *rawProfile) resolve() ([]stackSample, error) {
	vi := len(p.sampleTypes) - 1
	for i, t := range p.sampleTypes {
		if p.str(t[1]) == "nanoseconds" {
			vi = i
		}
	}
	out := make([]stackSample, 0, len(p.samples))
	for _, s := range p.samples {
		if vi < 0 || vi >= len(s.values) {
			return nil, fmt.Errorf("%w: a sample has %d values for %d types", errProfile, len(s.values), len(p.sampleTypes))
		}
		st := stackSample{value: s.values[vi]}
		for _, loc := range s.locations {
			for _, fn := range p.locations[loc] {
				st.funcs = append(st.funcs, p.str(p.functions[fn]))
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// str returns the string-table entry i, or "?" if there is none.
func (p *rawProfile) str(i int64) string {
	if i < 0 || i >= int64(len(p.strs)) {
		return "?"
	}
	return p.strs[i]
}

// Protocol-buffer wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// eachField calls fn with every field of the message b: its number, wire
// type, and its value (varints) or contents (length-delimited fields).
// Fixed-width fields are skipped.
func eachField(b []byte, fn func(num, wire int, v uint64, inner []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errProfile
		}
		b = b[n:]
		num, wire := int(key>>3), int(key&7)
		var v uint64
		var inner []byte
		switch wire {
		case wireVarint:
			if v, n = binary.Uvarint(b); n <= 0 {
				return errProfile
			}
		case wireBytes:
			l, m := binary.Uvarint(b)
			if m <= 0 || l > uint64(len(b)-m) {
				return errProfile
			}
			inner, n = b[m:m+int(l)], m+int(l)
		case wireFixed64:
			n = 8
		case wireFixed32:
			n = 4
		default:
			return fmt.Errorf("%w: wire type %d", errProfile, wire)
		}
		if n > len(b) {
			return errProfile
		}
		b = b[n:]
		if err := fn(num, wire, v, inner); err != nil {
			return err
		}
	}
	return nil
}

// repeated calls add with each value of a repeated integer field: one
// varint, or a packed run of them.
func repeated(wire int, v uint64, packed []byte, add func(uint64)) error {
	if wire == wireVarint {
		add(v)
		return nil
	}
	if wire != wireBytes {
		return errProfile
	}
	for len(packed) > 0 {
		x, n := binary.Uvarint(packed)
		if n <= 0 {
			return errProfile
		}
		add(x)
		packed = packed[n:]
	}
	return nil
}
