package maxmem

import (
	"errors"
	"math"
	"testing"
	"testing/fstest"
)

const noGoLimit = math.MaxInt64

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func TestMaxMemoryFromCgroupAndGOMEMLIMIT(t *testing.T) {
	v2 := fstest.MapFS{
		"proc/self/cgroup":                    file("0::/app/worker\n"),
		"sys/fs/cgroup/memory.max":            file("max\n"),
		"sys/fs/cgroup/app/memory.max":        file("1073741824\n"),
		"sys/fs/cgroup/app/worker/memory.max": file("max\n"),
	}
	v1 := fstest.MapFS{
		"proc/self/cgroup":                                file("4:memory:/host/path\n0::/\n"),
		"sys/fs/cgroup/memory/memory.limit_in_bytes":      file("536870912\n"), // the container's own, at the root
		"sys/fs/cgroup/memory/host/memory.limit_in_bytes": file("9223372036854771712\n"),
	}
	none := fstest.MapFS{"sys/fs/cgroup/memory/memory.limit_in_bytes": file("9223372036854771712\n")}
	for _, tc := range []struct {
		name     string
		fsys     fstest.MapFS
		goLimit  int64
		fraction float64
		want     int64
	}{
		{"cgroup v2, limit on a parent", v2, noGoLimit, 0.5, 512 << 20},
		{"cgroup v2 and a lower GOMEMLIMIT", v2, 600 << 20, 0.5, 300 << 20},
		{"cgroup v2 and a higher GOMEMLIMIT", v2, 4 << 30, 1, 1 << 30},
		{"cgroup v1", v1, noGoLimit, 0.25, 128 << 20},
		{"GOMEMLIMIT only", none, 100 << 20, 0.5, 50 << 20},
		{"no proc file", fstest.MapFS{"sys/fs/cgroup/memory.max": file("2048")}, noGoLimit, 0.5, 1024},
	} {
		got, err := maxMemoryFrom(tc.fsys, tc.goLimit, tc.fraction)
		if err != nil || got != tc.want {
			t.Errorf("%s: %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}

func TestMaxMemoryWithoutLimit(t *testing.T) {
	none := fstest.MapFS{"sys/fs/cgroup/memory.max": file("max\n"), "sys/fs/cgroup/memory/memory.limit_in_bytes": file("garbage")}
	if _, err := maxMemoryFrom(none, noGoLimit, 0.5); !errors.Is(err, ErrNoMemoryLimit) {
		t.Fatalf("no limit: %v, want ErrNoMemoryLimit", err)
	}
	if _, err := maxMemoryFrom(fstest.MapFS{}, noGoLimit, 0.5); !errors.Is(err, ErrNoMemoryLimit) {
		t.Fatalf("empty file system: %v, want ErrNoMemoryLimit", err)
	}
}

func TestMaxMemoryBadFraction(t *testing.T) {
	for _, f := range []float64{0, -0.5, 1.5, math.NaN(), math.Inf(1)} {
		if _, err := maxMemoryFrom(fstest.MapFS{}, 1<<30, f); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("fraction %v: %v, want ErrInvalidArgument", f, err)
		}
	}
}

func TestMaxMemoryFromLimitOnThisMachine(t *testing.T) {
	n, err := MaxMemoryFromLimit(0.5)
	if (err == nil) == (n <= 0) || (err != nil && !errors.Is(err, ErrNoMemoryLimit)) {
		t.Fatalf("MaxMemoryFromLimit(0.5) = %d, %v: want a positive budget or ErrNoMemoryLimit", n, err)
	}
}
