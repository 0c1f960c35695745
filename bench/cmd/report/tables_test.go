package main

import (
	"strings"
	"testing"
)

// The latency table has a DeleteSet column after LatencyOp's operations,
// and its maxmem / map row has a cell for every column.
func TestLatencyTableHasDeleteSet(t *testing.T) {
	b := benchOf(t, lat("GetHit", "maxmem", 60, 0), lat("GetHit", "map", 15, 0),
		lat("DeleteSet", "maxmem", 300, 0), lat("DeleteSet", "otter", 600, 3))
	var out strings.Builder
	(&report{bench: b, w: &out}).latencyTable()
	for _, want := range []string{
		"| cache | GetHit | GetMiss | SetUpdate | SetInsertEvict | DeleteSet |\n|---|---:|---:|---:|---:|---:|\n",
		"| maxmem | 60.0 (0) | – | – | – | 300.0 (0) |\n",
		"| otter | – | – | – | – | 600.0 (3) |\n",
		"| **maxmem / otter** | – | – | – | – | 0.50x |\n",
		"| **maxmem / map** | 4.00x | | | | |\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
