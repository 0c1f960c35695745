// Package rueidisstore makes a maxmem cache the client-side cache of
// rueidis, Redis's RESP3 client with server-assisted client-side caching.
//
//	cache, err := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 64 << 20, Policy: maxmem.AllKeysLRU})
//	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, NewCacheStoreFn: rueidisstore.New(cache)})
//
// rueidis creates one store per connection; every store New makes keeps its
// entries in the one cache, so all connections together stay within the
// cache's MaxMemory (ClientOption.CacheSizeEachConn is not used), under the
// cache's eviction policy, with its INFO figures (cache.Stats()).
//
// # Entries
//
// A store keeps one cache entry per Redis key it has read. The entry's key is
// a prefix naming the store (the connection) and its generation, then the
// Redis key; its value holds one record per cached command on that key (GET,
// HGET with its field, ...), each the message rueidis marshals
// (RedisMessage.CacheMarshal) with its expiry. The cache expires the entry
// with its last record; a record is served only before its own expiry.
//
// The expiry of a record is the server's PTTL, shortened by the time the
// request took, capped by the TTL the caller gave DoCache: rueidis reads the
// PTTL and the value in one transaction, so the server's deadline lies at
// least that PTTL after the request left, and the record expires no later
// than the key does on the server.
//
// # Invalidation and connections
//
// Redis tracks keys per connection and sends a connection the invalidations
// of the keys that connection read. So an entry belongs to the store of the
// connection that read it, and no other store serves it:
//   - Delete(keys), an invalidation, removes the entries of those keys of this
//     connection (one Delete on the cache per key).
//   - Delete(nil), a FLUSHALL or FLUSHDB, and Close, a lost connection, start
//     a new generation: entries of older generations are never served again,
//     and a background walk over the cache deletes them so that they give back
//     their memory before their TTL ends. After Close the store caches nothing.
//   - A command still waiting for its reply is not affected by Delete: Redis
//     sends an invalidation before a reply on the same connection only for a
//     write that the reply already reflects.
//
// Several clients, and connections to several servers or databases, may
// share one cache: their entries never mix. Other data may live in the same
// cache, as long as none of its keys begins with the prefix "\xfeR".
//
// The format of the records is rueidis's, which may change between its
// versions: this module pins rueidis v1.0.79, and a test checks the layout it
// relies on (the expiry in the first 7 bytes, little-endian).
package rueidisstore
