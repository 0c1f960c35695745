package maxmem

import (
	"bytes"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestPublishServesStatsAsJSON(t *testing.T) {
	c, _ := newTestCache(t, 10, AllKeysLRU)
	mustSet(t, c, "a", 1)
	name := fmt.Sprintf("maxmem_test_%p", c) // unique under -count
	if err := c.Publish(name); err != nil {
		t.Fatal(err)
	}
	mustSet(t, c, "b", 2) // read at every request, not at Publish
	var got map[string]any
	if err := json.Unmarshal([]byte(expvar.Get(name).String()), &got); err != nil {
		t.Fatal(err)
	}
	if got["keys"] != 2.0 || got["maxmemory_policy"] != "allkeys-lru" || got["used_memory"] != float64(2*unit) {
		t.Fatalf("published %v", got)
	}
	if err := c.Publish(name); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("second Publish under one name = %v", err)
	}
	if err := c.Publish(""); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("Publish(\"\") = %v", err)
	}
}

func TestStatsLogValue(t *testing.T) {
	c, _ := newTestCache(t, 10, NoEviction)
	mustSet(t, c, "a", 1)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("cache", "stats", c.Stats())
	for _, want := range []string{"stats.used_memory=", "stats.maxmemory_policy=noeviction", "stats.keys=1", "stats.total_oom_errors=0"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log line lacks %q: %s", want, buf.String())
		}
	}
}
