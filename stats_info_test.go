package maxmem

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStatsStringHasRedisFields(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	mustSetTTL(t, c, "a", 1, 10*time.Second)
	mustSetTTL(t, c, "b", 2, 20*time.Second)
	mustSet(t, c, "c", 3)
	c.Get("a")
	c.Get("zz")
	out := c.Stats().String()
	for _, want := range []string{
		"# Memory\r\n", "# Stats\r\n", "# Keyspace\r\n",
		"used_memory:", "used_memory_human:", "used_memory_peak:", "used_memory_peak_human:",
		"used_memory_peak_perc:100.00%\r\n", "used_memory_dataset:300\r\n",
		"process_heap_inuse:", "process_heap_objects:",
		"maxmemory_human:", "maxmemory_policy:allkeys-lru\r\n",
		"evicted_keys:0\r\n", "expired_keys:0\r\n", "keyspace_hits:1\r\n",
		"keyspace_misses:1\r\n", "total_oom_errors:0\r\n",
		"db0:keys=3,expires=2,avg_ttl=15000\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("INFO lacks %q:\n%s", want, out)
		}
	}
	overhead := "used_memory_overhead:" + strconv.FormatInt(3*EntryOverhead[string, int](), 10) + "\r\n"
	if !strings.Contains(out, overhead) {
		t.Errorf("INFO lacks %q:\n%s", overhead, out)
	}
	if bare := regexp.MustCompile(`[^\r]\n`); bare.MatchString(out) {
		t.Errorf("a line does not end in CRLF:\n%q", out)
	}
}

func TestStatsPeakPerc(t *testing.T) {
	s := Stats{UsedMemory: 7, UsedMemoryPeak: 8}
	if got := s.PeakPerc(); got != 87.5 {
		t.Errorf("PeakPerc = %v, want 87.5", got)
	}
	if !strings.Contains(s.String(), "used_memory_peak_perc:87.50%\r\n") {
		t.Errorf("String lacks used_memory_peak_perc:87.50%%:\n%s", s)
	}
	if z := (Stats{}); z.PeakPerc() != 100 || strings.Contains(z.String(), "db0:") {
		t.Errorf("zero Stats: peak %v, %q", z.PeakPerc(), z.String())
	}
}

func TestStatsReadsTheHeap(t *testing.T) {
	c, _ := newTestCache(t, 10, nil)
	if st := c.Stats(); st.ProcessHeapInuse == 0 || st.ProcessHeapObjects == 0 {
		t.Fatalf("process_heap_inuse %d, process_heap_objects %d: want the process's figures", st.ProcessHeapInuse, st.ProcessHeapObjects)
	}
}

func TestAvgTTLIsEstimatedFromSamples(t *testing.T) {
	clock := newFakeClock()
	c, err := New(Options[int, int]{Shards: 1, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const n = 5000 // TTLs 1s..5000s: mean 2500.5s, far more than one shard samples
	for i := 1; i <= n; i++ {
		if err := c.SetWithTTL(i, i, time.Duration(i)*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	got := c.Stats().AvgTTL.Seconds()
	if got < 2000 || got > 3000 {
		t.Fatalf("avg_ttl %.0fs, want about 2500s", got)
	}
	clock.Advance(time.Hour)
	c.sweep() // 1400 keys left, with 1s..1400s: mean 700.5s
	if got := c.Stats().AvgTTL.Seconds(); got < 500 || got > 900 {
		t.Fatalf("avg_ttl an hour later %.0fs, want about 700s", got)
	}
}
