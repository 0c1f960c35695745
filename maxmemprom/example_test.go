package maxmemprom_test

import (
	"bufio"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/maxmem/maxmem"
	"github.com/maxmem/maxmem/maxmemprom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Example wires a cache to Prometheus's default registry and serves its
// metrics on /metrics, next to the Go runtime's and the process's.
func Example() {
	cache, err := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 256 << 20, Policy: maxmem.AllKeysLRU})
	if err != nil {
		log.Fatal(err)
	}
	defer cache.Close()

	prometheus.MustRegister(maxmemprom.New("sessions", cache))
	http.Handle("/metrics", promhttp.Handler())
	log.Fatal(http.ListenAndServe(":2112", nil))
}

// Example_scrape registers two caches in a registry of their own, serves
// it and reads a few lines of what a scrape returns.
func Example_scrape() {
	sessions, _ := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 64 << 20, Policy: maxmem.AllKeysLRU})
	defer sessions.Close()
	pages, _ := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: 16 << 20, Policy: maxmem.AllKeysTinyLFU})
	defer pages.Close()
	sessions.Set("session:42", []byte("alice"))
	sessions.Get("session:42")
	sessions.Get("session:43")
	pages.Set("/", []byte("<html>"))

	reg := prometheus.NewRegistry()
	reg.MustRegister(maxmemprom.New("sessions", sessions), maxmemprom.New("pages", pages))
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()

	resp, err := http.Get(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		line := lines.Text()
		for _, name := range []string{"maxmem_db_keys{", "maxmem_keyspace_", "maxmem_config_maxmemory_policy{"} {
			if strings.HasPrefix(line, name) {
				fmt.Println(line)
			}
		}
	}
	// Output:
	// maxmem_config_maxmemory_policy{cache="pages",policy="allkeys-tinylfu"} 1
	// maxmem_config_maxmemory_policy{cache="sessions",policy="allkeys-lru"} 1
	// maxmem_db_keys{cache="pages",db="db0"} 1
	// maxmem_db_keys{cache="sessions",db="db0"} 1
	// maxmem_keyspace_hits_total{cache="pages"} 0
	// maxmem_keyspace_hits_total{cache="sessions"} 1
	// maxmem_keyspace_misses_total{cache="pages"} 0
	// maxmem_keyspace_misses_total{cache="sessions"} 1
}

// ExampleNewCollector exports the figures of a cache that a type of its own
// keeps out of reach: NewCollector takes any func() maxmem.Stats.
func ExampleNewCollector() {
	store := newUserStore()
	defer store.Close()
	store.Put("alice", "admin")

	reg := prometheus.NewRegistry()
	reg.MustRegister(maxmemprom.NewCollector("users", store.Stats))
	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() == "maxmem_db_keys" {
			fmt.Println(f.GetName(), f.GetMetric()[0].GetGauge().GetValue())
		}
	}
	// Output: maxmem_db_keys 1
}

// userStore keeps its cache unexported and shows only its Stats.
type userStore struct{ cache *maxmem.Cache[string, string] }

// newUserStore returns a store with a 1 MiB cache.
func newUserStore() *userStore {
	c, err := maxmem.New(maxmem.Options[string, string]{MaxMemory: 1 << 20, Policy: maxmem.AllKeysLRU})
	if err != nil {
		panic(err)
	}
	return &userStore{cache: c}
}

// Put stores a user's role.
func (s *userStore) Put(user, role string) { s.cache.Set(user, role) }

// Stats returns the cache's figures.
func (s *userStore) Stats() maxmem.Stats { return s.cache.Stats() }

// Close stops the cache.
func (s *userStore) Close() { s.cache.Close() }
