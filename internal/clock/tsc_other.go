//go:build !amd64

package clock

// rdtsc is not used off amd64.
func rdtsc() uint64 { return 0 }

// tscSynchronized reports false: only amd64 reads the time-stamp counter.
func tscSynchronized() bool { return false }
