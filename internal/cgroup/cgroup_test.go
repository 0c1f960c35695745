package cgroup

import (
	"testing"
	"testing/fstest"
)

// v2 takes the lowest memory.max from the process's cgroup up to the
// root, v1 is read when v2 sets none, and "max", an unlimited v1 figure or
// a malformed file set none.
func TestMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want int64
	}{
		{"v2 nested", fstest.MapFS{
			"proc/self/cgroup":                     {Data: []byte("0::/a/b\n")},
			"sys/fs/cgroup/a/b/memory.max":         {Data: []byte("max\n")},
			"sys/fs/cgroup/a/memory.max":           {Data: []byte("1000\n")},
			"sys/fs/cgroup/memory.max":             {Data: []byte("2000\n")},
			"sys/fs/cgroup/memory/memory.max":      {Data: []byte("5\n")},
			"sys/fs/cgroup/memory/a/b/memory.high": {Data: []byte("5\n")},
		}, 1000},
		{"v1", fstest.MapFS{
			"proc/self/cgroup": {Data: []byte("4:memory:/c\n0::/\n")},
			"sys/fs/cgroup/memory/c/memory.limit_in_bytes": {Data: []byte("3000\n")},
			"sys/fs/cgroup/memory/memory.limit_in_bytes":   {Data: []byte("9223372036854771712\n")},
		}, 3000},
		{"none", fstest.MapFS{"sys/fs/cgroup/memory.max": {Data: []byte("junk")}}, 0},
	} {
		if got := MemoryLimit(tc.fsys); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
