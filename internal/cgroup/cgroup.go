// Package cgroup reads the memory limit of the process's control group,
// v2 or v1, from a file system rooted at / (paths without the leading
// slash), for MaxMemoryFromLimit. A limit is only ever read, never
// assumed: a missing, unlimited or malformed file counts as no limit.
package cgroup

import (
	"bufio"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// unlimited is where cgroup v1 starts to mean "no limit" (it reports the
// largest page-aligned int64).
const unlimited = 1 << 62

// MemoryLimit returns the lowest memory limit on the process's cgroup
// and its ancestors, v2 first, then v1; 0 if none is set.
func MemoryLimit(fsys fs.FS) int64 {
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
