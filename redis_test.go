package maxmem

// Side by side with a real redis-server: the same commands go to Redis and
// to a Cache, and the replies must agree. The test starts its own
// redis-server on a free loopback port; .ci/run installs the server and sets
// MAXMEM_REQUIRE_REDIS=1 so that CI fails instead of skipping without it.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maxmem/maxmem/internal/redistest"
)

// resp is a minimal RESP2 client for the commands this test sends.
type resp struct {
	conn net.Conn
	r    *bufio.Reader
}

// do sends one command and returns the reply: a string for simple and bulk
// strings and errors (errors prefixed "ERR!"), an int64, or nil.
func (c *resp) do(t *testing.T, args ...string) any {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.conn.Write([]byte(b.String())); err != nil {
		t.Fatalf("redis %v: %v", args, err)
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		t.Fatalf("redis %v: %v", args, err)
	}
	line = strings.TrimRight(line, "\r\n")
	switch line[0] {
	case '+':
		return line[1:]
	case '-':
		return "ERR!" + line[1:]
	case ':':
		n, _ := strconv.ParseInt(line[1:], 10, 64)
		return n
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			t.Fatalf("redis %v: %v", args, err)
		}
		return string(buf[:n])
	}
	t.Fatalf("redis %v: unexpected reply %q", args, line)
	return nil
}

// startRedis runs a throwaway redis-server, with more command-line
// options args, and connects to it.
func startRedis(t *testing.T, args ...string) *resp {
	t.Helper()
	conn, err := net.Dial("tcp", redistest.Start(t, args...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &resp{conn: conn, r: bufio.NewReader(conn)}
}

// reply renders a Cache result as the Redis reply it stands for.
func reply(err error) any {
	var oom *OOMError
	switch {
	case err == nil:
		return "OK"
	case errors.As(err, &oom):
		return "ERR!" + err.Error()
	case errors.Is(err, ErrInvalidTTL):
		return "ERR!ERR invalid expire time in 'set' command"
	}
	return "ERR!" + err.Error()
}

func boolReply(b bool) any {
	if b {
		return int64(1)
	}
	return int64(0)
}

func ttlReply(d time.Duration) any {
	if d < 0 {
		return int64(d)
	}
	return int64((d + time.Second/2) / time.Second) // Redis rounds TTL to seconds
}

// The same commands, on a Redis and on both layouts of the cache (string
// keys with int values are generic; with string values, packed), get the
// same replies and leave the same INFO counters.
func TestSideBySideWithRedis(t *testing.T) {
	r := startRedis(t)
	t.Run("generic", func(t *testing.T) {
		c, _ := newTestCache(t, 3, NoEviction)
		sideBySide(t, r, c, func(s string) int { n, _ := strconv.Atoi(s); return n }, strconv.Itoa)
	})
	t.Run("packed", func(t *testing.T) {
		c, err := New(Options[string, string]{MaxMemory: 1 << 20, Policy: NoEviction, Clock: newFakeClock(), Shards: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		sideBySide(t, r, c, func(s string) string { return s }, func(s string) string { return s })
	})
}

// sideBySide replays the steps on r and c, whose values are V: value
// makes one from its text, text renders it.
func sideBySide[V any](t *testing.T, r *resp, c *Cache[string, V], value func(string) V, text func(V) string) {
	t.Helper()
	r.do(t, "FLUSHALL")
	r.do(t, "CONFIG", "RESETSTAT")
	getReply := func(k string) any {
		if v, ok := c.Get(k); ok {
			return text(v)
		}
		return nil
	}
	steps := []struct {
		cmd  []string
		ours func() any
	}{
		{[]string{"SET", "a", "1"}, func() any { return reply(c.Set("a", value("1"))) }},
		{[]string{"GET", "a"}, func() any { return getReply("a") }},
		{[]string{"GET", "nope"}, func() any { return getReply("nope") }},
		{[]string{"TTL", "a"}, func() any { return ttlReply(c.TTL("a")) }},
		{[]string{"TTL", "nope"}, func() any { return ttlReply(c.TTL("nope")) }},
		{[]string{"EXPIRE", "a", "100"}, func() any { return boolReply(c.Expire("a", 100*time.Second)) }},
		{[]string{"TTL", "a"}, func() any { return ttlReply(c.TTL("a")) }},
		{[]string{"PERSIST", "a"}, func() any { return boolReply(c.Persist("a")) }},
		{[]string{"PERSIST", "a"}, func() any { return boolReply(c.Persist("a")) }},
		{[]string{"PERSIST", "nope"}, func() any { return boolReply(c.Persist("nope")) }},
		{[]string{"EXPIRE", "nope", "10"}, func() any { return boolReply(c.Expire("nope", 10*time.Second)) }},
		{[]string{"SET", "b", "2", "EX", "50"}, func() any { return reply(c.SetWithTTL("b", value("2"), 50*time.Second)) }},
		{[]string{"SET", "b", "3"}, func() any { return reply(c.Set("b", value("3"))) }},
		{[]string{"TTL", "b"}, func() any { return ttlReply(c.TTL("b")) }}, // SET cleared the TTL
		{[]string{"SET", "b", "4", "PX", "0"}, func() any { return reply(c.SetWithTTL("b", value("4"), 0)) }},
		{[]string{"SET", "b", "4", "EX", "-5"}, func() any { return reply(c.SetWithTTL("b", value("4"), -5*time.Second)) }},
		{[]string{"GET", "b"}, func() any { return getReply("b") }},
		{[]string{"EXPIRE", "b", "-1"}, func() any { return boolReply(c.Expire("b", -time.Second)) }},
		{[]string{"GET", "b"}, func() any { return getReply("b") }},
		{[]string{"DEL", "a"}, func() any { return boolReply(c.Delete("a")) }},
		{[]string{"DEL", "a"}, func() any { return boolReply(c.Delete("a")) }},
	}
	for _, st := range steps {
		want, got := r.do(t, st.cmd...), st.ours()
		if fmt.Sprint(want) != fmt.Sprint(got) {
			t.Fatalf("%v: redis %#v, maxmem %#v", st.cmd, want, got)
		}
	}
	compareInfo(t, r, c.Stats(), "keyspace_hits", "keyspace_misses", "expired_keys", "evicted_keys")
}

// compareInfo checks INFO fields that both sides count.
func compareInfo(t *testing.T, r *resp, st Stats, fields ...string) {
	t.Helper()
	info, _ := r.do(t, "INFO", "stats").(string)
	ours := st.String()
	for _, f := range fields {
		if want, got := infoField(info, f), infoField(ours, f); want != got || want == "" {
			t.Errorf("INFO %s: redis %q, maxmem %q", f, want, got)
		}
	}
}

func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

// The OOM reply under noeviction and under volatile-lru with no TTL keys is
// the same text in both.
func TestOOMSideBySideWithRedis(t *testing.T) {
	r := startRedis(t)
	for _, policy := range []Policy{NoEviction, VolatileLRU} {
		r.do(t, "FLUSHALL")
		r.do(t, "CONFIG", "SET", "maxmemory-policy", policy.Name())
		r.do(t, "SET", "k", "v")
		r.do(t, "CONFIG", "SET", "maxmemory", "1")
		want := r.do(t, "SET", "k2", "v")
		r.do(t, "CONFIG", "SET", "maxmemory", "0")

		c, _ := newTestCache(t, 1, policy)
		mustSet(t, c, "k", 1)
		got := reply(c.Set("k2", 2))
		if want != got {
			t.Errorf("%s: redis %q, maxmem %q", policy.Name(), want, got)
		}
	}
}
