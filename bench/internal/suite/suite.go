// Package suite splits the hit-ratio suite (the real traces of
// shared/traces/SOURCES.txt and the generators of internal/gen) into a
// tuning set and a held-out set, by workload family.
//
// Every parameter of a policy is chosen on the tuning set alone; the
// held-out set is only replayed to report how the choice carries over to
// traffic it was not made on. The split is stratified: every family with
// more than one member has members in both sets, so neither set lacks a
// kind of traffic, and the known hard cases of a family (its recency-biased
// traces, its very small caches) are not all on one side. The split was
// fixed before any policy of issue 24 was measured on it and must not be
// changed to suit a result.
package suite

// Family is a kind of workload.
type Family string

// The families.
const (
	Database   Family = "database"
	FileSystem Family = "file system"
	Web        Family = "web"
	Storage    Family = "storage"
	Synthetic  Family = "synthetic"
)

// Set is a side of the split.
type Set string

// The sets.
const (
	Tuning  Set = "tuning"
	HeldOut Set = "held-out"
)

// Member is one trace or generator of the suite.
type Member struct {
	Name   string // the trace's short name (trace.ShortName) or the generator's name
	Family Family
	Set    Set
	// Why names what the member stands for.
	Why string
}

// Members lists every trace and generator of the suite with its family and
// set, real traces first.
var Members = []Member{
	// Database: a CODASYL database, an e-commerce ORM, PostgreSQL, a
	// recommendation database and the Corda vault service.
	{"OLTP", Database, Tuning, "CODASYL database, frequency and scans"},
	{"orm-busy", Database, Tuning, "e-commerce ORM object accesses"},
	{"ps", Database, Tuning, "PostgreSQL (LIRS)"},
	{"scarab-recs", Database, HeldOut, "recommendation database, frequency a negative signal"},
	{"vaultservice", Database, HeldOut, "Corda vault service: half the keys come back once, 12 to 50 requests later"},
	// File system: the LIRS program traces (cscope, glimpse, cpp, their
	// mixes) and the Sprite file system.
	{"cs", FileSystem, Tuning, "cscope, loops"},
	{"gli", FileSystem, Tuning, "glimpse, loops"},
	{"multi1", FileSystem, Tuning, "cs and cpp together"},
	{"multi3", FileSystem, Tuning, "cpp, gli, ps and sprite together"},
	{"cpp", FileSystem, HeldOut, "cpp"},
	{"multi2", FileSystem, HeldOut, "cs, cpp and ps together"},
	{"sprite", FileSystem, HeldOut, "Sprite file system, recency-biased"},
	// Storage: block I/O.
	{"P3", Storage, Tuning, "Windows NT workstation disk"},
	{"cloudPhysicsIO", Storage, Tuning, "CloudPhysics block I/O, byte-weighted"},
	{"w106", Storage, HeldOut, "CloudPhysics block I/O"},
	// Web: product pages and a CDN.
	{"web07", Web, Tuning, "HTTP requests to product pages"},
	{"web12", Web, HeldOut, "HTTP requests to product pages"},
	{"request", Web, HeldOut, "CDN requests, byte-weighted"},
	// Synthetic traces.
	{"loop", Synthetic, Tuning, "a loop of 1011 keys"},
	{"scan", Synthetic, Tuning, "scans"},
	{"zipf_1.0", Synthetic, Tuning, "Zipf 1.0 over 1000 keys"},
	{"zigzag", Synthetic, HeldOut, "sweeps over 2001 keys alternating direction"},
	{"2_pools", Synthetic, HeldOut, "two pools of keys"},
	// Generators (internal/gen).
	{"shift-0.5x", Synthetic, Tuning, "a hot set that moves fast"},
	{"shift-2x", Synthetic, HeldOut, "a hot set that moves"},
	{"shift-10x", Synthetic, Tuning, "a hot set that moves slowly"},
	{"shift-scan", Synthetic, HeldOut, "a hot set that jumps, with scans between"},
	{"scan-burst", Synthetic, Tuning, "a hot set and bursts of one-hit keys"},
	{"scan-mixed", Synthetic, HeldOut, "a hot set and interleaved one-hit keys"},
	{"loop-1.05x", Synthetic, HeldOut, "a loop just longer than the cache"},
	{"loop-1.2x", Synthetic, Tuning, "a loop longer than the cache"},
	{"recency-log", Synthetic, Tuning, "recency-biased, log-uniform stack distances"},
	{"recency-flat", Synthetic, HeldOut, "recency-biased, flat stack distances"},
	{"mix-phases", Synthetic, Tuning, "phases of the above"},
	{"mix-blend", Synthetic, HeldOut, "a blend of the above"},
	{"reuse", Synthetic, Tuning, "steady reuse: half the new keys come back once"},
	{"reuse-hot", Synthetic, HeldOut, "steady reuse beside a hot set"},
	{"sweep-1.5x", Synthetic, Tuning, "alternating sweeps over 1.5 cache-sizes"},
	{"sweep-4x", Synthetic, Tuning, "alternating sweeps over 4 cache-sizes"},
	{"sweep-2.5x", Synthetic, HeldOut, "alternating sweeps over 2.5 cache-sizes"},
	{"sweep-7x", Synthetic, HeldOut, "alternating sweeps over 7 cache-sizes"},
	{"drift-slow", Synthetic, Tuning, "a Zipf ranking that rotates slowly to new keys"},
	{"drift-fast", Synthetic, HeldOut, "a Zipf ranking that rotates faster"},
}

// Of returns the member named name.
func Of(name string) (Member, bool) {
	for _, m := range Members {
		if m.Name == name {
			return m, true
		}
	}
	return Member{}, false
}
