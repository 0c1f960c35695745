package maxmem

import (
	"fmt"
	"strings"
)

// MemoryStats is the cache's MEMORY STATS: where the bytes go.
type MemoryStats struct {
	PeakAllocated  int64   // peak.allocated: used_memory_peak
	TotalAllocated int64   // total.allocated: used_memory
	MaxMemory      int64   // maxmemory; 0 means no limit
	Overhead       int64   // overhead.total: the cache's own bytes (Stats.Overhead)
	OverheadPerKey int64   // EntryOverhead, plus 8 with Options.RefreshAfter
	Dataset        int64   // dataset.bytes: the Sizer's bytes of keys and values
	DatasetPerc    float64 // dataset.percentage: Dataset as % of TotalAllocated
	PeakPerc       float64 // peak.percentage: TotalAllocated as % of PeakAllocated
	Keys           int64   // keys.count
	KeysWithTTL    int64   // keys a volatile-* policy may evict
	KeysWithoutTTL int64   // keys only an allkeys-* policy may evict
	BytesPerKey    int64   // keys.bytes-per-key: TotalAllocated / Keys
	// ProcessHeapInuse is process.heap.inuse: the whole process's Go heap
	// in use, not the cache's (see Stats.ProcessHeapInuse). Redis's
	// fragmentation figures have no counterpart here.
	ProcessHeapInuse uint64
}

// MemoryStats returns the cache's MEMORY STATS, from one Stats snapshot.
func (c *Cache[K, V]) MemoryStats() MemoryStats {
	st := c.Stats()
	m := MemoryStats{
		PeakAllocated:    st.UsedMemoryPeak,
		TotalAllocated:   st.UsedMemory,
		MaxMemory:        st.MaxMemory,
		Overhead:         st.Overhead,
		OverheadPerKey:   c.core.Overhead,
		Dataset:          st.Dataset,
		DatasetPerc:      st.datasetPerc(),
		PeakPerc:         st.PeakPerc(),
		Keys:             st.Keys,
		KeysWithTTL:      st.Expires,
		KeysWithoutTTL:   st.Keys - st.Expires,
		ProcessHeapInuse: st.ProcessHeapInuse,
	}
	if st.Keys > 0 {
		m.BytesPerKey = st.UsedMemory / st.Keys
	}
	return m
}

// String renders the figures as MEMORY STATS names them, one
// "name:value" line each, ending in CRLF.
func (m MemoryStats) String() string {
	var b strings.Builder
	for _, f := range []field{
		{"peak.allocated", m.PeakAllocated},
		{"total.allocated", m.TotalAllocated},
		{"maxmemory", m.MaxMemory},
		{"overhead.total", m.Overhead},
		{"overhead.per-key", m.OverheadPerKey},
		{"keys.count", m.Keys},
		{"keys.with-ttl", m.KeysWithTTL},
		{"keys.without-ttl", m.KeysWithoutTTL},
		{"keys.bytes-per-key", m.BytesPerKey},
		{"dataset.bytes", m.Dataset},
		{"dataset.percentage", fmt.Sprintf("%.2f", m.DatasetPerc)},
		{"peak.percentage", fmt.Sprintf("%.2f", m.PeakPerc)},
		{"process.heap.inuse", m.ProcessHeapInuse},
	} {
		fmt.Fprintf(&b, "%s:%v\r\n", f.name, f.value)
	}
	return b.String()
}
