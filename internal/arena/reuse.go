//go:build !race

package arena

// reuse keeps freed chunks for the next ones to fill (see drop).
const reuse = true
