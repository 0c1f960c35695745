package policymodel

// Policies returns every model policy, in report order: the references,
// maxmem's current design, then the candidates researched for issue 13.
func Policies() []Policy {
	return []Policy{
		LRU,
		tinyPolicy("tinylfu", "maxmem's allkeys-tinylfu as of 2026-11-29: window LRU + SLRU, "+
			"2 B/entry sketch grown into free room, hill climber", maxmemTiny),
		tinyPolicy("tinylfu-buffered", "tinylfu with maxmem's read buffering: hits applied 16 at a time "+
			"and before a write, misses counted first", with(maxmemTiny, func(o *tinyOptions) { o.bufferReads = true })),
	}
}

// with returns o changed by f.
func with(o tinyOptions, f func(*tinyOptions)) tinyOptions {
	f(&o)
	return o
}

// Lookup returns the model policy named name.
func Lookup(name string) (Policy, bool) {
	for _, p := range Policies() {
		if p.Name == name {
			return p, true
		}
	}
	return Policy{}, false
}
