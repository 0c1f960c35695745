package clock

import (
	"bytes"
	"os"
	"runtime"
)

// rdtsc returns the processor's time-stamp counter.
func rdtsc() uint64

// tscSynchronized reports whether the time-stamp counter can order events
// across cores: Linux uses it as its clocksource only if it runs at a
// constant rate and in step on every core.
func tscSynchronized() bool {
	if runtime.GOOS != "linux" {
		return false
	}
	b, err := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	return err == nil && string(bytes.TrimSpace(b)) == "tsc"
}
