package maxmem

import (
	"encoding/json"
	"expvar"
	"fmt"
	"strings"
	"testing"
)

// Machines read numbers: Map (what Publish serves) gives every figure as
// a number or a name, never a number formatted as text.
func TestStatsMapHasNumbers(t *testing.T) {
	s := Stats{UsedMemory: 400, UsedMemoryPeak: 800, Overhead: 100, Dataset: 300, ProcessHeapInuse: 1 << 20}
	m := s.Map()
	for name, want := range map[string]float64{
		"used_memory_dataset_perc": 75,
		"used_memory_peak_perc":    50,
	} {
		if got, ok := m[name].(float64); !ok || got != want {
			t.Errorf("Map()[%q] = %#v, want the number %v", name, m[name], want)
		}
	}
	// INFO, for people, keeps Redis's formatting of the same figures.
	for _, want := range []string{"used_memory_dataset_perc:75.00%\r\n", "used_memory_peak_perc:50.00%\r\n"} {
		if !strings.Contains(s.String(), want) {
			t.Errorf("INFO lacks %q:\n%s", want, s)
		}
	}
	for name, v := range m {
		if str, ok := v.(string); ok && name != "maxmemory_policy" && !strings.HasSuffix(name, "_human") {
			t.Errorf("Map()[%q] is the text %q", name, str)
		}
	}
}

func TestPublishServesNumbers(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	mustSet(t, c, "a", 1)
	name := fmt.Sprintf("maxmem_numbers_test_%p", c)
	if err := c.Publish(name); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(expvar.Get(name).String()), &got); err != nil {
		t.Fatal(err)
	}
	want := 100 * float64(unitSize) / float64(unit)
	if p, ok := got["used_memory_dataset_perc"].(float64); !ok || p != want {
		t.Errorf("published used_memory_dataset_perc %#v, want the number %v", got["used_memory_dataset_perc"], want)
	}
	if _, ok := got["process_heap_inuse"].(float64); !ok {
		t.Errorf("published process_heap_inuse %#v, want a number", got["process_heap_inuse"])
	}
}

// The process's heap is not the cache's fragmentation: it is shown under
// names that say whose heap it is, and mem_fragmentation_ratio, which a
// Redis operator reads as the cache's own, is not shown at all.
func TestProcessHeapIsNamedForTheProcess(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	mustSet(t, c, "a", 1)
	st := c.Stats()
	info, mem := st.String(), c.MemoryStats().String()
	for _, want := range []string{"process_heap_inuse:", "process_heap_inuse_human:", "process_heap_objects:"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO lacks %q:\n%s", want, info)
		}
	}
	if !strings.Contains(mem, "process.heap.inuse:") {
		t.Errorf("MEMORY STATS lacks process.heap.inuse:\n%s", mem)
	}
	for _, text := range []string{info, mem, fmt.Sprint(st.Map())} {
		if strings.Contains(text, "fragmentation") || strings.Contains(text, "\nheap_") {
			t.Errorf("a figure of the process's heap is named as the cache's:\n%s", text)
		}
	}
}
