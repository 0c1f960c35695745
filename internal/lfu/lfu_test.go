package lfu

import (
	"math/rand/v2"
	"testing"
)

func TestIncrAlwaysBelowInit(t *testing.T) {
	for c := uint8(0); c < Init; c++ {
		if got := Incr(c, 10, 0.999999); got != c+1 {
			t.Errorf("Incr(%d) = %d, want %d", c, got, c+1)
		}
	}
}

func TestIncrProbability(t *testing.T) {
	// At c = Init+1 with factor 10 the chance is 1/11.
	if got := Incr(Init+1, 10, 1.0/11-1e-9); got != Init+2 {
		t.Errorf("just under 1/11: got %d, want %d", got, Init+2)
	}
	if got := Incr(Init+1, 10, 1.0/11+1e-9); got != Init+1 {
		t.Errorf("just over 1/11: got %d, want %d", got, Init+1)
	}
	if got := Incr(Max, 10, 0); got != Max {
		t.Errorf("Incr(Max) = %d, want saturation at %d", got, Max)
	}
}

// Redis documents that with factor 10 a million hits give a counter near 255
// and a thousand hits about 10 above the start; check the growth is that slow.
func TestIncrIsLogarithmic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	c := uint8(Init)
	for range 1000 {
		c = Incr(c, 10, r.Float64())
	}
	if c < 15 || c > 25 {
		t.Errorf("after 1000 hits counter = %d, want about 18", c)
	}
	for range 1_000_000 {
		c = Incr(c, 10, r.Float64())
	}
	if c < 200 {
		t.Errorf("after 1M hits counter = %d, want near 255", c)
	}
}

func TestDecay(t *testing.T) {
	cases := []struct {
		c         uint8
		then, now uint16
		decay     int
		want      uint8
	}{
		{10, 0, 0, 1, 10},
		{10, 0, 3, 1, 7},
		{10, 0, 3, 2, 9},
		{10, 0, 50, 1, 0},
		{10, 65535, 1, 1, 8}, // the minute clock wrapped
		{10, 0, 100, 0, 10},  // decay disabled
	}
	for _, tc := range cases {
		if got := Decay(tc.c, tc.then, tc.now, tc.decay); got != tc.want {
			t.Errorf("Decay(%d, %d, %d, %d) = %d, want %d", tc.c, tc.then, tc.now, tc.decay, got, tc.want)
		}
	}
}
