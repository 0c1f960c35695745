package maxmem

// A random differential test of Redis's key commands: the same random
// sequence of SET (with NX, XX, GET, PX, PXAT, KEEPTTL), GETEX, GETDEL,
// PEXPIRE and PEXPIREAT (NX, XX, GT, LT), PEXPIRETIME, PTTL, TOUCH,
// RANDOMKEY, OBJECT, GET and DEL goes to a real redis-server and to a
// Cache, and every reply must agree, as must the INFO counters at the end.
//
// Both run on the wall clock. So that an order of deadlines never hangs on
// which millisecond a command ran in, every relative TTL the test sends is
// used once and differs from every other by 10 s, and absolute deadlines
// sit 5 s between them; the test runs well under those margins. PTTL and
// PEXPIRETIME are compared to within a second, OBJECT IDLETIME to within
// two, RANDOMKEY by whether it found a key.

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestCommandsSideBySideWithRedis(t *testing.T) {
	r := startRedis(t)
	seeds := 4
	if n, err := strconv.Atoi(os.Getenv("MAXMEM_DIFF_SEEDS")); err == nil {
		seeds = n
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint("generic/", seed), func(t *testing.T) {
			c := mustNew(t, Options[string, int]{Shards: 4})
			differential(t, r, c, seed, func(s string) int { n, _ := strconv.Atoi(s[1:]); return n },
				func(n int) string { return "v" + strconv.Itoa(n) })
		})
		t.Run(fmt.Sprint("packed/", seed), func(t *testing.T) {
			c := mustNew(t, Options[string, string]{Shards: 4})
			differential(t, r, c, seed, func(s string) string { return s }, func(s string) string { return s })
		})
	}
}

// How two replies are compared.
const (
	exact   = iota
	within1 // integers within 1000 (milliseconds), or both negative and equal
	within2 // integers within 2 (seconds)
	nilness // both nil, or both not
)

// command is one step: what Redis gets, what the cache does, and how the
// replies compare.
type command struct {
	args []string
	ours func() any
	cmp  int
}

// differential replays one random sequence on r and c, whose values are V.
func differential[V any](t *testing.T, r *resp, c *Cache[string, V], seed uint64, value func(string) V, text func(V) string) {
	r.do(t, "FLUSHALL")
	r.do(t, "CONFIG", "RESETSTAT")
	g := &generator[V]{r: rand.New(rand.NewPCG(seed, 22)), c: c, value: value, text: text,
		base: time.Now().UnixMilli(), used: map[int]bool{}}
	var trail []string
	for range 1500 {
		cmd := g.next()
		want, got := r.do(t, cmd.args...), cmd.ours()
		trail = append(trail, fmt.Sprintf("%q: %v", cmd.args, want))
		if !agree(cmd.cmp, want, got) {
			t.Fatalf("%q: redis %#v, maxmem %#v (seed %d); the last steps:\n%v", cmd.args, want, got, seed, trail[max(0, len(trail)-12):])
		}
	}
	for cursor := "0"; ; { // SCAN reclaims the expired keys it meets, as the sweep does
		reply := r.scan(t, cursor)
		if cursor = reply; cursor == "0" {
			break
		}
	}
	c.sweep()
	if n := r.do(t, "DBSIZE"); n != int64(c.Len()) {
		t.Fatalf("DBSIZE %v, Len %d", n, c.Len())
	}
	compareInfo(t, r, c.Stats(), "keyspace_hits", "keyspace_misses", "expired_keys", "evicted_keys")
}

// agree compares a Redis reply with the cache's by the rule cmp.
func agree(cmp int, want, got any) bool {
	switch {
	case fmt.Sprint(want) == fmt.Sprint(got):
		return true
	case cmp == nilness:
		return (want == nil) == (got == nil)
	case cmp == within1 || cmp == within2:
		w, wok := want.(int64)
		g, gok := got.(int64)
		tol := map[int]int64{within1: 1000, within2: 2}[cmp]
		if wok && gok && (w < 0 || g < 0) {
			return w == g
		}
		return wok && gok && w-g <= tol && g-w <= tol
	}
	return false
}

// generator draws commands over six keys.
type generator[V any] struct {
	r     *rand.Rand
	c     *Cache[string, V]
	value func(string) V
	text  func(V) string
	base  int64        // the wall clock at the start, in ms
	used  map[int]bool // the TTL steps drawn so far
}

