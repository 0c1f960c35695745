package maxmemprom_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"text/template"
	"time"

	"github.com/maxmem/maxmem"
	"github.com/maxmem/maxmem/maxmemprom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
)

// exposition is the text a collector named .Name exports for the Stats
// it embeds: every metric, with its help and type.
var exposition = template.Must(template.New("").Funcs(template.FuncMap{
	"seconds": time.Duration.Seconds,
}).Parse(`
# HELP maxmem_config_maxmemory_policy The eviction policy in force, as its label; always 1 (maxmemory_policy).
# TYPE maxmem_config_maxmemory_policy gauge
maxmem_config_maxmemory_policy{cache="{{.Name}}",policy="{{.Policy}}"} 1
# HELP maxmem_db_avg_ttl_seconds Estimated mean time left of the keys with a TTL, 0 if none (avg_ttl of INFO keyspace).
# TYPE maxmem_db_avg_ttl_seconds gauge
maxmem_db_avg_ttl_seconds{cache="{{.Name}}",db="db0"} {{seconds .AvgTTL}}
# HELP maxmem_db_keys Keys resident in the cache (keys of INFO keyspace).
# TYPE maxmem_db_keys gauge
maxmem_db_keys{cache="{{.Name}}",db="db0"} {{.Keys}}
# HELP maxmem_db_keys_expiring Keys with a TTL (expires of INFO keyspace).
# TYPE maxmem_db_keys_expiring gauge
maxmem_db_keys_expiring{cache="{{.Name}}",db="db0"} {{.Expires}}
# HELP maxmem_errors_total Writes refused with ErrOOM, by error; Redis counts them as errorstat_OOM (total_oom_errors).
# TYPE maxmem_errors_total counter
maxmem_errors_total{cache="{{.Name}}",err="OOM"} {{.OOMRejections}}
# HELP maxmem_evicted_keys_total Keys the policy evicted to make room (evicted_keys).
# TYPE maxmem_evicted_keys_total counter
maxmem_evicted_keys_total{cache="{{.Name}}"} {{.EvictedKeys}}
# HELP maxmem_expired_keys_total Keys removed because their TTL passed (expired_keys).
# TYPE maxmem_expired_keys_total counter
maxmem_expired_keys_total{cache="{{.Name}}"} {{.ExpiredKeys}}
# HELP maxmem_keyspace_hits_total Reads that found their key (keyspace_hits).
# TYPE maxmem_keyspace_hits_total counter
maxmem_keyspace_hits_total{cache="{{.Name}}"} {{.Hits}}
# HELP maxmem_keyspace_misses_total Reads that did not find their key (keyspace_misses).
# TYPE maxmem_keyspace_misses_total counter
maxmem_keyspace_misses_total{cache="{{.Name}}"} {{.Misses}}
# HELP maxmem_load_duration_seconds_total Time the loader calls took, by the cache's clock; divide by maxmem_loads_total for the mean (total_load_time_usec).
# TYPE maxmem_load_duration_seconds_total counter
maxmem_load_duration_seconds_total{cache="{{.Name}}"} {{seconds .LoadTime}}
# HELP maxmem_load_failures_total Loader calls that failed or panicked; a not-found is no failure (total_load_failures).
# TYPE maxmem_load_failures_total counter
maxmem_load_failures_total{cache="{{.Name}}"} {{.LoadFailures}}
# HELP maxmem_loads_total Loader calls of GetOrLoad, GetOrLoadAll and refreshes (total_loads).
# TYPE maxmem_loads_total counter
maxmem_loads_total{cache="{{.Name}}"} {{.Loads}}
# HELP maxmem_memory_max_bytes The byte budget; 0 means no limit (maxmemory).
# TYPE maxmem_memory_max_bytes gauge
maxmem_memory_max_bytes{cache="{{.Name}}"} {{.MaxMemory}}
# HELP maxmem_memory_used_bytes Bytes charged to the budget: keys, values and the cache's own overhead (used_memory).
# TYPE maxmem_memory_used_bytes gauge
maxmem_memory_used_bytes{cache="{{.Name}}"} {{.UsedMemory}}
# HELP maxmem_memory_used_dataset_bytes Bytes of keys and values as the Sizer counts them (used_memory_dataset).
# TYPE maxmem_memory_used_dataset_bytes gauge
maxmem_memory_used_dataset_bytes{cache="{{.Name}}"} {{.Dataset}}
# HELP maxmem_memory_used_overhead_bytes The cache's own bytes: per-entry overhead plus the policy's memory (used_memory_overhead).
# TYPE maxmem_memory_used_overhead_bytes gauge
maxmem_memory_used_overhead_bytes{cache="{{.Name}}"} {{.Overhead}}
# HELP maxmem_memory_used_peak_bytes The most bytes ever charged since the cache was created or its stats reset (used_memory_peak).
# TYPE maxmem_memory_used_peak_bytes gauge
maxmem_memory_used_peak_bytes{cache="{{.Name}}"} {{.UsedMemoryPeak}}
# HELP maxmem_memory_used_policy_bytes Bytes the policy keeps besides the entries, such as allkeys-tinylfu's sketches (used_memory_policy).
# TYPE maxmem_memory_used_policy_bytes gauge
maxmem_memory_used_policy_bytes{cache="{{.Name}}"} {{.PolicyMemory}}
# HELP maxmem_refreshes_total Background reloads that RefreshAfter started (total_refreshes).
# TYPE maxmem_refreshes_total counter
maxmem_refreshes_total{cache="{{.Name}}"} {{.Refreshes}}
# HELP maxmem_uncached_loads_total Values loaded and returned but not stored: they did not fit, came with a negative TTL or after Close (total_uncached_loads).
# TYPE maxmem_uncached_loads_total counter
maxmem_uncached_loads_total{cache="{{.Name}}"} {{.UncachedLoads}}
# HELP maxmem_writes_total Writes and TTL changes the cache accepted (total_writes).
# TYPE maxmem_writes_total counter
maxmem_writes_total{cache="{{.Name}}"} {{.Writes}}
`))

