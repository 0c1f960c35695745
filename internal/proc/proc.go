// Package proc tells which processor runs the caller, for state kept in
// stripes, one per processor, so that goroutines on different processors
// write different cache lines (as sync.Pool keeps its pools).
//
// Invariant: Pin returns a value in [0, GOMAXPROCS) for the processor the
// caller ran on; it may have moved since Unpin, which only costs a shared
// line.
package proc

import (
	"math/bits"
	"runtime"
	_ "unsafe" // for go:linkname
)

// Stripes returns how many stripes state kept per processor needs: one
// per processor that runs Go code, rounded up to a power of two so that
// Pin()&(n-1) picks one, at most max (a power of two); processors
// beyond share.
func Stripes(max int) int {
	return min(1<<bits.Len(uint(runtime.GOMAXPROCS(0)-1)), max)
}

// Pin returns the index of the processor running the caller and keeps
// the goroutine on it until Unpin, which the caller calls at once when it
// only wants the index. They are the runtime's own (sync.Pool picks its
// per-processor pool with them), called directly: a wrapper could not be
// inlined, and a Get counts its hit with them.
//
//go:linkname Pin runtime.procPin
func Pin() int

// Unpin ends Pin.
//
//go:linkname Unpin runtime.procUnpin
func Unpin()
