package main

import (
	"fmt"
	"strings"

	"github.com/maxmem/maxmem/bench/internal/peers"
)

// target is one goal of the "Speed and memory" issue and its outcome.
type target struct {
	goal     string
	measured string
	met      bool
	known    bool
}

// targetSection prints each goal, what was measured and whether it is
// met; goals whose inputs were not measured say so.
func (r *report) targetSection() error {
	ts := []target{
		r.throughputTarget(100, 1.0),
		r.throughputTarget(90, 1.0),
		r.throughputTarget(50, 1.5),
		r.throughputTarget(25, 1.5),
		r.throughputTarget(0, 1.5),
		r.everyPeerTarget(),
		r.getHitTarget(),
		r.allocsTarget(),
		r.overheadRatioTarget(),
		r.overheadBytesTarget(),
		r.forcedGCTarget(),
		r.scaleTarget(),
		r.tinyLFUCostTarget(),
	}
	r.printf("## Targets\n\n| goal | measured | met |\n|---|---|---|\n")
	for _, t := range ts {
		verdict := "not measured"
		if t.known {
			verdict = map[bool]string{true: "yes", false: "**no**"}[t.met]
		}
		r.printf("| %s | %s | %s |\n", t.goal, t.measured, verdict)
	}
	r.printf("\n")
	return nil
}

// throughputTarget checks maxmem's ops/s at reads % against min x otter.
func (r *report) throughputTarget(reads int, min float64) target {
	t := target{goal: fmt.Sprintf("throughput at %d %% reads ≥ %.1fx otter", reads, min), measured: "–"}
	if r.bench == nil {
		return t
	}
	run := fmt.Sprintf("reads=%d%%", reads)
	v, ok := r.ratio(throughputName(run, "maxmem"), throughputName(run, "otter"), "ops/s")
	if ok {
		t.measured, t.met, t.known = fmt.Sprintf("%.2fx", v), v >= min, true
	}
	return t
}

// everyPeerTarget checks maxmem's ops/s at 50 % reads and fewer against
// every peer's, and reports the worst ratio.
func (r *report) everyPeerTarget() target {
	t := target{goal: "throughput at 50 % reads and fewer ≥ 1.0x every peer", measured: "–"}
	if r.bench == nil {
		return t
	}
	var cells []cell
	for _, reads := range []int{50, 25, 0} {
		run := fmt.Sprintf("reads=%d%%", reads)
		for _, f := range peers.Peers() {
			v, ok := r.ratio(throughputName(run, "maxmem"), throughputName(run, f.Name), "ops/s")
			if ok {
				cells = append(cells, cell{v, fmt.Sprintf("%s at %s", f.Name, run)})
			}
		}
	}
	if w, ok := lowest(cells); ok {
		t.measured = fmt.Sprintf("%.2fx at worst (%s)", w.v, w.at)
		t.met, t.known = w.v >= 1, true
	}
	return t
}

// allocsTarget checks that maxmem's Get hit, Set update and Set
// insert+evict allocate nothing, and names those that do.
func (r *report) allocsTarget() target {
	t := target{goal: "0 allocs/op for Get, Set update and Set insert+evict", measured: "–"}
	if r.bench == nil {
		return t
	}
	var allocating []string
	for _, op := range []string{"GetHit", "SetUpdate", "SetInsertEvict"} {
		v, ok := r.bench.median(latencyName(op, "maxmem"), "allocs/op")
		if !ok {
			return t
		}
		if v != 0 {
			allocating = append(allocating, fmt.Sprintf("%s %.0f", op, v))
		}
	}
	t.measured, t.met, t.known = "0 in each", len(allocating) == 0, true
	if !t.met {
		t.measured = strings.Join(allocating, ", ")
	}
	return t
}

// tinyLFUCostTarget checks the hit-ratio issue's bound on the cost of
// allkeys-tinylfu: at every read share, at least 0.9x allkeys-lru's ops/s.
// It reports the worst read share.
func (r *report) tinyLFUCostTarget() target {
	t := target{goal: "allkeys-tinylfu throughput ≥ 0.9x allkeys-lru at every read share", measured: "–"}
	if r.bench == nil {
		return t
	}
	var cells []cell
	for _, reads := range readShares {
		run := fmt.Sprintf("reads=%d%%", reads)
		v, ok := r.ratio(throughputName(run, "maxmem-tinylfu"), throughputName(run, "maxmem"), "ops/s")
		if !ok {
			return t
		}
		cells = append(cells, cell{v, run})
	}
	if w, ok := lowest(cells); ok {
		t.measured = fmt.Sprintf("%.2fx at worst (%s)", w.v, w.at)
		t.met, t.known = w.v >= 0.9, true
	}
	return t
}

