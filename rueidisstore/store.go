package rueidisstore

import (
	"encoding/binary"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maxmem/maxmem"
	"github.com/redis/rueidis"
)

// New returns the function rueidis calls to make the store of each
// connection (ClientOption.NewCacheStoreFn). All the stores keep their
// entries in cache. A nil cache caches nothing: every read goes to Redis.
func New(cache *maxmem.Cache[string, []byte]) rueidis.NewCacheStoreFn {
	if cache == nil {
		cache = closedCache()
	}
	return func(rueidis.CacheStoreOption) rueidis.CacheStore { return newStore(cache) }
}

// closedCache returns a cache that holds nothing and accepts no write.
func closedCache() *maxmem.Cache[string, []byte] {
	c, err := maxmem.New(maxmem.Options[string, []byte]{})
	if err != nil {
		panic(err) // the zero Options are valid
	}
	c.Close()
	return c
}

// storeIDs numbers the stores of the process, so that no two share a key.
var storeIDs atomic.Uint64

// store is the rueidis.CacheStore of one connection.
type store struct {
	cache *maxmem.Cache[string, []byte]
	id    uint64
	// gen is the generation whose entries are served; Delete(nil) and Close
	// advance it. Written under mu.
	gen atomic.Uint32
	// closed is set by Close; a closed store caches nothing. Written under mu.
	closed atomic.Bool

	// mu orders the writes of this store's entries (Update) against Delete
	// and Close, and protects the fields below.
	mu sync.Mutex
	// flights are the reads sent to Redis and not yet answered; nil once
	// closed.
	flights map[flightKey]*flight
	// reclaiming is set while a walk deletes old generations' entries;
	// again asks it for one more pass.
	reclaiming, again bool
}

var _ rueidis.CacheStore = (*store)(nil)

func newStore(cache *maxmem.Cache[string, []byte]) *store {
	return &store{cache: cache, id: storeIDs.Add(1), flights: make(map[flightKey]*flight)}
}

