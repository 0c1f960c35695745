package maxmem

import (
	"fmt"
	"slices"
	"strings"
)

// finding is one problem Doctor reports, with its fix.
type finding struct {
	id      string // stable name, for tests
	problem string
	fix     string
}

// Thresholds of Doctor's findings.
const (
	doctorMinWrites   = 100     // writes before eviction pressure is judged
	doctorPeakSlack   = 1 << 20 // peak above current that is worth a word
	doctorHeapSlack   = 64 << 20
	doctorMinUsed     = 1 << 20 // used_memory before heap is compared to it
	doctorMinBigKeys  = 10      // keys before big keys are judged
	doctorVolatilePct = 10      // % of keys with a TTL below which volatile-* starves
)

// Doctor examines the live cache and answers in plain language, as Redis's
// MEMORY DOCTOR does: each problem found, with its fix, or that the cache
// is healthy. It looks for writes refused under noeviction, a volatile-*
// policy with few keys carrying a TTL, refusals of entries larger than
// maxmemory, refusals by an evicting policy that found nothing to evict,
// evictions that are a large share of writes (a budget too small for the
// working set), a few keys holding most of the memory, a peak far above
// current use, and a process heap far above used_memory.
//
// Each refusal is judged by the policy and maxmemory in force when it
// happened, not by today's: refusals under noeviction stay noeviction's
// after a switch to allkeys-lru. Counters are since the cache was created
// or stats were reset (ResetStats); after fixing a problem, ResetStats lets
// the next Doctor show whether it recurs. Cost: one Stats snapshot and a
// BigKeys walk over every entry (see BigKeys).
func (c *Cache[K, V]) Doctor() string {
	st := c.Stats()
	fs := c.diagnose(st)
	if len(fs) == 0 {
		return fmt.Sprintf("maxmem memory doctor: no problems found. used_memory %s of maxmemory %s, policy %s, %d keys (%d with a TTL).\n",
			humanBytes(st.UsedMemory), maxHuman(st.MaxMemory), st.Policy, st.Keys, st.Expires)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "maxmem memory doctor: %d problem(s) found (counters since the cache was created or stats were reset).\n", len(fs))
	for _, f := range fs {
		fmt.Fprintf(&b, "\n * %s\n   Fix: %s\n", f.problem, f.fix)
	}
	return b.String()
}

// evidence is what Doctor judges: a Stats snapshot, and the refusals by
// the cause judged when each happened.
type evidence struct {
	Stats
	refused map[refusal]uint64
	largest int64 // the largest entry refused as larger than maxmemory
}

// diagnose runs every check on st, the refusals and the live cache.
func (c *Cache[K, V]) diagnose(st Stats) []finding {
	ev := evidence{Stats: st}
	ev.refused, ev.largest = c.stats.refused.snapshot()
	var fs []finding
	for _, check := range []func(evidence) (finding, bool){
		oomUnderNoEviction, volatileWithoutTTLs, oomTooLarge, oomNoVictim, evictionPressure,
		c.bigKeysDominate, peakAboveCurrent, heapAboveUsed,
	} {
		if f, ok := check(ev); ok {
			fs = append(fs, f)
		}
	}
	return fs
}

func maxHuman(m int64) string {
	if m == 0 {
		return "unlimited"
	}
	return humanBytes(m)
}

func isVolatile(policy string) bool { return strings.HasPrefix(policy, "volatile-") }

// fewTTLs reports whether a volatile-* policy has too few keys to evict.
func fewTTLs(st Stats) bool {
	return isVolatile(st.Policy) && st.Keys > 0 && st.Expires*100 < st.Keys*doctorVolatilePct
}

// afterFix is the fix of refusals whose cause is gone: what changed, and
// how to see whether they recur.
func afterFix(change string) string {
	return change + ", which should end them: call ResetStats, and the next Doctor shows whether any refusal follows."
}

func oomUnderNoEviction(ev evidence) (finding, bool) {
	n := ev.refused[refusal{policy: NoEviction.Name()}]
	if n == 0 {
		return finding{}, false
	}
	p := fmt.Sprintf("OOM: %d writes were refused under noeviction, which never evicts (used_memory %s of maxmemory %s)",
		n, humanBytes(ev.UsedMemory), maxHuman(ev.MaxMemory))
	if ev.Policy != NoEviction.Name() {
		return finding{"oom-noeviction", p + fmt.Sprintf("; the policy is now %s.", ev.Policy),
			afterFix("the switch to " + ev.Policy + " lets writes evict")}, true
	}
	return finding{"oom-noeviction", p + ".",
		"if this is a cache, switch to an evicting policy (SetPolicy(AllKeysLRU)); if every key must stay, raise MaxMemory or delete keys, and have writers wait (SetWait) or fall back to the source of truth."}, true
}

func volatileWithoutTTLs(ev evidence) (finding, bool) {
	if !fewTTLs(ev.Stats) {
		return finding{}, false
	}
	p := fmt.Sprintf("%s evicts only keys with a TTL, and only %d of %d keys have one: the cache cannot make room",
		ev.Policy, ev.Expires, ev.Keys)
	if n := ev.refused[refusal{policy: ev.Policy}]; n > 0 {
		p += fmt.Sprintf(" (%d writes already refused with OOM)", n)
	}
	return finding{"volatile-without-ttl", p + ".",
		fmt.Sprintf("write cache-like keys with SetWithTTL (or Expire them), or switch to %s.", allKeysFor(ev.Policy))}, true
}

