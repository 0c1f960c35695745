// Package goredisstore makes a maxmem cache the client-side cache of
// go-redis v9 (redis.Options.ClientSideCache), which Redis keeps coherent by
// sending invalidations over RESP3:
//
//	cache, err := goredisstore.NewCache(maxmem.Options[string, []byte]{MaxMemory: 64 << 20, Policy: maxmem.AllKeysLRU})
//	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 3, ClientSideCache: goredisstore.New(cache)})
//
// go-redis's client-side cache interface (redis.Cache) is marked
// experimental upstream: it may change in a minor release. This module pins
// go-redis v9.23.0 and is tested against that version.
//
// # Values and indexes
//
// The store keeps each cached reply, the raw RESP bytes go-redis hands it,
// as one cache entry, under its cache key prefixed with the store's own
// prefix (so that several stores, for clients of different servers, can
// share a cache). Invalidation needs two indexes the cache does not have:
// from each Redis key to the cache keys that read it, and from each
// connection to the cache keys fetched on it (Redis sends a key's
// invalidation only to the connection that read it, so those entries must
// go when the connection does). The store also remembers each reservation,
// a fetch in progress, so that concurrent misses of one key wait for it.
//
// The indexes hold only what the cache holds: when the cache evicts or
// expires an entry, OnEvict tells the store, which forgets it. So the cache
// must be built with OnEvict in its Options (NewCache does that, and
// chains the application's own OnEvict). A store on a cache built without
// it notices, and instead checks three remembered entries against the cache
// on every fetch, which keeps the indexes within about one and a half times
// the entries.
//
// The indexes live outside the cache's byte budget unless the cache charges
// them: NewCache's default Sizer adds IndexBytes per entry (plus the key's
// length, for the copies the indexes keep), so that MaxMemory bounds the
// whole store.
//
// # Freshness
//
// An invalidation (DeleteByRedisKey), a flush (Flush) and a connection's
// loss (EvictByConn) remove the values and cancel the reservations they
// cover, so a fetch that raced them publishes nothing. go-redis applies an
// invalidation when it next reads from the connection that carries it (the
// next command on it, or its background drainer's tick on an idle pooled
// connection). The interface carries no TTL: a key with a server TTL leaves
// the store when Redis deletes it and sends its invalidation (on access, or
// by its active expiry), not at its deadline. Options.MaxStaleness bounds
// the life of every entry, as go-redis's own MaxStaleness does.
package goredisstore
