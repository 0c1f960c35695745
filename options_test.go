package maxmem

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// DefaultShards: four per CPU, a power of two in [8, 256], and no more
// than one per MinShardBytes of budget.
func TestDefaultShards(t *testing.T) {
	for _, tc := range []struct {
		maxMemory  int64
		cpus, want int
	}{
		{0, 1, 8}, {0, 2, 8}, {0, 3, 16}, {0, 64, 256}, {0, 1000, 256},
		{1 << 30, 2, 8}, {8 * MinShardBytes, 2, 8}, {8*MinShardBytes - 1, 2, 4},
		{2 * MinShardBytes, 64, 2}, {MinShardBytes, 2, 1}, {1, 2, 1},
	} {
		if got := DefaultShards(tc.maxMemory, tc.cpus); got != tc.want {
			t.Errorf("DefaultShards(%d, %d) = %d, want %d", tc.maxMemory, tc.cpus, got, tc.want)
		}
	}
	c, err := New(Options[string, int]{MaxMemory: 3 * MinShardBytes, Policy: NoEviction, Sizer: func(string, int) int64 { return 1 }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(c.shards) != 2 {
		t.Fatalf("New with a %d-byte budget made %d shards, want 2", 3*MinShardBytes, len(c.shards))
	}
}

func TestParseMemoryAccepts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"100", 100},
		{"1b", 1},
		{"1B", 1},
		// redis.conf: k, m, g are powers of 1000; kb, mb, gb of 1024; any case.
		{"1k", 1000},
		{"1K", 1000},
		{"1kb", 1 << 10},
		{"2KB", 2 << 10},
		{"1m", 1000 * 1000},
		{"1mb", 1 << 20},
		{"3g", 3 * 1000 * 1000 * 1000},
		{"1gb", 1 << 30},
		{"1Gb", 1 << 30},
		// Go, as GOMEMLIMIT is written: KiB, MiB, GiB, TiB are powers of 1024.
		{"1KiB", 1 << 10},
		{"8MiB", 8 << 20},
		{"2GiB", 2 << 30},
		{"1TiB", 1 << 40},
		{"8mib", 8 << 20},
		{"8388608B", 8 << 20},
		{"8388607TiB", 8388607 << 40},
	} {
		got, err := ParseMemory(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseMemoryRefusesAndSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		why  string // in the error, besides the list of accepted forms
		list bool   // the error lists the accepted forms
	}{
		{"", "empty", true},
		{"k", "does not start with digits", true},
		{"kb", "does not start with digits", true},
		{"1.5gb", "a fraction is not accepted", true},
		{"0.5", "a fraction is not accepted", true},
		{"1,5mb", `unknown unit ",5mb"`, true},
		{"-1", "a sign is not accepted", true},
		{"+1", "a sign is not accepted", true},
		{"-1gb", "a sign is not accepted", true},
		{"1tb", `unknown unit "tb"`, true},
		{"1 mb", `unknown unit " mb"`, true},
		{" 1", "does not start with digits", true},
		{"12 parsecs", `unknown unit " parsecs"`, true},
		{"1e9", `unknown unit "e9"`, true},
		{"99999999999999999999", "larger than 9223372036854775807 bytes", false},
		{"9223372036854775807gb", "larger than 9223372036854775807 bytes", false},
		{"8388608TiB", "larger than 9223372036854775807 bytes", false},
	} {
		n, err := ParseMemory(tc.in)
		switch {
		case !errors.Is(err, ErrMemoryFormat):
			t.Errorf("ParseMemory(%q) = %d, %v; want an error wrapping ErrMemoryFormat", tc.in, n, err)
		case !strings.Contains(err.Error(), tc.why):
			t.Errorf("ParseMemory(%q) = %v; want it to say %q", tc.in, err, tc.why)
		case tc.list && !strings.Contains(err.Error(), "KiB") || tc.list && !strings.Contains(err.Error(), "kb"):
			t.Errorf("ParseMemory(%q) = %v; want the accepted forms listed", tc.in, err)
		case n != 0:
			t.Errorf("ParseMemory(%q) = %d with an error; want 0", tc.in, n)
		}
	}
}

// A budget without a policy is refused: a cache that silently stops
// caching once full is the trap Redis operators meet in production. The
// error wraps ErrInvalidArgument and names the choices; no budget and no
// policy stays valid (Redis's defaults).
func TestNewRefusesABudgetWithoutAPolicy(t *testing.T) {
	_, err := New(Options[string, []byte]{MaxMemory: 1 << 20})
	if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "maxmem.NoEviction") ||
		!strings.Contains(err.Error(), "maxmem.AllKeysLRU") {
		t.Fatalf("New with MaxMemory and no Policy: %v", err)
	}
	for _, o := range []Options[string, []byte]{{}, {MaxMemory: 1 << 20, Policy: NoEviction}, {Policy: AllKeysLRU}} {
		c, err := New(o)
		if err != nil {
			t.Fatalf("New(%+v): %v", o, err)
		}
		c.Close()
	}
}

// Every argument New, SetMaxMemory and ParsePolicy refuse is an error
// wrapping ErrInvalidArgument; ParsePolicy's lists the policies it knows.
func TestBadArgumentsWrapErrInvalidArgument(t *testing.T) {
	for _, o := range []Options[string, []byte]{{MaxMemory: -1}, {Samples: 65}, {LFULogFactor: -1}, {Shards: 3}} {
		if _, err := New(o); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("New(%+v): %v, want ErrInvalidArgument", o, err)
		}
	}
	c := mustNew(t, Options[string, []byte]{})
	if err := c.SetMaxMemory(-1); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("SetMaxMemory(-1): %v", err)
	}
	_, err := ParsePolicy("allkeys-lur")
	if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "allkeys-lru, volatile-lru") ||
		!strings.Contains(err.Error(), "allkeys-tinylfu") {
		t.Errorf("ParsePolicy(\"allkeys-lur\"): %v", err)
	}
}

// A refused TTL is named in the error.
func TestInvalidTTLSaysWhich(t *testing.T) {
	c := mustNew(t, Options[string, []byte]{})
	for _, ttl := range []time.Duration{0, -time.Second} {
		err := c.SetWithTTL("k", nil, ttl)
		if !errors.Is(err, ErrInvalidTTL) || !strings.Contains(err.Error(), ttl.String()) {
			t.Errorf("SetWithTTL(%v): %v", ttl, err)
		}
	}
}
