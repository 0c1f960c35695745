package sizer

import (
	"strings"
	"testing"
)

func size[T any](t *testing.T, v T) int64 {
	t.Helper()
	f, err := Of[T]()
	if err != nil {
		t.Fatalf("Of[%T]: %v", v, err)
	}
	return f(v)
}

func TestSizes(t *testing.T) {
	type point struct{ X, Y float64 }
	type record struct {
		Name string
		Tags []string
		Pos  [2]point
		Hits uint32
	}
	cases := []struct {
		name string
		got  int64
		want int64
	}{
		{"string", size(t, "hello"), 16 + 5},
		{"empty string", size(t, ""), 16},
		{"bytes use capacity", size(t, make([]byte, 3, 10)), 24 + 10},
		{"int64", size(t, int64(1)), 8},
		{"bool", size(t, true), 1},
		{"float32", size(t, float32(1)), 4},
		{"pointer-free struct", size(t, point{}), 16},
		{"array", size(t, [4]int32{}), 16},
		{"slice of ints", size(t, make([]int64, 2, 4)), 24 + 32},
		{"slice of strings", size(t, []string{"ab", "cde"}), 24 + 2*16 + 5},
		{"nested", size(t, record{Name: "abc", Tags: []string{"x"}}), 16 + 24 + 32 + 8 /* padded */ + 3 + 16 + 1},
		{"array of strings", size(t, [2]string{"a", strings.Repeat("b", 9)}), 32 + 10},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: size %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestRefusesUnmeasurable(t *testing.T) {
	type withPtr struct{ P *int }
	type withMap struct {
		A int
		M map[string]int
	}
	checks := []struct {
		name string
		err  error
	}{
		{"pointer", errOf[*int]()},
		{"map", errOf[map[string]int]()},
		{"interface", errOf[any]()},
		{"func", errOf[func()]()},
		{"chan", errOf[chan int]()},
		{"struct with pointer", errOf[withPtr]()},
		{"struct with map", errOf[withMap]()},
		{"slice of pointers", errOf[[]*int]()},
	}
	for _, c := range checks {
		if c.err == nil {
			t.Errorf("%s: Of accepted a type it cannot measure", c.name)
		}
	}
}

func errOf[T any]() error {
	_, err := Of[T]()
	return err
}

// The error names the kind it cannot measure with the right article.
func TestErrorReads(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{{errOf[any](), "holds an interface"}, {errOf[*int](), "holds a ptr"}} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%v, want it to say %q", tc.err, tc.want)
		}
	}
}
