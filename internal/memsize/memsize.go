// Package memsize reads memory sizes as redis.conf and GOMEMLIMIT write
// them, for maxmem.ParseMemory: a whole number of bytes with an optional
// unit. Every error wraps ErrFormat and says what is wrong.
package memsize

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrFormat is wrapped by every error of Parse.
var ErrFormat = errors.New("maxmem: malformed memory size")

// units are the units Parse accepts, lower-cased: redis.conf's
// (k, m, g are powers of 1000; kb, mb, gb powers of 1024) and Go's, as
// GOMEMLIMIT is written (B, KiB, MiB, GiB, TiB: powers of 1024).
var units = map[string]int64{
	"": 1, "b": 1,
	"k": 1000, "kb": 1 << 10,
	"m": 1000 * 1000, "mb": 1 << 20,
	"g": 1000 * 1000 * 1000, "gb": 1 << 30,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// forms is what Parse's errors say it accepts.
const forms = "a size is a whole number with an optional unit: " +
	"kb, mb, gb (powers of 1024) or k, m, g (powers of 1000) as in redis.conf, " +
	"or B, KiB, MiB, GiB, TiB as in GOMEMLIMIT; units in any case"

// Parse reads a size as redis.conf or GOMEMLIMIT writes it: "100"
// (bytes), "1k" (1000), "1kb" (1024), "1m", "1mb", "1g", "1gb", as in
// redis.conf, or "1B", "1KiB" (1024), "8MiB", "2GiB", "1TiB", as Go writes
// them; units in any case. An empty string, a sign, a fraction ("1.5gb"),
// an unknown unit or a size above math.MaxInt64 bytes is an error wrapping
// ErrFormat that says what is wrong and, but for the last, which
// forms are accepted.
func Parse(s string) (int64, error) {
	digits := s[:len(s)-len(strings.TrimLeft(s, "0123456789"))]
	unit := s[len(digits):]
	mul, ok := units[strings.ToLower(unit)]
	switch {
	case s == "":
		return 0, sizeError(s, "empty")
	case s[0] == '-' || s[0] == '+':
		return 0, sizeError(s, "a sign is not accepted")
	case digits == "":
		return 0, sizeError(s, "does not start with digits")
	case len(unit) > 1 && unit[0] == '.' && unit[1] >= '0' && unit[1] <= '9':
		return 0, sizeError(s, "a fraction is not accepted (use a smaller unit)")
	case !ok:
		return 0, sizeError(s, fmt.Sprintf("unknown unit %q", unit))
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > math.MaxInt64/mul {
		return 0, fmt.Errorf("%w: %q is larger than %d bytes", ErrFormat, s, int64(math.MaxInt64))
	}
	return n * mul, nil
}

// sizeError is Parse's error for s: what is wrong, and the forms
// it accepts.
func sizeError(s, what string) error {
	return fmt.Errorf("%w: %q: %s; %s", ErrFormat, s, what, forms)
}
