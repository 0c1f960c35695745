package goredisstore

import (
	"runtime"
	"strings"
	"sync"
	"weak"

	"github.com/maxmem/maxmem"
)

// IndexBytes is what NewCache's Sizer charges each entry for the store's
// memory outside the cache, beyond the key's length: its records in the
// entry map and the two indexes. TestIndexBytes measures it.
const IndexBytes = 240

// NewCache returns maxmem.New(o) with the store's OnEvict wired in before
// o.OnEvict (which still receives every removal), and, if o.Sizer is nil, a
// Sizer that charges each entry its key and value plus the store's index
// memory (IndexBytes and the key's length again), so that o.MaxMemory bounds
// the whole store.
func NewCache(o maxmem.Options[string, []byte]) (*maxmem.Cache[string, []byte], error) {
	if own := o.OnEvict; own != nil {
		o.OnEvict = func(k string, v []byte, r maxmem.Reason) { OnEvict(k, v, r); own(k, v, r) }
	} else {
		o.OnEvict = OnEvict
	}
	if o.Sizer == nil {
		o.Sizer = chargeIndex
	}
	return maxmem.New(o)
}

// chargeIndex is NewCache's default Sizer: the key and value as the cache
// charges them by default, plus the store's memory outside the cache.
func chargeIndex(k string, v []byte) int64 {
	return builtin(k, v) + int64(len(k)) + IndexBytes
}

// builtin is the cache's own Sizer for string keys and []byte values.
var builtin = func() func(string, []byte) int64 {
	f, err := maxmem.BuiltinSizer[string, []byte]()
	if err != nil {
		panic(err) // string keys and []byte values always have one
	}
	return f
}()

// OnEvict tells the store that owns key that the cache removed it, so that
// the store's indexes forget it. Pass it as maxmem.Options.OnEvict of a
// cache given to New (NewCache does), or call it from your own OnEvict. It
// ignores keys no store owns.
func OnEvict(key string, _ []byte, _ maxmem.Reason) {
	id, ck, ok := parseKey(key)
	if !ok {
		return
	}
	if s := lookupStore(id); s != nil {
		s.noteRemoved(ck)
	}
}

// registry maps a store's id to the store, weakly: a store nothing else
// uses is collected, and its entry leaves the registry with it.
var registry sync.Map // uint64 -> weak.Pointer[store]

func register(s *store) {
	registry.Store(s.id, weak.Make(s))
	runtime.AddCleanup(s, func(id uint64) { registry.Delete(id) }, s.id)
}

func lookupStore(id uint64) *store {
	p, ok := registry.Load(id)
	if !ok {
		return nil
	}
	return p.(weak.Pointer[store]).Value()
}

// noteRemoved records that the cache removed ck. It may run on a goroutine
// that holds mu (the store's own writes and deletes make the cache call
// OnEvict), so it takes only evMu; the store forgets ck when it next holds
// mu (drainLocked), or now if mu is free.
func (s *store) noteRemoved(ck string) {
	s.hooked.Store(true)
	s.evMu.Lock()
	s.removed = append(s.removed, strings.Clone(ck))
	s.evMu.Unlock()
	if s.mu.TryLock() {
		s.unlock()
	}
}
