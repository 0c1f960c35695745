package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// profileSection runs each of -profile-ops on maxmem under the CPU
// profiler, one process per operation, and prints the functions that
// take the most time, by flat and by cum share.
func (r *report) profileSection() error {
	r.printf("## Profiles\n\nWhere the time goes: maxmem (allkeys-lru) under the CPU profiler, one goroutine running a BenchmarkLatency operation for %s on a cache of 2^14 entries prefilled as the benchmark does, one process per operation. Shares of all the process's CPU samples: flat is time in the function itself, cum adds what it calls. The cum ranking leaves out the measuring loop (package main, the benchmarks' adapter, the runtime's entry points); type arguments are shown as [...].\n\n", r.o.profTime)
	for _, op := range strings.Split(r.o.profOps, ",") {
		var p profileResult
		args := []string{"-child", "profile", "-cache", "maxmem", "-op", strings.TrimSpace(op), "-profile-time", r.o.profTime.String()}
		if err := subprocess(&p, args...); err != nil {
			return err
		}
		r.printf("### %s\n\n%s operations, %.1f ns/op under the profiler, %.2f s of CPU sampled.\n\n", p.Op, commas(p.Ops), p.NsPerOp, p.CPU)
		r.printf("%s\n", profileTable(p.Funcs, r.o.profTop))
	}
	return nil
}

// profileTable formats the n functions of fs with the most flat time
// next to the n with the most cum time (harness left out).
func profileTable(fs []funcShare, n int) string {
	byFlat := topBy(fs, n, func(f funcShare) float64 { return f.Flat }, func(string) bool { return false })
	byCum := topBy(fs, n, func(f funcShare) float64 { return f.Cum }, harness)
	var b strings.Builder
	b.WriteString("| # | function, by flat | flat | function, by cum | cum |\n|---:|---|---:|---|---:|\n")
	for i := 0; i < max(len(byFlat), len(byCum)); i++ {
		row := []string{strconv.Itoa(i + 1), "", "", "", ""}
		if i < len(byFlat) {
			row[1], row[2] = "`"+shortName(byFlat[i].Func)+"`", percent(byFlat[i].Flat)
		}
		if i < len(byCum) {
			row[3], row[4] = "`"+shortName(byCum[i].Func)+"`", percent(byCum[i].Cum)
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
	}
	return b.String()
}

// percent formats a fraction as a percentage with one decimal.
func percent(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }

// shares returns each function's flat share (of the samples where it is
// innermost) and cum share (of those where it is anywhere on the stack,
// counted once per sample) of the samples' total value, by name.
func shares(samples []stackSample) []funcShare {
	sum := total(samples)
	flat, cum := map[string]int64{}, map[string]int64{}
	for _, s := range samples {
		if len(s.funcs) > 0 {
			flat[s.funcs[0]] += s.value
		}
		seen := map[string]bool{}
		for _, f := range s.funcs {
			if !seen[f] {
				seen[f] = true
				cum[f] += s.value
			}
		}
	}
	out := make([]funcShare, 0, len(cum))
	for f, c := range cum {
		if sum > 0 {
			out = append(out, funcShare{f, float64(flat[f]) / float64(sum), float64(c) / float64(sum)})
		}
	}
	slices.SortFunc(out, func(a, b funcShare) int { return strings.Compare(a.Func, b.Func) })
	return out
}

// total returns the sum of the samples' values.
func total(samples []stackSample) int64 {
	var sum int64
	for _, s := range samples {
		sum += s.value
	}
	return sum
}

// topBy returns the n functions with the highest key, ties by name,
// leaving out those skip names.
func topBy(fs []funcShare, n int, key func(funcShare) float64, skip func(string) bool) []funcShare {
	var out []funcShare
	for _, f := range fs {
		if !skip(f.Func) && key(f) > 0 {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b funcShare) int {
		if ka, kb := key(a), key(b); ka != kb {
			if ka > kb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Func, b.Func)
	})
	return out[:min(n, len(out))]
}

// harness tells whether a function is the measuring loop around the
// operation rather than the cache: this command (package main), the
// benchmarks' adapters, and the runtime's entry points. They hold nearly
// every sample, so the cum ranking leaves them out.
func harness(fn string) bool {
	return strings.HasPrefix(fn, "main.") || strings.HasPrefix(fn, "github.com/maxmem/maxmem/bench/internal/peers.") ||
		fn == "runtime.main" || fn == "runtime.goexit"
}

// shortName drops a function's import path but its last element, and
// the type arguments of generic names: "github.com/a/b.(*T[int]).M"
// becomes "b.(*T[...]).M".
func shortName(fn string) string {
	var b strings.Builder
	depth := 0
	for _, r := range fn {
		switch {
		case r == '[':
			if depth == 0 {
				b.WriteString("[...]")
			}
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	s := b.String()
	return s[strings.LastIndexByte(s, '/')+1:]
}