// expected returns the exposition of a collector named name over s.
func expected(t *testing.T, name string, s maxmem.Stats) *strings.Reader {
	t.Helper()
	var b strings.Builder
	err := exposition.Execute(&b, struct {
		Name string
		maxmem.Stats
	}{name, s})
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReader(b.String())
}

// clock is a Clock that moves only when told, safe to read from the
// cache's sweeper while a test moves it.
type clock struct{ now atomic.Int64 } // nanoseconds since 1970

// Now returns the clock's time.
func (c *clock) Now() time.Time { return time.Unix(0, c.now.Load()) }

// advance moves the clock d forward.
func (c *clock) advance(d time.Duration) { c.now.Add(int64(d)) }

// newCache returns an allkeys-lru cache of one shard with a fixed seed, a
// budget of maxMemory bytes and its clock at a fixed time: its figures are
// the same in every run.
func newCache(t *testing.T, maxMemory int64) (*maxmem.Cache[string, []byte], *clock) {
	t.Helper()
	clk := &clock{}
	clk.now.Store(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	c, err := maxmem.New(maxmem.Options[string, []byte]{
		MaxMemory: maxMemory, Policy: maxmem.AllKeysLRU, Shards: 1, Seed: 1, Clock: clk,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, clk
}

// entryCharge returns what a cache charges an entry of a two-byte key and a
// 100-byte value, the entries the tests store, as MemoryUsage reports it.
func entryCharge(t *testing.T) int64 {
	t.Helper()
	c, _ := newCache(t, 0)
	if err := c.Set("k0", make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	n, ok := c.MemoryUsage("k0")
	if !ok {
		t.Fatal("MemoryUsage: k0 is missing")
	}
	return n
}

// TestCollectorOnCache drives a cache through every counter and compares
// the whole exposition with figures worked out from what the test did: the
// memory from the charge of one entry (MemoryUsage) and EntryOverhead, the
// counts from the calls.
func TestCollectorOnCache(t *testing.T) {
	u := entryCharge(t)
	budget := 4*u + u/2 // four entries fit, a fifth evicts one
	c, clk := newCache(t, budget)
	value := make([]byte, 100)
	must(t, c.Set("k0", value))
	must(t, c.Set("k1", value))
	must(t, c.SetWithTTL("k2", value, 30*time.Second))
	must(t, c.SetWithTTL("k3", value, 90*time.Second))
	// A scrape at the fullest records the peak, 4u, exactly; between
	// reads of Stats the peak is exact only to within the shards' leases.
	c.Stats()

	must(t, c.Set("k4", value)) // evicts k0, the least recently used
	if _, ok := c.Get("k4"); !ok {
		t.Fatal("k4 is missing")
	}
	if _, ok := c.Get("k0"); ok {
		t.Fatal("k0 was not evicted")
	}
	if err := c.Set("big", make([]byte, budget)); !errors.Is(err, maxmem.ErrOOM) {
		t.Fatalf("Set of an entry larger than maxmemory: %v, want ErrOOM", err)
	}
	loaded, err := c.GetOrLoad(context.Background(), "loaded",
		func(context.Context, string) ([]byte, time.Duration, error) { return make([]byte, budget), 0, nil })
	if err != nil || len(loaded) != int(budget) {
		t.Fatalf("GetOrLoad of a value that cannot fit: %d bytes, %v; want it served uncached", len(loaded), err)
	}
	clk.advance(40 * time.Second) // k2 expires; k3 has 50 s left
	if _, ok := c.Get("k2"); ok {
		t.Fatal("k2 outlived its TTL")
	}

	overhead := maxmem.EntryOverhead[string, []byte]()
	want := maxmem.Stats{
		UsedMemory:     3 * u, // k1, k3, k4
		UsedMemoryPeak: 4 * u,
		MaxMemory:      budget,
		Policy:         "allkeys-lru",
		Keys:           3,
		Expires:        1,
		Hits:           1, // k4
		Misses:         3, // k0, loaded, k2
		EvictedKeys:    1, // k0
		ExpiredKeys:    1, // k2
		OOMRejections:  2, // big, loaded
		UncachedLoads:  1, // loaded
		Loads:          1, // loaded, in no time by the test's clock
		Overhead:       3 * overhead,
		Dataset:        3 * (u - overhead),
		AvgTTL:         50 * time.Second,
		Writes:         5, // k0 to k4
	}
	if err := testutil.CollectAndCompare(maxmemprom.New("sessions", c), expected(t, "sessions", want)); err != nil {
		t.Error(err)
	}
}

// must fails the test if err is not nil.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// distinct returns Stats whose every field has a value of its own, none 0.
func distinct() maxmem.Stats {
	return maxmem.Stats{
		UsedMemory: 1001, UsedMemoryPeak: 1002, MaxMemory: 1003, Policy: "volatile-ttl",
		Keys: 1004, Expires: 1005, Hits: 1006, Misses: 1007, EvictedKeys: 1008,
		ExpiredKeys: 1009, OOMRejections: 1010, UncachedLoads: 1011, Overhead: 1012,
		PolicyMemory: 1013, Dataset: 1014, AvgTTL: 1500 * time.Millisecond, Writes: 1016,
		ProcessHeapInuse: 1017, ProcessHeapObjects: 1018, Loads: 1019, LoadFailures: 1020,
		LoadTime: 1021 * time.Millisecond, Refreshes: 1022,
	}
}

// TestCollectorMapsEachField checks that each figure reaches its own
// metric: every field of the Stats the collector reads has a value no
// other field has.
func TestCollectorMapsEachField(t *testing.T) {
	s := distinct()
	c := maxmemprom.NewCollector("blobs", func() maxmem.Stats { return s })
	if err := testutil.CollectAndCompare(c, expected(t, "blobs", s)); err != nil {
		t.Error(err)
	}
}

// notExported are the fields of Stats no metric carries, and why.
var notExported = map[string]string{
	"ProcessHeapInuse":   "the whole process's heap: client_golang's go_memstats_heap_inuse_bytes",
	"ProcessHeapObjects": "the whole process's heap: client_golang's go_memstats_heap_objects",
}

// TestEveryStatsFieldIsExported sets one field of Stats at a time and
// checks that the exposition changes, so a field added to Stats fails here
// until it has a row in the collector's metrics (or an entry in
// notExported, with the reason).
func TestEveryStatsFieldIsExported(t *testing.T) {
	zero := scrape(t, maxmem.Stats{})
	typ := reflect.TypeFor[maxmem.Stats]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		var s maxmem.Stats
		v := reflect.ValueOf(&s).Elem().Field(i)
		switch v.Kind() {
		case reflect.Int64:
			v.SetInt(7)
		case reflect.Uint64:
			v.SetUint(7)
		case reflect.String:
			v.SetString("seven")
		default:
			t.Fatalf("Stats.%s is a %s: teach this test to set it", f.Name, f.Type)
		}
		changed := scrape(t, s) != zero
		if why, skipped := notExported[f.Name]; skipped {
			if changed {
				t.Errorf("Stats.%s is exported, but notExported says %s", f.Name, why)
			}
		} else if !changed {
			t.Errorf("Stats.%s reaches no metric: add a row to metrics in collector.go, or the field to notExported with the reason", f.Name)
		}
	}
}

// scrape returns the exposition of a collector over s. (It encodes the
// gathered metrics itself: testutil.CollectAndFormat keeps only the metrics
// it is given names of, and with none it returns nothing.)
func scrape(t *testing.T, s maxmem.Stats) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(maxmemprom.NewCollector("c", func() maxmem.Stats { return s }))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestTwoCachesOneRegistry registers two caches in one registry and reads
// each one's figures under its own cache label.
func TestTwoCachesOneRegistry(t *testing.T) {
	sessions, _ := newCache(t, 0)
	pages, _ := newCache(t, 0)
	must(t, sessions.Set("a", []byte("1")))
	must(t, sessions.Set("b", []byte("2")))
	must(t, pages.Set("c", []byte("3")))
	sessions.Get("a")
	pages.Get("absent")

	reg := prometheus.NewPedanticRegistry() // also checks Collect against Describe
	reg.MustRegister(maxmemprom.New("sessions", sessions), maxmemprom.New("pages", pages))
	want := `
# HELP maxmem_db_keys Keys resident in the cache (keys of INFO keyspace).
# TYPE maxmem_db_keys gauge
maxmem_db_keys{cache="pages",db="db0"} 1
maxmem_db_keys{cache="sessions",db="db0"} 2
# HELP maxmem_keyspace_hits_total Reads that found their key (keyspace_hits).
# TYPE maxmem_keyspace_hits_total counter
maxmem_keyspace_hits_total{cache="pages"} 0
maxmem_keyspace_hits_total{cache="sessions"} 1
# HELP maxmem_keyspace_misses_total Reads that did not find their key (keyspace_misses).
# TYPE maxmem_keyspace_misses_total counter
maxmem_keyspace_misses_total{cache="pages"} 1
maxmem_keyspace_misses_total{cache="sessions"} 0
`
	err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"maxmem_db_keys", "maxmem_keyspace_hits_total", "maxmem_keyspace_misses_total")
	if err != nil {
		t.Error(err)
	}
	each := testutil.CollectAndCount(maxmemprom.New("one", pages))
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 2*each {
		t.Errorf("the registry gathered %d series (%v), want %d for each cache", n, err, each)
	}
}

// TestSameNameTwice checks that a second collector under a name already
// registered is refused, as two caches must not share a label.
func TestSameNameTwice(t *testing.T) {
	a, _ := newCache(t, 0)
	b, _ := newCache(t, 0)
	reg := prometheus.NewRegistry()
	must(t, reg.Register(maxmemprom.New("sessions", a)))
	var dup prometheus.AlreadyRegisteredError
	if err := reg.Register(maxmemprom.New("sessions", b)); !errors.As(err, &dup) {
		t.Errorf("a second collector named sessions: %v, want prometheus.AlreadyRegisteredError", err)
	}
}

// TestLint runs client_golang's linter, which checks the names, units and
// help of the metrics against Prometheus's conventions.
func TestLint(t *testing.T) {
	problems, err := testutil.CollectAndLint(maxmemprom.NewCollector("c", distinct))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}
