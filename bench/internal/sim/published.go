package sim

// MiB is a mebibyte, the unit of libCacheSim's published cache sizes.
const MiB = 1 << 20

// Published is a published hit-ratio curve for exact LRU on one trace, as
// quoted in the traces' SOURCES.txt.
type Published struct {
	// Trace is the trace's short name (trace.ShortName of its file).
	Trace string
	// Sizes are cache capacities: entries, or bytes for weighted traces.
	Sizes []int64
	// LRU holds the published LRU hit ratios in percent, one per size.
	LRU []float64
	// Source names where the figures come from.
	Source string
}

// Tolerance is how far, in percentage points, the exact-LRU reference may
// stray from a published figure (the figures are printed to 0.01).
const Tolerance = 0.05

// arcSizes are the cache sizes, in entries, of the ARC paper's OLTP table,
// which Caffeine's simulator also uses for gli and loop.
var arcSizes = []int64{250, 500, 750, 1000, 1250, 1500, 1750, 2000}

// PublishedLRU lists the published LRU figures the simulator must reproduce.
var PublishedLRU = []Published{
	{
		Trace: "OLTP", Sizes: arcSizes,
		LRU:    []float64{16.47, 23.45, 28.28, 32.83, 36.21, 38.70, 40.79, 42.47},
		Source: "ARC paper (Megiddo & Modha, FAST '03); Caffeine simulator",
	},
	{
		Trace: "gli", Sizes: arcSizes,
		LRU:    []float64{0.91, 0.95, 1.15, 11.21, 21.25, 36.56, 45.04, 57.41},
		Source: "Caffeine simulator",
	},
	{
		Trace: "loop", Sizes: arcSizes,
		LRU:    []float64{0, 0, 0, 0, 99.80, 99.80, 99.80, 99.80},
		Source: "Caffeine simulator (0% up to 1000 entries, 99.80% from 1250)",
	},
	{
		Trace: "P3", Sizes: []int64{32768},
		LRU:    []float64{3.57},
		Source: "ARC paper (Megiddo & Modha, FAST '03)",
	},
	{
		Trace:  "cloudPhysicsIO",
		Sizes:  []int64{128 * MiB, 256 * MiB, 384 * MiB, 512 * MiB, 640 * MiB, 768 * MiB, 896 * MiB, 1024 * MiB},
		LRU:    []float64{18.00, 21.15, 26.61, 28.23, 36.34, 36.68, 36.80, 37.03},
		Source: "libCacheSim test/test_evictionAlgo.c (byte-sized, no per-object overhead)",
	},
}

// LookupPublished returns the published LRU curve of a trace.
func LookupPublished(trace string) (Published, bool) {
	for _, p := range PublishedLRU {
		if p.Trace == trace {
			return p, true
		}
	}
	return Published{}, false
}
