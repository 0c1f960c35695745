package main

import (
	"fmt"
	"strings"

	"github.com/maxmem/maxmem/bench/internal/peers"
)

// selectCaches returns the factories of the caches named in list (comma-
// separated, the -caches flag) in table order, or every cache when list
// is empty. A name that is no cache's is an error.
func selectCaches(list string) ([]peers.Factory, error) {
	if strings.TrimSpace(list) == "" {
		return peers.All(), nil
	}
	want := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if _, ok := peers.Lookup(name); !ok {
			return nil, fmt.Errorf("-caches: unknown cache %q", name)
		}
		want[name] = true
	}
	var fs []peers.Factory
	for _, f := range peers.All() {
		if want[f.Name] {
			fs = append(fs, f)
		}
	}
	return fs, nil
}
