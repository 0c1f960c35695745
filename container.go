package maxmem

import (
	"bufio"
	"errors"
	"io/fs"
	"math"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"
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
	limit := cgroupLimit(fsys)
	if goMemLimit > 0 && goMemLimit < math.MaxInt64 && (limit == 0 || goMemLimit < limit) {
		limit = goMemLimit
	}
	if limit == 0 {
		return 0, ErrNoMemoryLimit
	}
	return max(1, int64(float64(limit)*fraction)), nil
}

// unlimited is where cgroup v1 starts to mean "no limit" (it reports the
// largest page-aligned int64).
const unlimited = 1 << 62

// cgroupLimit returns the lowest memory limit on the process's cgroup
// and its ancestors, v2 first, then v1; 0 if none is set.
func cgroupLimit(fsys fs.FS) int64 {
	v2, v1 := cgroupPaths(fsys)
	if n := lowestLimit(fsys, "sys/fs/cgroup", v2, "memory.max"); n > 0 {
		return n
	}
	return lowestLimit(fsys, "sys/fs/cgroup/memory", v1, "memory.limit_in_bytes")
}

// cgroupPaths reads the process's cgroup v2 path and cgroup v1 memory
// path from proc/self/cgroup ("/" for those it does not find).
func cgroupPaths(fsys fs.FS) (v2, v1 string) {
	v2, v1 = "/", "/"
	f, err := fsys.Open("proc/self/cgroup")
	if err != nil {
		return v2, v1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		switch {
		case len(parts) != 3:
		case parts[0] == "0" && parts[1] == "":
			v2 = parts[2]
		case strings.Contains(","+parts[1]+",", ",memory,"):
			v1 = parts[2]
		}
	}
	return v2, v1
}

// lowestLimit returns the lowest limit in file under mount/dir and each
// ancestor of dir up to mount; 0 if none is set. In a container the
// cgroup path may name the host's hierarchy while the container sees its
// own cgroup at the mount's root: the walk up reaches it either way.
func lowestLimit(fsys fs.FS, mount, dir, file string) int64 {
	var lowest int64
	for d := path.Clean("/" + dir); ; d = path.Dir(d) {
		if n := readLimit(fsys, path.Join(mount, d, file)); n > 0 && (lowest == 0 || n < lowest) {
			lowest = n
		}
		if d == "/" {
			return lowest
		}
	}
}

// readLimit parses a memory.max or memory.limit_in_bytes file; 0 for
// "max", an unlimited figure, or a missing or malformed file.
func readLimit(fsys fs.FS, name string) int64 {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 || n >= unlimited {
		return 0
	}
	return n
}