// key draws one of six keys.
func (g *generator[V]) key() string { return fmt.Sprint("k", g.r.IntN(6)) }

// step draws a number of 10 s steps never drawn before.
func (g *generator[V]) step() int {
	for {
		if n := 10 + g.r.IntN(100_000); !g.used[n] {
			g.used[n] = true
			return n
		}
	}
}

// ttl draws a relative TTL in ms: mostly a fresh one, sometimes 0 or
// negative.
func (g *generator[V]) ttl() int64 {
	switch g.r.IntN(8) {
	case 0:
		return 0
	case 1:
		return -5
	}
	return int64(g.step()) * 10_000
}

// at draws an absolute deadline in unix ms: mostly a fresh one in the
// future, sometimes one in the past.
func (g *generator[V]) at() int64 {
	switch g.r.IntN(6) {
	case 0:
		return 1
	case 1:
		return g.base - int64(1+g.r.IntN(1000))*1000
	}
	return g.base + int64(g.step())*10_000 + 5_000
}

// next draws a command.
func (g *generator[V]) next() command {
	k := g.key()
	switch g.r.IntN(14) {
	case 0, 1, 2:
		return g.set(k)
	case 3, 4:
		return g.getex(k)
	case 5:
		return command{[]string{"GETDEL", k}, func() any { return g.reply(g.c.GetDel(k)) }, exact}
	case 6, 7:
		return g.expire(k)
	case 8:
		return command{[]string{"PTTL", k}, func() any { return durationMS(g.c.TTL(k)) }, within1}
	case 9:
		return command{[]string{"PEXPIRETIME", k}, func() any { return expireTimeMS(g.c.ExpireTime(k)) }, within1}
	case 10:
		k2 := g.key()
		return command{[]string{"TOUCH", k, k2}, func() any { return int64(g.c.Touch(k, k2)) }, exact}
	case 11:
		return g.object(k)
	case 12:
		return command{[]string{"RANDOMKEY"}, func() any { k, ok := g.c.RandomKey(); return strReply(k, ok) }, nilness}
	}
	if g.r.IntN(2) == 0 {
		return command{[]string{"GET", k}, func() any { return g.reply(g.c.Get(k)) }, exact}
	}
	return command{[]string{"DEL", k}, func() any { return boolReply(g.c.Delete(k)) }, exact}
}

// set draws a SET ... GET, at times with arguments Redis refuses.
func (g *generator[V]) set(k string) command {
	v := fmt.Sprint("v", g.r.IntN(1000)) // not a number: Redis shares small integers, and their idle times
	args := []string{"SET", k, v}
	var a SetArgs
	switch g.r.IntN(4) {
	case 0:
		a.Cond, args = NX, append(args, "NX")
	case 1:
		a.Cond, args = XX, append(args, "XX")
	}
	args = append(args, "GET")
	switch g.r.IntN(9) {
	case 0, 1:
		ms := max(g.ttl(), -5) // PX 0 is not expressible: TTL 0 means none
		if ms == 0 {
			ms = int64(g.step()) * 10_000
		}
		a.TTL, args = time.Duration(ms)*time.Millisecond, append(args, "PX", fmt.Sprint(ms))
	case 2, 3:
		ms := g.at()
		a.ExpireAt, args = time.UnixMilli(ms), append(args, "PXAT", fmt.Sprint(ms))
	case 4, 5:
		a.KeepTTL, args = true, append(args, "KEEPTTL")
	case 6:
		switch g.r.IntN(3) { // refused, changing nothing
		case 0:
			a.TTL, a.KeepTTL, args = time.Second, true, append(args, "PX", "1000", "KEEPTTL")
		case 1:
			a.ExpireAt, args = time.UnixMilli(0), append(args, "PXAT", "0")
		case 2:
			a.Cond, args = GT, append(args[:3], "GT", "GET")
		}
	}
	return command{args, func() any {
		old, existed, err := g.c.SetArgs(k, g.value(v), a)
		if err != nil {
			return errReply(err, "set")
		}
		return g.reply(old, existed)
	}, exact}
}

