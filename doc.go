// Package maxmem is an in-process cache with a hard byte budget and
// Redis's maxmemory rules.
//
// A [Cache] never charges more than [Options].MaxMemory bytes for its
// entries and its own bookkeeping. When a write does not fit, the cache
// evicts as Redis does under the same maxmemory-policy (expired entries
// first, then the policy's victims) until it fits; when nothing may be
// evicted, the write fails with an [*OOMError] whose message is Redis's
// own, and changes nothing.
//
// Three things to know before the first deploy:
//
//   - Setting MaxMemory needs a Policy. [AllKeysTinyLFU] keeps the most
//     hits on most traffic; [AllKeysLRU] is Redis's usual choice;
//     [NoEviction] refuses writes once full, Redis's default. New refuses a
//     MaxMemory without a Policy rather than build a cache that silently
//     stops caching.
//   - [Cache.GetOrLoad] is the load-through call most services want: one
//     loader call per key however many callers miss at once, its TTL per
//     entry, and a value that does not fit is still returned (uncached).
//   - A byte counts as Redis counts it: [Cache.MemoryUsage] is MEMORY
//     USAGE, [Cache.Stats] is INFO, and [EntryOverhead] is what each entry
//     costs beyond its key and value.
//
// With string keys and []byte or string values the cache keeps keys and
// values in memory the garbage collector does not scan, a Get takes no
// lock, and a returned []byte is the cache's own copy: read it, keep it,
// never modify it.
//
// Operating it: [Cache.SetMaxMemory] and [Cache.SetPolicy] are CONFIG
// SET; [Cache.Doctor] and [Cache.BigKeys] explain an OOM; the maxmemprom
// module exports the statistics to Prometheus; the rueidisstore and
// goredisstore modules make the cache the near cache of a Redis client.
//
// # TTLs
//
// A TTL means one thing wherever it is given, > 0 a TTL and 0 none, but
// where Redis refuses one or a negative one means more:
//
//	call                          TTL 0                TTL < 0
//	SetWithTTL (SET PX)           ErrInvalidTTL        ErrInvalidTTL
//	SetArgs, GetEx (PX)           none, or unchanged   ErrInvalidTTL
//	Expire, ExpireIf (PEXPIRE)    deletes the key      deletes the key
//	Loader, BulkLoader            no TTL               served, not cached
//	a Loader's ErrNotFound        remembered forever   not remembered
//	Options.RefreshAfter          no refresh           refused by New
//
// A deadline (ExpireAt) of the zero Time means none; one past stores a key
// that expires at once (SET) or deletes it (GETEX, PEXPIREAT); SET and
// GETEX refuse one at or before 1970, as Redis refuses PXAT 0.
package maxmem
