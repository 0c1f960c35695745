package peers

import (
	"sync"
	"time"
)

// mutexMap is the floor: a built-in map under one mutex, evicting an
// arbitrary entry when full. It has no TTL.
type mutexMap struct {
	mu  sync.Mutex
	m   map[string][]byte
	cap int
}

func newMutexMap(cfg Config) Cache {
	return &mutexMap{m: make(map[string][]byte, cfg.Capacity), cap: cfg.Capacity}
}

func (m *mutexMap) Name() string { return "map+mutex" }

func (m *mutexMap) Get(k string) ([]byte, bool) {
	m.mu.Lock()
	v, ok := m.m[k]
	m.mu.Unlock()
	return v, ok
}

func (m *mutexMap) Set(k string, v []byte) {
	m.mu.Lock()
	if _, ok := m.m[k]; !ok && m.cap > 0 && len(m.m) >= m.cap {
		for victim := range m.m {
			delete(m.m, victim)
			break
		}
	}
	m.m[k] = v
	m.mu.Unlock()
}

func (m *mutexMap) SetTTL(k string, v []byte, _ time.Duration) { m.Set(k, v) }

func (m *mutexMap) Delete(k string) {
	m.mu.Lock()
	delete(m.m, k)
	m.mu.Unlock()
}

func (m *mutexMap) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}

func (m *mutexMap) Close() {}
