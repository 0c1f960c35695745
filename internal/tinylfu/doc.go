// Package tinylfu is the admission layout of allkeys-tinylfu, after the
// W-TinyLFU design of Einziger, Friedman and Manes, adapted to a byte
// budget. A new entry enters a small LRU window. Behind the window is the
// main space, a segmented LRU: probation, and protected for the entries
// hit while in probation. When the shard must give up bytes and its window
// is over its share, the window's least recent entry (the candidate) faces
// the main space's least recent entry (the victim), and a count-min sketch
// of recent requests decides: the candidate moves into probation only if
// it was requested more often than the victim, which is evicted in its
// place; otherwise the candidate goes. A one-off scan thus never pushes
// the working set out, while the window still gives a new entry time to
// prove itself.
//
// The judge (judge.go) learns where that rule is wrong: it records one
// duel in four and sees which of the two keys is requested again first;
// per difference of estimates it admits where candidates come back first
// far more often (steady reuse, recency) and refuses where victims do
// (counters that collide in a small sketch, sweeps). A hill climber moves
// the boundary between window and main space by the hit ratio it
// measures, and grows the window fast while the judge admits ties
// (climber.go). Each shard keeps its own Policy, under its own lock.
//
// The sketch counts nothing until the shard first holds half its nominal
// bytes, so that the requests that fill a cache do not defend its first
// keys for several aging periods; meanwhile the window spills into
// probation, so that the keys hit while the shard fills reach protected,
// where a scan cannot reach them. The sketch halves itself every 5
// capacities of counted requests. A candidate estimated at 6 or more also
// wins, one time in 128, against a victim as frequent: a new hot set can
// replace an old one whose counts are still saturated.
//
// Invariant: every entry of the shard is in exactly one of the three
// lists, each list in the order its entries were last accessed, and
// weight[l] is the sum of the charges of list l's entries; every resident
// party of a duel in flight is marked inDuel. The sketch and the judge
// (Bytes), and the entries' nodes (NodeBytes each), are the policy's own
// memory, which the shard charges to the budget like any entry
// (memory.go).
package tinylfu
