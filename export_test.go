package maxmem

// Hooks for the external tests (package maxmem_test), which otherwise see
// only the public API. Each is one line; a rewrite of the core keeps them
// working (or the equivalent under the same name).

// StopSweeper ends c's background expiry and waits until it has ended, so
// that a test sees only the expiry the calls do themselves. Close may
// still be called afterwards.
func StopSweeper[K comparable, V any](c *Cache[K, V]) { c.sweeper.Stop() }

// FakeClock is the tests' Clock that moves only when told
// (helpers_test.go), for the contract suite too.
type FakeClock = fakeClock

// NewFakeClock returns a FakeClock at a fixed time.
func NewFakeClock() *FakeClock { return newFakeClock() }

// LiveHeap is heapInUse (memory_test.go), for the size tests.
func LiveHeap() int64 { return heapInUse() }
