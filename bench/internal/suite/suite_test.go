package suite

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/gen"
	"github.com/maxmem/maxmem/bench/internal/trace"
)

// TestEveryGeneratorIsSplit: every generator has one member, synthetic.
func TestEveryGeneratorIsSplit(t *testing.T) {
	for _, g := range gen.All() {
		m, ok := Of(g.Name)
		if !ok {
			t.Errorf("generator %s is in neither set", g.Name)
		} else if m.Family != Synthetic {
			t.Errorf("generator %s in family %s", g.Name, m.Family)
		}
	}
}

// TestEveryTraceIsSplit: every trace of SOURCES.txt has a member (skipped
// when the traces are absent).
func TestEveryTraceIsSplit(t *testing.T) {
	dir := os.Getenv("HITRATIO_TRACES")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "traces")
	}
	entries, err := trace.LoadSources(dir)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no traces in %s: %v", dir, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := Of(e.Name); !ok {
			t.Errorf("trace %s is in neither set", e.Name)
		}
	}
}

// TestSplitIsStratified: names are unique; every member has a known family
// and set; every family of more than one member has members in both sets;
// each set holds at least a third of the members.
func TestSplitIsStratified(t *testing.T) {
	seen := map[string]bool{}
	sets := map[Family]map[Set]int{}
	total := map[Set]int{}
	for _, m := range Members {
		if seen[m.Name] {
			t.Errorf("%s listed twice", m.Name)
		}
		seen[m.Name] = true
		switch m.Family {
		case Database, FileSystem, Web, Storage, Synthetic:
		default:
			t.Errorf("%s: unknown family %q", m.Name, m.Family)
		}
		if m.Set != Tuning && m.Set != HeldOut {
			t.Errorf("%s: unknown set %q", m.Name, m.Set)
		}
		if sets[m.Family] == nil {
			sets[m.Family] = map[Set]int{}
		}
		sets[m.Family][m.Set]++
		total[m.Set]++
	}
	for f, s := range sets {
		if s[Tuning]+s[HeldOut] > 1 && (s[Tuning] == 0 || s[HeldOut] == 0) {
			t.Errorf("family %s: %d tuning, %d held-out", f, s[Tuning], s[HeldOut])
		}
	}
	for _, s := range []Set{Tuning, HeldOut} {
		if 3*total[s] < len(Members) {
			t.Errorf("set %s holds %d of %d members", s, total[s], len(Members))
		}
	}
	if _, ok := Of("no-such"); ok {
		t.Error("Of found an unknown name")
	}
}
