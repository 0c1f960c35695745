// Package sizer measures the memory a Go value holds: its own bytes plus the
// bytes of the strings and slices it reaches. Types that reach memory the
// sizer cannot see (pointers, maps, channels, functions, interfaces) are
// refused when the sizer is built, so a cache can ask its user for a Sizer up
// front instead of undercounting later.
package sizer

import (
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// Of returns a function reporting the bytes a value of type T occupies:
// unsafe.Sizeof(T) plus the length of every string and the capacity of every
// slice inside it, recursively.
func Of[T any]() (func(T) int64, error) {
	t := reflect.TypeFor[T]()
	fixed := int64(t.Size())
	switch {
	case t.Kind() == reflect.String:
		return func(v T) int64 { return fixed + int64(len(*(*string)(unsafe.Pointer(&v)))) }, nil
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return func(v T) int64 { return fixed + int64(cap(*(*[]byte)(unsafe.Pointer(&v)))) }, nil
	}
	w, err := walkerFor(t)
	if err != nil {
		return nil, fmt.Errorf("sizer: %v: %w", t, err)
	}
	if w == nil {
		return func(T) int64 { return fixed }, nil
	}
	return func(v T) int64 { return fixed + w(unsafe.Pointer(&v)) }, nil
}

// walker returns the bytes reached from the value at p, outside the value.
// A nil walker means the type reaches no memory.
type walker func(p unsafe.Pointer) int64

func walkerFor(t reflect.Type) (walker, error) {
	switch t.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer) int64 { return int64(len(*(*string)(p))) }, nil
	case reflect.Slice:
		return sliceWalker(t)
	case reflect.Array:
		return arrayWalker(t)
	case reflect.Struct:
		return structWalker(t)
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func,
		reflect.Interface, reflect.UnsafePointer:
		return nil, fmt.Errorf("holds %s %v, whose memory cannot be measured", article(t.Kind().String()), t.Kind())
	}
	return nil, nil // booleans and numbers
}

func sliceWalker(t reflect.Type) (walker, error) {
	elem, err := walkerFor(t.Elem())
	if err != nil {
		return nil, err
	}
	size := int64(t.Elem().Size())
	return func(p unsafe.Pointer) int64 {
		hdr := (*[]byte)(p) // length and capacity are in elements
		n := size * int64(cap(*hdr))
		if elem != nil && len(*hdr) > 0 {
			base := unsafe.Pointer(unsafe.SliceData(*hdr))
			for i := range len(*hdr) {
				n += elem(unsafe.Add(base, int64(i)*size))
			}
		}
		return n
	}, nil
}

func arrayWalker(t reflect.Type) (walker, error) {
	elem, err := walkerFor(t.Elem())
	if elem == nil || err != nil {
		return nil, err
	}
	size, count := int64(t.Elem().Size()), t.Len()
	return func(p unsafe.Pointer) int64 {
		var n int64
		for i := range count {
			n += elem(unsafe.Add(p, int64(i)*size))
		}
		return n
	}, nil
}

func structWalker(t reflect.Type) (walker, error) {
	type field struct {
		offset uintptr
		walk   walker
	}
	var fields []field
	for i := range t.NumField() {
		f := t.Field(i)
		w, err := walkerFor(f.Type)
		if err != nil {
			return nil, fmt.Errorf("field %s %w", f.Name, err)
		}
		if w != nil {
			fields = append(fields, field{f.Offset, w})
		}
	}
	if len(fields) == 0 {
		return nil, nil
	}
	return func(p unsafe.Pointer) int64 {
		var n int64
		for _, f := range fields {
			n += f.walk(unsafe.Add(p, f.offset))
		}
		return n
	}, nil
}

// article returns "an" before a word that starts with a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