// getex draws a GETEX with valid options (see TestGetExBadArgumentsWithRedis
// for the others).
func (g *generator[V]) getex(k string) command {
	args := []string{"GETEX", k}
	var a GetExArgs
	switch g.r.IntN(4) {
	case 0:
		ms := int64(g.step()) * 10_000
		a.TTL, args = time.Duration(ms)*time.Millisecond, append(args, "PX", fmt.Sprint(ms))
	case 1:
		ms := g.at()
		a.ExpireAt, args = time.UnixMilli(ms), append(args, "PXAT", fmt.Sprint(ms))
	case 2:
		a.Persist, args = true, append(args, "PERSIST")
	}
	return command{args, func() any {
		v, ok, err := g.c.GetEx(k, a)
		if err != nil {
			return errReply(err, "getex")
		}
		return g.reply(v, ok)
	}, exact}
}

// expire draws a PEXPIRE or PEXPIREAT with or without a condition.
func (g *generator[V]) expire(k string) command {
	cond := Cond(g.r.IntN(5))
	var args []string
	var do func() bool
	if g.r.IntN(2) == 0 {
		ms := g.ttl()
		args, do = []string{"PEXPIRE", k, fmt.Sprint(ms)}, func() bool { return g.c.ExpireIf(k, time.Duration(ms)*time.Millisecond, cond) }
	} else {
		ms := g.at()
		if g.r.IntN(8) == 0 {
			ms = -5
		}
		args, do = []string{"PEXPIREAT", k, fmt.Sprint(ms)}, func() bool { return g.c.ExpireAt(k, time.UnixMilli(ms), cond) }
	}
	if cond != Always {
		args = append(args, [...]string{"", "NX", "XX", "GT", "LT"}[cond])
	}
	return command{args, func() any { return boolReply(do()) }, exact}
}

// object draws OBJECT FREQ (an error under noeviction) or OBJECT IDLETIME.
func (g *generator[V]) object(k string) command {
	if g.r.IntN(2) == 0 {
		return command{[]string{"OBJECT", "FREQ", k}, func() any {
			f, ok, err := g.c.ObjectFreq(k)
			if err != nil {
				return "ERR!" + err.Error()
			}
			return intReply(int64(f), ok)
		}, exact}
	}
	return command{[]string{"OBJECT", "IDLETIME", k}, func() any {
		idle, ok, err := g.c.ObjectIdleTime(k)
		if err != nil {
			return "ERR!" + err.Error()
		}
		return intReply(int64(idle/time.Second), ok)
	}, within2}
}

// reply renders a value found (or not) as Redis's bulk reply.
func (g *generator[V]) reply(v V, ok bool) any {
	if !ok {
		return nil
	}
	return g.text(v)
}

func strReply(s string, ok bool) any {
	if !ok {
		return nil
	}
	return s
}

func intReply(n int64, ok bool) any {
	if !ok {
		return nil
	}
	return n
}

// errReply renders an error of a call as Redis's reply to the command cmd.
func errReply(err error, cmd string) any {
	switch {
	case errors.Is(err, ErrInvalidTTL):
		return "ERR!ERR invalid expire time in '" + cmd + "' command"
	case errors.Is(err, ErrInvalidArgument):
		return "ERR!ERR syntax error"
	}
	return reply(err)
}

// durationMS renders TTL's reply as PTTL's.
func durationMS(d time.Duration) any {
	if d < 0 {
		return int64(d)
	}
	return d.Milliseconds()
}

// expireTimeMS renders ExpireTime's reply as PEXPIRETIME's.
func expireTimeMS(at time.Time, found bool) any {
	switch {
	case !found:
		return int64(-2)
	case at.IsZero():
		return int64(-1)
	}
	return at.UnixMilli()
}

// scan sends one SCAN with a large count and returns the next cursor.
func (c *resp) scan(t *testing.T, cursor string) string {
	t.Helper()
	if _, err := fmt.Fprintf(c.conn, "*4\r\n$4\r\nSCAN\r\n$%d\r\n%s\r\n$5\r\nCOUNT\r\n$4\r\n1000\r\n", len(cursor), cursor); err != nil {
		t.Fatal(err)
	}
	head, _ := c.r.ReadString('\n') // *2
	if head != "*2\r\n" {
		t.Fatalf("SCAN: %q", head)
	}
	c.r.ReadString('\n') // $n
	next, _ := c.r.ReadString('\n')
	line, _ := c.r.ReadString('\n') // *keys
	n, _ := strconv.Atoi(line[1 : len(line)-2])
	for range 2 * n {
		c.r.ReadString('\n')
	}
	return next[:len(next)-2]
}

