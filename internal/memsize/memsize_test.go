package memsize

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]int64{"100": 100, "1k": 1000, "1kb": 1024, "1KiB": 1024, "2GB": 2 << 30, "1tib": 1 << 40} {
		if got, err := Parse(in); got != want || err != nil {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "+1", "gb", "1.5gb", "1xb", "9223372036854775808", "9000000000gb"} {
		if _, err := Parse(in); !errors.Is(err, ErrFormat) {
			t.Errorf("Parse(%q): %v, want ErrFormat", in, err)
		}
	}
}
