package goredisstore

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maxmem/maxmem"
	"github.com/redis/go-redis/v9"
)

// Options tune a store. The zero value is the default.
type Options struct {
	// MaxStaleness, if positive, is the longest an entry is served, as a
	// backstop for an invalidation that never arrives: each entry is stored
	// with it as its TTL. 0 means entries live until invalidated or evicted.
	MaxStaleness time.Duration
	// StaleTimeout is how long a reservation holds before another caller may
	// take it over, and the longest Get waits for one. 0 means 5 seconds, as
	// go-redis's own cache.
	StaleTimeout time.Duration
}

// ErrInvalidOptions is wrapped by NewWithOptions's error for a negative
// duration.
var ErrInvalidOptions = errors.New("goredisstore: invalid options")

const defaultStaleTimeout = 5 * time.Second

// New returns a go-redis client-side cache that keeps its values in cache,
// with the default Options. A nil cache caches nothing: every read goes to
// Redis.
func New(cache *maxmem.Cache[string, []byte]) redis.Cache {
	s, _ := NewWithOptions(cache, Options{})
	return s
}

// NewWithOptions is New with Options. A negative duration is an error
// wrapping ErrInvalidOptions.
func NewWithOptions(cache *maxmem.Cache[string, []byte], o Options) (redis.Cache, error) {
	if o.MaxStaleness < 0 || o.StaleTimeout < 0 {
		return nil, ErrInvalidOptions
	}
	if o.StaleTimeout == 0 {
		o.StaleTimeout = defaultStaleTimeout
	}
	if cache == nil {
		cache = closedCache()
	}
	s := newStore(cache, o)
	register(s)
	s.probe()
	return s, nil
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

// storeIDs numbers the stores of the process.
var storeIDs atomic.Uint64

// store is a redis.Cache over a maxmem cache.
type store struct {
	cache  *maxmem.Cache[string, []byte]
	id     uint64
	prefix string // of this store's keys in the cache
	opt    Options
	now    func() time.Time
	// hooked is set once OnEvict has reached the store: the cache reports
	// its removals, and the indexes need no checking.
	hooked atomic.Bool

	// mu protects the fields below and orders this store's writes and
	// deletes in the cache.
	mu sync.Mutex
	// entries holds every cache key that has a value in the cache or a
	// reservation.
	entries map[string]*entry
	// byRedisKey and byConn index entries by each Redis key they read and by
	// the connection their value was fetched on.
	byRedisKey map[string]keySet
	byConn     map[uint64]keySet
	lastToken  uint64

	// evMu protects removed: cache keys the cache removed, not yet forgotten.
	evMu    sync.Mutex
	removed []string
}

// entry is what the store knows of one cache key.
type entry struct {
	redisKeys []string
	conn      uint64       // the connection the value was fetched on; 0 none
	res       *reservation // the fetch in progress; nil once the value is stored
}

// reservation is a fetch in progress. done is closed when it ends, however.
type reservation struct {
	token uint64
	at    time.Time
	done  chan struct{}
}

var _ redis.Cache = (*store)(nil)

func newStore(cache *maxmem.Cache[string, []byte], o Options) *store {
	id := storeIDs.Add(1)
	return &store{cache: cache, id: id, prefix: keyPrefixOf(id), opt: o, now: time.Now,
		entries: make(map[string]*entry), byRedisKey: make(map[string]keySet), byConn: make(map[uint64]keySet)}
}

// probe writes and deletes the store's own prefix (a cache key go-redis never
// uses), so that a cache built with OnEvict reports it and the store knows.
func (s *store) probe() {
	if s.cache.Set(s.prefix, nil) == nil {
		s.cache.Delete(s.prefix)
	}
}

// unlock forgets what the cache removed, then releases mu.
func (s *store) unlock() {
	s.drainLocked()
	s.mu.Unlock()
}

// Get returns the value of ck. If a fetch of ck is in progress it waits for
// it (until ctx ends or the reservation goes stale) and looks once more. The
// slice is the cache's own copy: it stays valid, and must not be modified
// (go-redis only decodes it).
func (s *store) Get(ctx context.Context, ck string) ([]byte, bool) {
	k := s.prefix + ck
	if v, ok := s.cache.Get(k); ok {
		return v, true
	}
	if !s.await(ctx, ck) {
		return nil, false
	}
	return s.cache.Get(k)
}

// await waits until the reservation of ck, if any, ends, ctx is done or
// the reservation grows stale. It reports whether ck's value may be in the
// cache now: its fetch ended, during the wait or before it began (between
// Get's miss and the wait).
func (s *store) await(ctx context.Context, ck string) bool {
	s.mu.Lock()
	e := s.entries[ck]
	var res *reservation
	if e != nil {
		res = e.res
	}
	s.unlock()
	switch {
	case e == nil:
		return false
	case res == nil:
		return true
	}
	left := s.opt.StaleTimeout - s.now().Sub(res.at)
	if left <= 0 {
		return false
	}
	if ctx == nil {
		ctx = context.Background()
	}
	timer := time.NewTimer(left)
	defer timer.Stop()
	select {
	case <-res.done:
		return true
	case <-ctx.Done():
	case <-timer.C:
	}
	return false
}

// Reserve claims the fetch of ck, which reads redisKeys. It returns a token
// and true for the caller that must fetch and then call FulfillOwned or
// Cancel; false when ck has a value or a fetch in progress (Get waits for
// it). A reservation older than StaleTimeout is taken over. With no Redis key
// the value could never be invalidated: the caller fetches (true) but gets
// no token, and nothing is stored.
func (s *store) Reserve(ck string, redisKeys []string) (uint64, bool) {
	if len(redisKeys) == 0 {
		return 0, true
	}
	s.mu.Lock()
	defer s.unlock()
	s.drainLocked()
	if e := s.entries[ck]; e != nil {
		if s.busyLocked(ck, e) {
			return 0, false
		}
		s.forgetLocked(ck, e)
	}
	s.lastToken++
	e := &entry{redisKeys: append([]string(nil), redisKeys...),
		res: &reservation{token: s.lastToken, at: s.now(), done: make(chan struct{})}}
	s.entries[ck] = e
	for _, rk := range e.redisKeys {
		s.byRedisKey[rk] = with(s.byRedisKey[rk], ck)
	}
	return e.res.token, true
}

// busyLocked reports whether ck's entry e still stands in the way of a new
// reservation: its value is in the cache, or its fetch is not yet stale.
func (s *store) busyLocked(ck string, e *entry) bool {
	if e.res != nil {
		return s.now().Sub(e.res.at) < s.opt.StaleTimeout
	}
	return s.present(ck)
}

// present reports whether ck has a value in the cache, without counting a
// read.
func (s *store) present(ck string) bool {
	_, found, err := s.cache.Compute(s.prefix+ck, func(old []byte, _ bool) ([]byte, maxmem.ComputeOp) {
		return old, maxmem.CancelOp
	})
	return found && err == nil
}

// FulfillOwned stores value as ck's, if token is ck's reservation, records
// that it was fetched on connection conn (0: none), and wakes the waiters.
// It reports whether the value was stored: false for a reservation that was
// cancelled, invalidated, flushed or taken over, or a value the cache
// refused (ErrOOM), which then leaves nothing behind.
func (s *store) FulfillOwned(ck string, token, conn uint64, value []byte) bool {
	s.mu.Lock()
	defer s.unlock()
	e := s.entries[ck]
	if e == nil || e.res == nil || e.res.token != token {
		return false
	}
	if err := s.write(ck, value); err != nil {
		s.forgetLocked(ck, e)
		return false
	}
	res := e.res
	e.res, e.conn = nil, conn
	if conn != 0 {
		s.byConn[conn] = with(s.byConn[conn], ck)
	}
	close(res.done)
	if !s.hooked.Load() {
		s.checkSomeLocked(3)
	}
	return true
}

// write stores value under ck in the cache, with MaxStaleness as its TTL.
func (s *store) write(ck string, value []byte) error {
	if s.opt.MaxStaleness > 0 {
		return s.cache.SetWithTTL(s.prefix+ck, value, s.opt.MaxStaleness)
	}
	return s.cache.Set(s.prefix+ck, value)
}

// Cancel ends ck's reservation if it is token's, and reports whether it was.
func (s *store) Cancel(ck string, token uint64) bool {
	s.mu.Lock()
	defer s.unlock()
	e := s.entries[ck]
	if e == nil || e.res == nil || e.res.token != token {
		return false
	}
	s.forgetLocked(ck, e)
	return true
}

// DeleteByRedisKey removes every value and reservation that read rk (Redis
// invalidated it) and returns how many.
func (s *store) DeleteByRedisKey(rk string) int {
	s.mu.Lock()
	defer s.unlock()
	set := s.byRedisKey[rk]
	return s.forgetAllLocked(set.keys())
}

// DeleteByCacheKey removes ck's value or reservation, and reports whether it
// had one.
func (s *store) DeleteByCacheKey(ck string) bool {
	s.mu.Lock()
	defer s.unlock()
	return s.forgetAllLocked([]string{ck}) == 1
}

// EvictByConn removes every value fetched on connection conn (it is gone,
// and Redis no longer sends it the invalidations of what it read) and
// returns how many.
func (s *store) EvictByConn(conn uint64) int {
	s.mu.Lock()
	defer s.unlock()
	set := s.byConn[conn]
	return s.forgetAllLocked(set.keys())
}

// Flush removes every value and reservation of the store (Redis flushed the
// database) and returns how many.
func (s *store) Flush() int {
	s.mu.Lock()
	defer s.unlock()
	cks := make([]string, 0, len(s.entries))
	for ck := range s.entries {
		cks = append(cks, ck)
	}
	return s.forgetAllLocked(cks)
}

// forgetAllLocked forgets each of cks that has an entry and returns how many
// had one.
func (s *store) forgetAllLocked(cks []string) int {
	n := 0
	for _, ck := range cks {
		if e := s.entries[ck]; e != nil {
			s.forgetLocked(ck, e)
			n++
		}
	}
	return n
}

// forgetLocked removes ck's value from the cache, or ends its reservation,
// and drops it from the entries and the indexes.
func (s *store) forgetLocked(ck string, e *entry) {
	delete(s.entries, ck)
	for _, rk := range e.redisKeys {
		s.byRedisKey = without(s.byRedisKey, rk, ck)
	}
	if e.conn != 0 {
		s.byConn = without(s.byConn, e.conn, ck)
	}
	if e.res != nil {
		close(e.res.done)
		return
	}
	s.cache.Delete(s.prefix + ck)
}

// drainLocked forgets the entries whose values the cache removed, unless a
// value (written since) or a reservation has taken their place.
func (s *store) drainLocked() {
	s.evMu.Lock()
	removed := s.removed
	s.removed = nil
	s.evMu.Unlock()
	for _, ck := range removed {
		if e := s.entries[ck]; e != nil && e.res == nil && !s.present(ck) {
			s.forgetLocked(ck, e)
		}
	}
}

// checkSomeLocked, for a store that OnEvict does not reach, checks up to n
// entries (Go's map order is random) and forgets those the cache no longer
// holds. One fetch adds one entry and checks three, so in a full cache,
// where each fetch evicts about one entry, the entries stay within about one
// and a half times what the cache holds.
func (s *store) checkSomeLocked(n int) {
	for ck, e := range s.entries {
		if n == 0 {
			return
		}
		n--
		if e.res == nil && !s.present(ck) {
			s.forgetLocked(ck, e)
		}
	}
}

// with returns set with ck added.
func with(set keySet, ck string) keySet {
	set.add(ck)
	return set
}

// without removes ck from m[k], and m[k] itself once empty.
func without[K comparable](m map[K]keySet, k K, ck string) map[K]keySet {
	set, ok := m[k]
	if !ok {
		return m
	}
	if set.remove(ck) {
		delete(m, k)
	} else {
		m[k] = set
	}
	return m
}

// The key of a value in the cache: keyPrefix, the store's id, the cache key.
const (
	keyPrefix = "\xfeG"
	headerLen = len(keyPrefix) + 8
)

func keyPrefixOf(id uint64) string {
	return keyPrefix + string(binary.BigEndian.AppendUint64(nil, id))
}

// parseKey splits a cache key into the store id and go-redis's cache key.
func parseKey(k string) (id uint64, ck string, ok bool) {
	if len(k) < headerLen || k[:len(keyPrefix)] != keyPrefix {
		return 0, "", false
	}
	return binary.BigEndian.Uint64([]byte(k[len(keyPrefix):headerLen])), k[headerLen:], true
}
