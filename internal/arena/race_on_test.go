//go:build race

package arena

// raceSlowdown divides the work of the long tests under the race detector.
const raceSlowdown = 10
