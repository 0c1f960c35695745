package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/maxmem/maxmem/bench/internal/sim"
	"github.com/maxmem/maxmem/bench/internal/suite"
)

// The misses: every cell where maxmem misses a per-cell bar, with its
// figures, by side of the split and trace, so that each can be given its
// reason; the reasons and the closing note are written by hand in the
// notes file (-notes), which the report includes after the lists.

// missRule is one bar whose misses are listed: cache against the lower of
// refs, less margin.
type missRule struct {
	title  string
	cache  string
	refs   []string
	margin float64
}

// missRules are the bars of issue 24 for allkeys-tinylfu, and DESIGN.md's
// rule for allkeys-lru.
var missRules = []missRule{
	{"allkeys-tinylfu below otter − 0.5", "maxmem allkeys-tinylfu", []string{"otter"}, -0.5},
	{"allkeys-tinylfu below exact LRU − 1", "maxmem allkeys-tinylfu", []string{"LRU (exact)"}, -1},
	{"allkeys-lru below the lower of exact LRU and Redis 10 samples, − 0.5", "maxmem allkeys-lru",
		[]string{"LRU (exact)", sim.RedisLRU10}, -0.5},
}

// writeMisses lists, for each rule whose caches ran, the cells that miss
// it, then includes the notes file if there is one.
func writeMisses(p func(string, ...any), traces []*loadedTrace, caches []sim.Factory, res results, notes string) {
	p("## Every miss\n\n")
	p("Each line is one trace: the cells that miss the bar, as size: the cache's hit ratio, ")
	p("then the reference's, then the difference. Their reasons follow the lists.\n\n")
	for _, r := range missRules {
		c := cacheIndex(caches, r.cache)
		refs := make([]int, len(r.refs))
		for i, name := range r.refs {
			if refs[i] = cacheIndex(caches, name); refs[i] < 0 {
				c = -1
			}
		}
		if c < 0 {
			continue
		}
		p("### %s\n\n", r.title)
		for _, set := range []suite.Set{suite.Tuning, suite.HeldOut} {
			lines, cells := missLines(traces, res, c, refs, r.margin, set)
			p("%s set: %d cells.\n\n", strings.ToUpper(string(set[:1]))+string(set[1:]), cells)
			for _, l := range lines {
				p("- %s\n", l)
			}
			if len(lines) > 0 {
				p("\n")
			}
		}
	}
	if notes == "" {
		return
	}
	if b, err := os.ReadFile(notes); err == nil {
		p("%s\n", strings.TrimSpace(string(b)))
	}
}

// missLines returns one line per trace of set with cells where cache c
// is more than -margin below the lower of refs, and how many cells those
// are.
func missLines(traces []*loadedTrace, res results, c int, refs []int, margin float64, set suite.Set) (lines []string, cells int) {
	for ti, t := range traces {
		if t.member.Set != set {
			continue
		}
		var parts []string
		for si := range t.sizes {
			a := res[ti][c][si]
			bar, ok := lowest(res[ti], refs, si)
			if !a.ran || !ok || a.res.HitRatio() >= bar+margin-1e-9 {
				continue
			}
			cells++
			parts = append(parts, fmt.Sprintf("%s: %.2f vs %.2f (%+.2f)", formatSize(t.sizes[si], t.weighted()),
				a.res.HitRatio(), bar, a.res.HitRatio()-bar))
		}
		if len(parts) > 0 {
			lines = append(lines, fmt.Sprintf("**%s** (%s): %s", t.Name, t.member.Family, strings.Join(parts, "; ")))
		}
	}
	return lines, cells
}

// lowest returns the lowest hit ratio of the caches refs at size index si.
func lowest(res [][]cell, refs []int, si int) (float64, bool) {
	bar, ok := 0.0, false
	for _, r := range refs {
		if cl := res[r][si]; cl.ran && (!ok || cl.res.HitRatio() < bar) {
			bar, ok = cl.res.HitRatio(), true
		}
	}
	return bar, ok
}
