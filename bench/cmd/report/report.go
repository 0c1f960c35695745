package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// report gathers the sections' results, so the targets section can
// compare across them.
type report struct {
	o     options
	w     io.Writer
	bench benchResults
	mem   map[string][2]memResult // by cache: without and with TTL
	gc    map[string]gcResult
	gcw   map[string]gcWritesResult
	scale []scaleResult // by size, smallest first
}

// run prints every requested section.
func (r *report) run() error {
	want := map[string]bool{}
	for _, s := range strings.Split(r.o.sections, ",") {
		want[strings.TrimSpace(s)] = true
	}
	want["profiles"] = want["profiles"] || r.o.profiles
	steps := []struct {
		name string
		fn   func() error
	}{
		{"env", r.envSection},
		{"bench", r.benchSections},
		{"mem", r.memSection},
		{"gc", r.gcSection},
		{"gcwrites", r.gcWritesSection},
		{"scale", r.scaleSection},
		{"profiles", r.profileSection},
		{"targets", r.targetSection},
	}
	for _, s := range steps {
		if !want[s.name] {
			continue
		}
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// printf writes to the report.
func (r *report) printf(format string, args ...any) {
	fmt.Fprintf(r.w, format, args...)
}

// envSection prints the machine and toolchain.
func (r *report) envSection() error {
	e := currentEnvironment()
	r.printf("Measured %s on %s (%d cores), %s, GOMAXPROCS=%d.\n\n",
		e.Date, e.CPU, e.Cores, e.GoVersion, e.GOMAXPROCS)
	return nil
}

// subprocess runs this binary with args and decodes its JSON output
// into v.
func subprocess(v any, args ...string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "report: running", strings.Join(args, " "))
	cmd := exec.Command(exe, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	return json.Unmarshal(out.Bytes(), v)
}

// memSection measures heap per entry for each cache, with and without
// TTL, each in its own process.
func (r *report) memSection() error {
	fs, err := selectCaches(r.o.caches)
	if err != nil {
		return err
	}
	r.mem = map[string][2]memResult{}
	r.printf("## Memory\n\nHeap retained per entry after `runtime.GC()` with %s entries of a 16-byte key and a 64-byte value (80 bytes); overhead is what is left after those 80 bytes. TTL entries expire in an hour.\n\n", commas(r.o.memN))
	r.printf("| cache | bytes/entry | overhead | bytes/entry, TTL | overhead, TTL | stored |\n|---|---:|---:|---:|---:|---:|\n")
	var charged []string
	for _, f := range fs {
		var pair [2]memResult
		for i, ttl := range []bool{false, true} {
			if ttl && !f.TTL {
				continue
			}
			args := []string{"-child", "mem", "-cache", f.Name, "-n", strconv.Itoa(r.o.memN), "-ttl=" + strconv.FormatBool(ttl)}
			if err := subprocess(&pair[i], args...); err != nil {
				return err
			}
		}
		r.mem[f.Name] = pair
		r.printf("| %s | %.0f | %.0f | %s | %s | %s |\n", f.Name, pair[0].PerEntry, pair[0].PerEntry-keyLen-valueLen,
			orDash(pair[1].PerEntry, pair[1].N > 0), orDash(pair[1].PerEntry-keyLen-valueLen, pair[1].N > 0), commas(pair[0].Stored))
		if pair[0].Charged > 0 {
			charged = append(charged, fmt.Sprintf("%s charges %.0f bytes/entry (%.0f with TTL) against a real %.0f (%.0f)",
				f.Name, pair[0].Charged, pair[1].Charged, pair[0].PerEntry, pair[1].PerEntry))
		}
	}
	r.printf("\n")
	for _, c := range charged {
		r.printf("%s.\n\n", c)
	}
	return nil
}

// gcSection measures forced-GC time and GC CPU share per cache.
func (r *report) gcSection() error {
	fs, err := selectCaches(r.o.caches)
	if err != nil {
		return err
	}
	r.gc = map[string]gcResult{}
	r.printf("## GC\n\nWith %s entries resident (16-byte keys, 64-byte values): the median time of a forced `runtime.GC()`, then the GC's share of all CPU (`/cpu/classes/gc/total` over `/cpu/classes/total`) during %s operations on GOMAXPROCS goroutines (75 %% Get of Zipf keys, 25 %% Set of a fresh value, and %d bytes of pointer-free garbage per operation standing in for the application around the cache, so GCs happen at an application-set rate). GC CPU counts only whole cycles (the runtime folds CPU time in as a cycle ends). One process per cache.\n\n",
		commas(r.o.gcN), commas(r.o.gcOps), r.o.gcGarbage)
	r.printf("| cache | live heap MiB | forced GC ms | GC CPU | GC cycles | allocated MiB | Mops/s | stored |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, f := range fs {
		var g gcResult
		args := []string{"-child", "gc", "-cache", f.Name, "-n", strconv.Itoa(r.o.gcN),
			"-gc-ops", strconv.Itoa(r.o.gcOps), "-gc-garbage", strconv.Itoa(r.o.gcGarbage)}
		if err := subprocess(&g, args...); err != nil {
			return err
		}
		r.gc[f.Name] = g
		r.printf("| %s | %.0f | %.1f | %.1f %% | %d | %.0f | %.2f | %s |\n", f.Name, g.HeapMB, ms(g.ForcedGC.Seconds()),
			100*g.GCFraction, g.GCCycles, g.AllocMB, g.OpsPerSec/1e6, commas(g.Stored))
	}
	r.printf("\n")
	return nil
}

// scaleSection measures maxmem's Get and Set as it grows.
func (r *report) scaleSection() error {
	r.printf("## Scale\n\nmaxmem Get (hit) and Set (update) of stored keys in a scattered order, one goroutine, best of three runs of 2M operations, next to a built-in map lookup of the same keys.\n\n")
	r.printf("| entries | Get ns/op | Set ns/op | map Get ns/op | maxmem heap MiB |\n|---:|---:|---:|---:|---:|\n")
	for n := 10_000; n <= r.o.scaleMax; n *= 10 {
		var s scaleResult
		if err := subprocess(&s, "-child", "scale", "-n", strconv.Itoa(n)); err != nil {
			return err
		}
		r.printf("| %s | %.1f | %.1f | %.1f | %.0f |\n", commas(n), s.GetNs, s.SetNs, s.MapGetNs, s.MaxmemMB)
		r.scale = append(r.scale, s)
	}
	r.printf("\n")
	return nil
}

// ms converts seconds to milliseconds.
func ms(s float64) float64 { return s * 1000 }

// orDash formats v, or a dash when it was not measured.
func orDash(v float64, ok bool) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.0f", v)
}

// commas formats n with thousands separators.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
