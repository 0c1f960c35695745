package main

import (
	"strings"
	"testing"

	"github.com/maxmem/maxmem/bench/internal/peers"
)

// names lists the factories' names.
func names(fs []peers.Factory) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.Name)
	}
	return strings.Join(s, ",")
}

// -caches keeps the named caches in table order, every cache when empty,
// and refuses a name that is no cache's.
func TestSelectCaches(t *testing.T) {
	fs, err := selectCaches(" otter, maxmem")
	if err != nil || names(fs) != "maxmem,otter" {
		t.Errorf("otter, maxmem: %s, %v; want maxmem,otter", names(fs), err)
	}
	if fs, err := selectCaches(""); err != nil || names(fs) != names(peers.All()) {
		t.Errorf("empty: %s, %v; want every cache", names(fs), err)
	}
	if _, err := selectCaches("maxmem,nocache"); err == nil || !strings.Contains(err.Error(), "nocache") {
		t.Errorf("unknown cache: %v, want an error naming it", err)
	}
}