// Flight serves cmd on key from the cache, or returns the flight to wait for,
// or registers a new flight and returns neither, telling rueidis to send the
// read. now decides whether a record has expired.
func (s *store) Flight(key, cmd string, ttl time.Duration, now time.Time) (rueidis.RedisMessage, rueidis.CacheEntry) {
	if s.closed.Load() {
		return rueidis.RedisMessage{}, nil
	}
	if v, ok := s.lookup(key, cmd, now); ok {
		return v, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flights == nil {
		return rueidis.RedisMessage{}, nil
	}
	fk := flightKey{key, cmd}
	if f := s.flights[fk]; f != nil {
		return rueidis.RedisMessage{}, f
	}
	if v, ok := s.peekRecord(key, cmd, now); ok { // an Update came between
		return v, nil
	}
	s.flights[fk] = newFlight(now, ttl)
	return rueidis.RedisMessage{}, nil
}

// lookup returns cmd's record on key if it has not expired at now. It counts
// as a read of the cache (a keyspace hit or miss).
func (s *store) lookup(key, cmd string, now time.Time) (rueidis.RedisMessage, bool) {
	v, ok := s.cache.Get(s.entryKey(key, s.gen.Load()))
	if !ok {
		return rueidis.RedisMessage{}, false
	}
	return unmarshal(v, cmd, now)
}

// peekRecord is lookup without counting a read.
func (s *store) peekRecord(key, cmd string, now time.Time) (rueidis.RedisMessage, bool) {
	v, ok := s.peek(s.entryKey(key, s.gen.Load()))
	if !ok {
		return rueidis.RedisMessage{}, false
	}
	return unmarshal(v, cmd, now)
}

// unmarshal returns the message of cmd's record in the entry value v, if it
// is there and unexpired at now. The message views v, which the cache never
// writes again.
func unmarshal(v []byte, cmd string, now time.Time) (rueidis.RedisMessage, bool) {
	var m rueidis.RedisMessage
	rec, ok := findRecord(v, cmd)
	if !ok || pxatOf(rec) <= now.UnixMilli() || m.CacheUnmarshalView(rec) != nil {
		return rueidis.RedisMessage{}, false
	}
	return m, true
}

// peek returns the value of key without counting a read.
func (s *store) peek(key string) ([]byte, bool) {
	v, found, err := s.cache.Compute(key, func(old []byte, _ bool) ([]byte, maxmem.ComputeOp) {
		return old, maxmem.CancelOp
	})
	return v, found && err == nil
}

// Update stores the reply to the flight of cmd on key, hands it to the
// flight's waiters and returns its expiry (see flight.expiry). Without such a
// flight (it was cancelled, or the store closed) it stores nothing and
// returns 0.
func (s *store) Update(key, cmd string, val rueidis.RedisMessage) int64 {
	s.mu.Lock()
	f := s.flights[flightKey{key, cmd}]
	if f == nil {
		s.mu.Unlock()
		return 0
	}
	delete(s.flights, flightKey{key, cmd})
	now := time.Now()
	pxat := f.expiry(val.CachePXAT(), now)
	msg, buf, err := marshalWithExpiry(val, pxat)
	if err == nil {
		s.storeLocked(key, cmd, buf, now)
	} else {
		msg = val // not stored; the reply still goes to the waiters
	}
	s.mu.Unlock()
	f.deliver(msg, nil)
	return pxat
}

// storeLocked adds the record msg of cmd to key's entry, keeping the entry's
// other unexpired records. A record already expired is not stored. If the
// cache refuses the write (ErrOOM), the entry keeps its other records. The
// caller holds mu, so no Delete or Close of this store runs meanwhile.
func (s *store) storeLocked(key, cmd string, msg []byte, now time.Time) {
	nowMS := now.UnixMilli()
	if pxatOf(msg) <= nowMS {
		return
	}
	k := s.entryKey(key, s.gen.Load())
	old, _ := s.peek(k)
	value, latest := merge(old, cmd, msg, nowMS)
	_ = s.cache.SetWithTTL(k, value, untilMS(latest, now))
}

// Cancel hands err to the waiters of the flight of cmd on key and forgets
// the flight.
func (s *store) Cancel(key, cmd string, err error) {
	s.mu.Lock()
	f := s.flights[flightKey{key, cmd}]
	delete(s.flights, flightKey{key, cmd})
	s.mu.Unlock()
	if f != nil {
		f.deliver(rueidis.RedisMessage{}, err)
	}
}

// Delete removes this connection's entries of keys, an invalidation from
// Redis; nil keys (FLUSHALL, FLUSHDB) remove all its entries. Flights are
// not affected.
func (s *store) Delete(keys []rueidis.RedisMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if keys == nil {
		s.newGenerationLocked()
		return
	}
	gen := s.gen.Load()
	for _, k := range keys {
		if name, err := k.ToString(); err == nil {
			s.cache.Delete(s.entryKey(name, gen))
		}
	}
}

// Close is called when the connection is lost: it hands err to every
// waiting reader, and nothing of this store is served afterwards.
func (s *store) Close(err error) {
	s.mu.Lock()
	flights := s.flights
	s.flights = nil
	s.closed.Store(true)
	s.newGenerationLocked()
	s.mu.Unlock()
	for _, f := range flights {
		f.deliver(rueidis.RedisMessage{}, err)
	}
}

// newGenerationLocked stops serving every entry written so far and starts
// the walk that deletes them.
func (s *store) newGenerationLocked() {
	s.gen.Add(1)
	s.again = true
	if !s.reclaiming {
		s.reclaiming = true
		go s.reclaim()
	}
}

// The key of an entry: keyPrefix, the store's id, its generation, the Redis key.
const (
	keyPrefix = "\xfeR"
	headerLen = len(keyPrefix) + 8 + 4
)

// entryKey returns the cache key of this store's entry for a Redis key.
func (s *store) entryKey(key string, gen uint32) string {
	var b strings.Builder
	b.Grow(headerLen + len(key))
	b.WriteString(keyPrefix)
	var h [12]byte
	binary.BigEndian.PutUint64(h[:8], s.id)
	binary.BigEndian.PutUint32(h[8:], gen)
	b.Write(h[:])
	b.WriteString(key)
	return b.String()
}

// parseKey returns the store id and generation of an entry's cache key.
func parseKey(k string) (id uint64, gen uint32, ok bool) {
	if len(k) < headerLen || !strings.HasPrefix(k, keyPrefix) {
		return 0, 0, false
	}
	h := k[len(keyPrefix):headerLen]
	return binary.BigEndian.Uint64([]byte(h[:8])), binary.BigEndian.Uint32([]byte(h[8:])), true
}
