package maxmem

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"runtime/debug"

	"github.com/maxmem/maxmem/internal/cgroup"
)

// ErrNoMemoryLimit is returned by MaxMemoryFromLimit when the process has
// no memory limit to take a fraction of.
var ErrNoMemoryLimit = errors.New("maxmem: no memory limit found: run under a cgroup memory limit (memory.max, or memory.limit_in_bytes in cgroup v1) or set GOMEMLIMIT")

// MaxMemoryFromLimit returns fraction of the process's memory limit, as a
// budget for Options.MaxMemory in a container: the limit is the cgroup's
// (v2 memory.max of the process's cgroup and its ancestors, else v1
// memory.limit_in_bytes), or the Go runtime's soft limit (GOMEMLIMIT or
// debug.SetMemoryLimit), whichever is lower when both are set. Leave room
// for the rest of the program: the cache's bytes are part of the heap, and
// the heap is part of the process.
//
// fraction must be in (0, 1]; otherwise the error wraps ErrInvalidArgument.
// With no limit set it returns ErrNoMemoryLimit.
func MaxMemoryFromLimit(fraction float64) (int64, error) {
	return maxMemoryFrom(os.DirFS("/"), debug.SetMemoryLimit(-1), fraction)
}

// maxMemoryFrom is MaxMemoryFromLimit reading the cgroup files from fsys
// (the root file system; paths without the leading slash) and given the
// runtime's memory limit (math.MaxInt64: none).
func maxMemoryFrom(fsys fs.FS, goMemLimit int64, fraction float64) (int64, error) {
	if !(fraction > 0 && fraction <= 1) {
		return 0, invalid("MaxMemoryFromLimit: fraction %v is outside (0, 1]", fraction)
	}
	limit := cgroup.MemoryLimit(fsys)
	if goMemLimit > 0 && goMemLimit < math.MaxInt64 && (limit == 0 || goMemLimit < limit) {
		limit = goMemLimit
	}
	if limit == 0 {
		return 0, ErrNoMemoryLimit
	}
	return max(1, int64(float64(limit)*fraction)), nil
}
