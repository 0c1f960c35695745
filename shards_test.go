package maxmem

import (
	"fmt"
	"testing"
)

// keysOfShard returns n keys that hash to shard i of c.
func keysOfShard[V any](c *Cache[string, V], i, n int) []string {
	var keys []string
	for k := 0; len(keys) < n; k++ {
		key := fmt.Sprint("key", k)
		if c.shardFor(c.hash.of(key)) == &c.shards[i] {
			keys = append(keys, key)
		}
	}
	return keys
}

// charged returns the bytes charged to shard i of c.
func charged[V any](c *Cache[string, V], i int) int64 { return c.shards[i].Lease.Charged() }

// Under LRU a write evicts in its own shard while the shard holds half its
// share of the budget or more, whatever the other shards' entries' ages;
// a shard below half its share evicts in the others first, until it holds
// half. So every shard keeps at least half its share, and shards that
// take writes at the same rate keep theirs.
func TestLRUEvictsInTheWritersShard(t *testing.T) {
	c, _ := newShardedTestCache(t, 200, AllKeysLRU, 2)
	share := int64(100) * unit
	for _, k := range keysOfShard(c, 1, 400) { // shard 1 takes the whole budget
		c.Set(k, 1)
	}
	if got := charged(c, 0); got != 0 {
		t.Fatalf("shard 0 holds %d bytes before any write to it", got)
	}
	zero := keysOfShard(c, 0, 1000)
	for i, k := range zero { // writes to shard 0 only
		c.Set(k, 1)
		if got := charged(c, 0); i > 60 && got < share/2 {
			t.Fatalf("after %d writes shard 0 holds %d bytes, less than half its share of %d", i+1, got, share)
		}
	}
	before := charged(c, 1)
	for _, k := range zero[:200] { // rewrites of keys gone from shard 0: it evicts its own oldest
		c.Set(k, 2)
	}
	if got := charged(c, 1); got != before {
		t.Fatalf("writes to shard 0, which holds %d of its %d, moved shard 1 from %d to %d bytes",
			charged(c, 0), share, before, got)
	}
	checkInvariants(t, c)
}
