//go:build race

package arena

// reuse is off under the race detector. A Get without the lock may read a
// chunk that a writer is reusing under it; the reader then sees the
// sequence move and throws what it read away (see Table.Lend), but the
// detector, which does not know that, would report the overlap.
const reuse = false
