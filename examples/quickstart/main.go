// Command quickstart fills a small maxmem cache under noeviction until a
// write is refused, prints the OOM error and the INFO-style stats, then
// switches to allkeys-lru at run time and shows the same writes succeed.
package main

import (
	"errors"
	"fmt"
	"log"

	"github.com/maxmem/maxmem"
)

func main() {
	limit, err := maxmem.ParseMemory("64kb")
	if err != nil {
		log.Fatal(err)
	}
	cache, err := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: limit, Policy: maxmem.NoEviction})
	if err != nil {
		log.Fatal(err)
	}
	defer cache.Close()

	value := make([]byte, 1000)
	written := 0
	for ; ; written++ {
		err = cache.Set(fmt.Sprintf("user:%04d", written), value)
		var oom *maxmem.OOMError
		if errors.As(err, &oom) {
			fmt.Printf("write #%d refused: %v\n  (%s)\n", written, err, oom.Detail())
			break
		}
	}
	fmt.Printf("\n%s\n", cache.Stats())

	if err := cache.SetPolicy(maxmem.AllKeysLRU); err != nil {
		log.Fatal(err)
	}
	for i := written; i < written+100; i++ {
		if err := cache.Set(fmt.Sprintf("user:%04d", i), value); err != nil {
			log.Fatal(err)
		}
	}
	st := cache.Stats()
	fmt.Printf("after CONFIG SET maxmemory-policy allkeys-lru: 100 more writes, %d keys, evicted_keys:%d, used_memory:%d of %d\n",
		st.Keys, st.EvictedKeys, st.UsedMemory, st.MaxMemory)
}