// scaleTarget checks that maxmem's Get and Set cost stays within 1.3x
// across the sizes of the scale table: the dearest size over the cheapest.
func (r *report) scaleTarget() target {
	t := target{goal: fmt.Sprintf("Get and Set within 1.3x from 10,000 to %s entries", commas(r.o.scaleMax)), measured: "–"}
	if len(r.scale) < 2 {
		return t
	}
	get, set := spread(r.scale, func(s scaleResult) float64 { return s.GetNs }),
		spread(r.scale, func(s scaleResult) float64 { return s.SetNs })
	t.measured = fmt.Sprintf("Get %.1fx, Set %.1fx", get, set)
	t.met, t.known = get <= 1.3 && set <= 1.3, true
	return t
}

// spread returns the largest of f over rs divided by the smallest.
func spread(rs []scaleResult, f func(scaleResult) float64) float64 {
	lo, hi := f(rs[0]), f(rs[0])
	for _, r := range rs[1:] {
		lo, hi = min(lo, f(r)), max(hi, f(r))
	}
	return hi / lo
}

// cell is one compared figure of a target and where it was measured.
type cell struct {
	v  float64
	at string
}

// lowest returns the cell with the lowest figure, or false if there is
// none.
func lowest(cells []cell) (cell, bool) {
	if len(cells) == 0 {
		return cell{}, false
	}
	w := cells[0]
	for _, c := range cells[1:] {
		if c.v < w.v {
			w = c
		}
	}
	return w, true
}

// getHitTarget checks maxmem's Get hit against the built-in map.
func (r *report) getHitTarget() target {
	t := target{goal: "Get hit ≤ 1.5x built-in map", measured: "–"}
	if r.bench == nil {
		return t
	}
	v, ok := r.ratio(latencyName("GetHit", "maxmem"), latencyName("GetHit", "map"), "ns/op")
	if ok {
		t.measured, t.met, t.known = fmt.Sprintf("%.2fx", v), v <= 1.5, true
	}
	return t
}

// ttlOverhead returns a cache's overhead per entry with TTL.
func (r *report) ttlOverhead(name string) (float64, bool) {
	m, ok := r.mem[name]
	if !ok || m[1].N == 0 {
		return 0, false
	}
	return m[1].PerEntry - keyLen - valueLen, true
}

// overheadRatioTarget checks maxmem's TTL overhead against otter's.
func (r *report) overheadRatioTarget() target {
	t := target{goal: "overhead per entry with TTL ≤ 0.5x otter", measured: "–"}
	mm, ok1 := r.ttlOverhead("maxmem")
	ot, ok2 := r.ttlOverhead("otter")
	if ok1 && ok2 && ot > 0 {
		v := mm / ot
		t.measured = fmt.Sprintf("%.2fx (%.0f B vs %.0f B)", v, mm, ot)
		t.met, t.known = v <= 0.5, true
	}
	return t
}

// overheadBytesTarget checks maxmem's TTL overhead in bytes.
func (r *report) overheadBytesTarget() target {
	t := target{goal: "overhead per entry with TTL ≤ 64 B", measured: "–"}
	if mm, ok := r.ttlOverhead("maxmem"); ok {
		t.measured, t.met, t.known = fmt.Sprintf("%.0f B", mm), mm <= 64, true
	}
	return t
}

// forcedGCTarget checks maxmem's forced GC time against otter's.
func (r *report) forcedGCTarget() target {
	t := target{goal: fmt.Sprintf("forced GC at %s entries ≤ 0.5x otter", commas(r.o.gcN)), measured: "–"}
	mm, ok1 := r.gc["maxmem"]
	ot, ok2 := r.gc["otter"]
	if ok1 && ok2 && ot.ForcedGC > 0 {
		v := float64(mm.ForcedGC) / float64(ot.ForcedGC)
		t.measured = fmt.Sprintf("%.2fx (%.1f ms vs %.1f ms)", v, ms(mm.ForcedGC.Seconds()), ms(ot.ForcedGC.Seconds()))
		t.met, t.known = v <= 0.5, true
	}
	return t
}
