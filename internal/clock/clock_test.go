package clock

import (
	"testing"
	"time"
)

// A calibration extrapolates at its rate for renewEvery, and for no tick
// outside that span: not before it, not after it, not at all without a
// rate.
func TestCalibrationServesOneMillisecond(t *testing.T) {
	const wall = int64(1_700_000_000_000_000_000)
	c := newCalibration(1_000, wall, 1<<31) // half a nanosecond per tick
	if got := time.Duration(c.max * c.mult >> 32); got != time.Millisecond {
		t.Fatalf("serves for %v, want 1ms", got)
	}
	for _, tc := range []struct {
		tsc  uint64
		want int64
		ok   bool
	}{
		{1_000, wall, true},
		{1_600, wall + 300, true},
		{999 + c.max, wall + int64(time.Millisecond) - 1, true},
		{1_000 + c.max, 0, false},
		{999, 0, false},
	} {
		if got, ok := c.at(tc.tsc); got != tc.want || ok != tc.ok {
			t.Errorf("at(%d) = %d, %v; want %d, %v", tc.tsc, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := newCalibration(1_000, wall, 0).at(1_000); ok {
		t.Error("a calibration without a rate extrapolated")
	}
}

// spin waits d of the monotonic clock while the counter runs.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// offTimeNow reads Now between two reads of time.Now and returns how
// far it lies outside them (0 inside): a goroutine preempted between the
// reads widens the bracket instead of failing the test.
func offTimeNow() time.Duration {
	before := time.Now().UnixNano()
	got := Now()
	after := time.Now().UnixNano()
	switch {
	case got < before:
		return time.Duration(got - before)
	case got > after:
		return time.Duration(got - after)
	}
	return 0
}

// When the system clock is stepped after a calibration (modelled by a
// calibration that is 17 s behind it), Now follows it within a
// millisecond, and the step does not change the rate it extrapolates at.
func TestWallNowFollowsClockSteps(t *testing.T) {
	if !tsc {
		t.Skip("Now is time.Now on this machine")
	}
	defer calibrated.Store(nil) // the next reader calibrates afresh
	for _, step := range []time.Duration{17 * time.Second, -17 * time.Second} {
		calibrated.Store(newCalibration(rdtsc(), time.Now().Add(-step).UnixNano(), tscRate()))
		spin(1100 * time.Microsecond)
		if d := offTimeNow(); d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("step %v: Now is %v outside the time.Now reads around it 1.1ms later", step, d)
		}
		if c := calibrated.Load(); c.mult != tscRate() {
			t.Errorf("step %v: rate %d after it, %d before", step, c.mult, tscRate())
		}
	}
}

// The extrapolated wall clock stays within a millisecond of time.Now. A
// read that is further off must be the system clock's step since the last
// calibration, so a read 1.1 ms later must be back within it.
func TestWallNowTracksTimeNow(t *testing.T) {
	if !tsc {
		t.Skip("Now is time.Now on this machine")
	}
	for i := range 200_000 {
		if d := offTimeNow(); d < -time.Millisecond || d > time.Millisecond {
			spin(1100 * time.Microsecond)
			if d := offTimeNow(); d < -time.Millisecond || d > time.Millisecond {
				t.Fatalf("read %d: Now is %v from time.Now, and still %v 1.1ms later", i, d, d)
			}
		}
	}
}

// BenchmarkWallClock compares the cache's clock with time.Now, which it
// saves a Get of an entry with a TTL from reading.
func BenchmarkWallClock(b *testing.B) {
	for _, bc := range []struct {
		name string
		now  func() int64
	}{
		{"time.Now", func() int64 { return time.Now().UnixNano() }},
		{"Now", Now},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var s int64
			for range b.N {
				s += bc.now()
			}
			if s == 0 {
				b.Log(s) // keeps the sum, and so the reads, alive
			}
		})
	}
}
