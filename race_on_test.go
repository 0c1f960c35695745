//go:build race

package maxmem_test

// raceDetector is true when the tests run under the race detector, which
// makes every write several times slower.
const raceDetector = true

// raceDivisor divides the work of the long tests under the race detector.
const raceDivisor = 10
