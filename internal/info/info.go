// Package info holds what INFO shows that depends on no cache: the
// process's Go heap, read from runtime/metrics, and byte counts written
// for people as Redis writes them.
package info

import (
	"fmt"
	"runtime/metrics"
)

// heapMetrics are the runtime/metrics behind ProcessHeapInuse and
// ProcessHeapObjects.
var heapMetrics = [...]string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/gc/heap/objects:objects",
}

// Heap returns the process's heap bytes in use (as MemStats.HeapInuse
// counts them: objects plus the unused part of their spans) and its number
// of heap objects.
func Heap() (inuse, objects uint64) {
	var s [len(heapMetrics)]metrics.Sample
	for i, name := range heapMetrics {
		s[i].Name = name
	}
	metrics.Read(s[:])
	return s[0].Value.Uint64() + s[1].Value.Uint64(), s[2].Value.Uint64()
}

// Bytes formats n as Redis's bytesToHuman: 512B, 1.50K, 2.00M, ...
func Bytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%dB", n)
	}
	v := float64(n)
	for _, unit := range []string{"K", "M", "G", "T", "P"} {
		v /= 1024
		if v < 1024 || unit == "P" {
			return fmt.Sprintf("%.2f%s", v, unit)
		}
	}
	panic("unreachable")
}