// oomTooLarge covers refusals of entries larger than maxmemory was then,
// under any policy.
func oomTooLarge(ev evidence) (finding, bool) {
	var n uint64
	for r, k := range ev.refused {
		if r.tooLarge {
			n += k
		}
	}
	if n == 0 {
		return finding{}, false
	}
	p := fmt.Sprintf("OOM: %d writes were refused because the entry alone was larger than maxmemory: no policy can make room for it (the largest needed %s; maxmemory is %s).",
		n, humanBytes(ev.largest), maxHuman(ev.MaxMemory))
	if ev.MaxMemory == 0 || ev.MaxMemory >= ev.largest {
		return finding{"oom-too-large", p, afterFix("MaxMemory now holds the largest")}, true
	}
	return finding{"oom-too-large", p,
		"raise MaxMemory above the largest entry, or split or shrink big values (BigKeys lists the largest resident ones)."}, true
}

// oomNoVictim covers refusals by an evicting policy that found nothing
// more it may evict: a volatile-* policy out of keys with a TTL (unless
// volatileWithoutTTLs reports it now), a custom policy that named none.
func oomNoVictim(ev evidence) (finding, bool) {
	var under []string
	for r, n := range ev.refused {
		if r.tooLarge || r.policy == NoEviction.Name() || r.policy == ev.Policy && fewTTLs(ev.Stats) {
			continue
		}
		under = append(under, fmt.Sprintf("%d under %s", n, r.policy))
	}
	if len(under) == 0 {
		return finding{}, false
	}
	slices.Sort(under)
	return finding{"oom-no-victim",
		fmt.Sprintf("OOM: writes were refused because the policy found nothing more it may evict: %s (used_memory %s of maxmemory %s).",
			strings.Join(under, ", "), humanBytes(ev.UsedMemory), maxHuman(ev.MaxMemory)),
		"a volatile-* policy evicts only keys with a TTL: give more keys a TTL or switch to its allkeys-* twin; otherwise raise MaxMemory or delete keys (OOMError.Hint says which for each refusal)."}, true
}

func evictionPressure(ev evidence) (finding, bool) {
	st := ev.Stats
	if st.Writes < doctorMinWrites || st.EvictedKeys*2 < st.Writes {
		return finding{}, false
	}
	perKey := int64(0)
	if st.Keys > 0 {
		perKey = st.UsedMemory / st.Keys
	}
	all := (st.Keys + int64(st.EvictedKeys)) * perKey
	return finding{"eviction-pressure",
		fmt.Sprintf("Evictions: %d keys were evicted for %d writes (%.0f%%), hit ratio %s: the budget is too small for the working set.",
			st.EvictedKeys, st.Writes, 100*float64(st.EvictedKeys)/float64(st.Writes), hitRatio(st)),
		fmt.Sprintf("raise MaxMemory; at %s per key, holding every key written so far would take at most %s.",
			humanBytes(perKey), humanBytes(all))}, true
}

func hitRatio(st Stats) string {
	if st.Hits+st.Misses == 0 {
		return "n/a (no reads)"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(st.Hits)/float64(st.Hits+st.Misses))
}

// bigKeysDominate reports when the largest 1% of keys (at least one) hold
// half of used_memory or more.
func (c *Cache[K, V]) bigKeysDominate(ev evidence) (finding, bool) {
	st := ev.Stats
	if st.Keys < doctorMinBigKeys || st.UsedMemory == 0 {
		return finding{}, false
	}
	top, _ := c.BigKeys(max(1, int(st.Keys/100)))
	var sum int64
	names := make([]string, 0, 3)
	for i, u := range top {
		sum += u.Bytes
		if i < cap(names) {
			names = append(names, fmt.Sprintf("%v (%s)", u.Key, humanBytes(u.Bytes)))
		}
	}
	if sum*2 < st.UsedMemory {
		return finding{}, false
	}
	return finding{"big-keys",
		fmt.Sprintf("Big keys: %d of %d keys hold %s of %s used: %s.",
			len(top), st.Keys, humanBytes(sum), humanBytes(st.UsedMemory), strings.Join(names, ", ")),
		"split or shrink these values, give them a TTL, or keep them outside the cache; BigKeys and MemoryUsage show the largest."}, true
}

func peakAboveCurrent(ev evidence) (finding, bool) {
	st := ev.Stats
	if st.UsedMemoryPeak-st.UsedMemory < doctorPeakSlack || 2*st.UsedMemoryPeak <= 3*st.UsedMemory {
		return finding{}, false
	}
	return finding{"peak",
		fmt.Sprintf("Peak memory: the cache once held %s, more than 150%% of the %s it holds now (used_memory_peak_perc %.2f%%).",
			humanBytes(st.UsedMemoryPeak), humanBytes(st.UsedMemory), st.PeakPerc()),
		"the Go heap may still be sized for the peak: if the peak will not return, lower MaxMemory to what you need, and set GOMEMLIMIT so the runtime gives memory back; if it will, make sure the process's memory limit allows for it."}, true
}

func heapAboveUsed(ev evidence) (finding, bool) {
	st := ev.Stats
	heap := int64(st.ProcessHeapInuse)
	if st.UsedMemory < doctorMinUsed || heap < 2*st.UsedMemory || heap-st.UsedMemory < doctorHeapSlack {
		return finding{}, false
	}
	return finding{"heap",
		fmt.Sprintf("Heap: the whole process's Go heap in use (process_heap_inuse) is %s, %.1f times the %s the cache charges (used_memory).",
			humanBytes(heap), float64(heap)/float64(st.UsedMemory), humanBytes(st.UsedMemory)),
		"if the cache should hold most of the heap, the Sizer undercounts (pointers, maps, nested slices): measure a value with MemoryUsage against the heap and fix the Sizer; otherwise the rest of the program uses the heap, so size MaxMemory from the process's limit minus that (MaxMemoryFromLimit)."}, true
}