// GETEX with arguments Redis refuses. Redis checks the syntax first, but
// looks the key up before it checks the TTL, so to a bad TTL on a missing
// key it replies nil, and on a present one it counts a keyspace hit
// before its error; GetEx checks all its arguments first, and returns the
// error, counting nothing, either way. The error replies on a present key
// agree.
func TestGetExBadArgumentsWithRedis(t *testing.T) {
	r := startRedis(t)
	c := mustNew(t, Options[string, string]{})
	r.do(t, "SET", "k", "v")
	if err := c.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args   []string
		a      GetExArgs
		badTTL bool
	}{
		{[]string{"PX", "-5"}, GetExArgs{TTL: -5 * time.Millisecond}, true},
		{[]string{"PXAT", "0"}, GetExArgs{ExpireAt: time.UnixMilli(0)}, true},
		{[]string{"PX", "10", "PERSIST"}, GetExArgs{TTL: 10 * time.Millisecond, Persist: true}, false},
		{[]string{"PX", "10", "PXAT", "10"}, GetExArgs{TTL: 10 * time.Millisecond, ExpireAt: time.UnixMilli(10)}, false},
	} {
		want := r.do(t, append([]string{"GETEX", "k"}, tc.args...)...)
		_, _, err := c.GetEx("k", tc.a)
		if got := errReply(err, "getex"); want != got {
			t.Errorf("GETEX k %v: redis %q, maxmem %q", tc.args, want, got)
		}
		if missing := r.do(t, append([]string{"GETEX", "nope"}, tc.args...)...); tc.badTTL && missing != nil || !tc.badTTL && missing != want {
			t.Errorf("GETEX nope %v: redis %q; Redis has changed: GetEx's doc and this test say otherwise", tc.args, missing)
		}
		if _, _, err := c.GetEx("nope", tc.a); err == nil {
			t.Errorf("GetEx(nope, %+v) = nil error", tc.a)
		}
	}
	if v := r.do(t, "GET", "k"); v != "v" {
		t.Fatalf("redis changed k: %v", v)
	}
	if v, _ := c.Get("k"); v != "v" || c.TTL("k") != NoExpiry {
		t.Fatalf("a refused GetEx changed k: %q, TTL %v", v, c.TTL("k"))
	}
}

// OBJECT FREQ and OBJECT IDLETIME under allkeys-lfu: a new key's counter
// is 5 in both, 6 after one read (the first increments are certain), and
// IDLETIME is the same error.
func TestObjectSideBySideWithRedis(t *testing.T) {
	r := startRedis(t, "--maxmemory-policy", "allkeys-lfu")
	c := mustNew(t, Options[string, string]{Policy: AllKeysLFU})
	freq := func(k string) any {
		f, ok, err := c.ObjectFreq(k)
		if err != nil {
			return "ERR!" + err.Error()
		}
		return intReply(int64(f), ok)
	}
	idle := func(k string) any {
		d, ok, err := c.ObjectIdleTime(k)
		if err != nil {
			return "ERR!" + err.Error()
		}
		return intReply(int64(d/time.Second), ok)
	}
	steps := []struct {
		cmd  []string
		ours func() any
	}{
		{[]string{"SET", "k", "v"}, func() any { return reply(c.Set("k", "v")) }},
		{[]string{"OBJECT", "FREQ", "k"}, func() any { return freq("k") }},
		{[]string{"GET", "k"}, func() any { v, _ := c.Get("k"); return v }},
		{[]string{"OBJECT", "FREQ", "k"}, func() any { return freq("k") }},
		{[]string{"OBJECT", "FREQ", "nope"}, func() any { return freq("nope") }},
		{[]string{"OBJECT", "IDLETIME", "k"}, func() any { return idle("k") }},
		{[]string{"OBJECT", "IDLETIME", "nope"}, func() any { return idle("nope") }},
	}
	for _, st := range steps {
		if want, got := r.do(t, st.cmd...), st.ours(); fmt.Sprint(want) != fmt.Sprint(got) {
			t.Fatalf("%v: redis %#v, maxmem %#v", st.cmd, want, got)
		}
	}
	compareInfo(t, r, c.Stats(), "keyspace_hits", "keyspace_misses")
}
