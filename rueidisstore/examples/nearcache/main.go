// Command nearcache runs a small read-mostly service against Redis with a
// maxmem near cache in front of it (rueidis, through rueidisstore), and
// prints the local hit ratio, the Redis round trips that saved (checked
// against Redis's own count of GETs), and the cache's INFO.
//
//	go run ./examples/nearcache                   # starts its own redis-server from PATH
//	go run ./examples/nearcache -addr 127.0.0.1:6379
//
// The service reads keys chosen with a Zipf distribution (a few keys are
// hot, as in most caches), and another client overwrites a key now and then,
// which Redis turns into an invalidation of the near cache.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/maxmem/maxmem"
	"github.com/maxmem/maxmem/rueidisstore"
	"github.com/redis/rueidis"
)

func main() {
	addr := flag.String("addr", "", "Redis address; empty starts a redis-server from PATH")
	keys := flag.Int("keys", 10000, "keys in Redis")
	reads := flag.Int("reads", 200000, "reads the service makes")
	writeEvery := flag.Int("write-every", 100, "another client overwrites a key every this many reads")
	budget := flag.String("maxmemory", "1mb", "near cache budget, as redis.conf writes it")
	flag.Parse()
	if err := run(*addr, *keys, *reads, *writeEvery, *budget); err != nil {
		log.Fatal(err)
	}
}

func run(addr string, keys, reads, writeEvery int, budget string) error {
	if keys < 1 || reads < 1 || writeEvery < 1 {
		return errors.New("-keys, -reads and -write-every must be positive")
	}
	max, err := maxmem.ParseMemory(budget)
	if err != nil {
		return err
	}
	if addr == "" {
		stop, a, err := startRedis()
		if err != nil {
			return err
		}
		defer stop()
		addr = a
	}
	cache, err := maxmem.New(maxmem.Options[string, []byte]{MaxMemory: max, Policy: maxmem.AllKeysLFU})
	if err != nil {
		return err
	}
	defer cache.Close()
	service, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, NewCacheStoreFn: rueidisstore.New(cache)})
	if err != nil {
		return err
	}
	defer service.Close()
	writer, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: true})
	if err != nil {
		return err
	}
	defer writer.Close()
	ctx := context.Background()
	if err := load(ctx, writer, keys); err != nil {
		return err
	}
	hits, elapsed, err := serve(ctx, service, writer, keys, reads, writeEvery)
	if err != nil {
		return err
	}
	gets, err := getCalls(ctx, writer)
	if err != nil {
		return err
	}
	report(hits, reads, gets, elapsed, cache.Stats())
	return nil
}

// load writes keys values of 200 bytes and resets Redis's command counters.
func load(ctx context.Context, w rueidis.Client, keys int) error {
	for i := 0; i < keys; i += 1000 {
		cmd := w.B().Mset().KeyValue()
		for j := i; j < min(i+1000, keys); j++ {
			cmd = cmd.KeyValue(key(j), strings.Repeat(strconv.Itoa(j%10), 200))
		}
		if err := w.Do(ctx, cmd.Build()).Error(); err != nil {
			return err
		}
	}
	return w.Do(ctx, w.B().ConfigResetstat().Build()).Error()
}

func key(i int) string { return "user:" + strconv.Itoa(i) }

// serve makes the reads, with a write by the other client every writeEvery
// of them, and returns how many reads the near cache served.
func serve(ctx context.Context, r, w rueidis.Client, keys, reads, writeEvery int) (hits int, elapsed time.Duration, err error) {
	zipf := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 1, uint64(keys-1))
	start := time.Now()
	for i := range reads {
		k := key(int(zipf.Uint64()))
		if i%writeEvery == writeEvery-1 {
			if err := w.Do(ctx, w.B().Set().Key(k).Value("updated").Build()).Error(); err != nil {
				return 0, 0, err
			}
		}
		res := r.DoCache(ctx, r.B().Get().Key(k).Cache(), time.Minute)
		if err := res.Error(); err != nil {
			return 0, 0, err
		}
		if res.IsCacheHit() {
			hits++
		}
	}
	return hits, time.Since(start), nil
}

// getCalls returns how many GETs Redis executed since CONFIG RESETSTAT.
func getCalls(ctx context.Context, w rueidis.Client) (int, error) {
	info, err := w.Do(ctx, w.B().Info().Section("commandstats").Build()).ToString()
	if err != nil {
		return 0, err
	}
	_, rest, ok := strings.Cut(info, "cmdstat_get:calls=")
	if !ok {
		return 0, nil
	}
	n, _, _ := strings.Cut(rest, ",")
	return strconv.Atoi(n)
}

func report(hits, reads, gets int, elapsed time.Duration, st maxmem.Stats) {
	fmt.Printf("reads: %d in %v (%.0f per second)\n", reads, elapsed.Round(time.Millisecond), float64(reads)/elapsed.Seconds())
	fmt.Printf("local hit ratio: %.1f%% (%d of %d reads served by the near cache)\n", 100*float64(hits)/float64(reads), hits, reads)
	fmt.Printf("Redis round trips saved: %d (Redis executed %d GETs for %d reads)\n", reads-gets, gets, reads)
	fmt.Printf("\nnear cache INFO:\n%s", st)
}

// startRedis runs redis-server from PATH on a free loopback port.
func startRedis() (stop func(), addr string, err error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, "", errors.New("no redis-server on PATH: install one or pass -addr")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	stop = func() { cmd.Process.Kill(); cmd.Wait() }
	addr = net.JoinHostPort("127.0.0.1", port)
	for range 250 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return stop, addr, nil
		}
		time.Sleep(20 * time.Millisecond) // waiting for the server to listen
	}
	stop()
	return nil, "", errors.New("redis-server did not start within 5 s")
}
