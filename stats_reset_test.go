package maxmem

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// ResetStats is CONFIG RESETSTAT: the event counters start again from 0
// and the peak from the current use; what describes the present stays.
func TestResetStats(t *testing.T) {
	c, clock := newTestCache(t, 4, AllKeysLRU)
	for i := range 6 { // two evictions
		mustSet(t, c, fmt.Sprint("k", i), i)
	}
	mustSetTTL(t, c, "t", 1, time.Second)
	clock.Advance(2 * time.Second)
	c.Get("t") // an expiry and a miss
	c.Get("k5")
	c.Delete("k5")
	c.Delete("k4") // the peak is now above the current use
	if err := c.SetPolicy(NoEviction); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		mustSet(t, c, fmt.Sprint("n", i), i)
	}
	c.Set("refused", 0)
	before := c.Stats()
	if before.Hits == 0 || before.Misses == 0 || before.EvictedKeys == 0 || before.ExpiredKeys == 0 ||
		before.OOMRejections == 0 || before.Writes == 0 || before.UsedMemoryPeak <= before.UsedMemory-unit {
		t.Fatalf("the set-up did not produce every kind of event: %+v", before)
	}

	c.ResetStats()
	st := c.Stats()
	if st.Hits != 0 || st.Misses != 0 || st.EvictedKeys != 0 || st.ExpiredKeys != 0 ||
		st.OOMRejections != 0 || st.Writes != 0 || st.UsedMemoryPeak != st.UsedMemory {
		t.Fatalf("after ResetStats: %+v", st)
	}
	if st.UsedMemory != before.UsedMemory || st.Keys != before.Keys || st.Policy != before.Policy {
		t.Fatalf("ResetStats changed the present: before %+v, after %+v", before, st)
	}
	if got := findings(c); got != nil {
		t.Fatalf("Doctor after ResetStats still finds %v", got)
	}

	c.Get("n0") // counting goes on from zero
	c.Set("refused", 0)
	if st := c.Stats(); st.Hits != 1 || st.OOMRejections != 1 {
		t.Fatalf("after ResetStats and one hit and one refusal: hits %d, total_oom_errors %d", st.Hits, st.OOMRejections)
	}
	wantFinding(t, c, "oom-noeviction", "1 writes were refused under noeviction")
}

// Hits that reads recorded but the shard has not replayed yet belong to
// the time before the reset.
func TestResetStatsCountsRecordedReads(t *testing.T) {
	c, _ := newBytesCache(t, 0, nil, 1)
	c.Set("a", []byte("1"))
	for range 100 {
		c.Get("a")
	}
	c.ResetStats()
	if st := c.Stats(); st.Hits != 0 {
		t.Fatalf("keyspace_hits %d after ResetStats, want 0", st.Hits)
	}
}

func TestDoctorSaysCountersMayHaveBeenReset(t *testing.T) {
	c, _ := newTestCache(t, 1, NoEviction)
	mustSet(t, c, "a", 1)
	c.Set("b", 2)
	if text := c.Doctor(); !strings.Contains(text, "since the cache was created or stats were reset") {
		t.Fatalf("Doctor does not say since when it counts:\n%s", text)
	}
}
