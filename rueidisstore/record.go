package rueidisstore

import (
	"encoding/binary"
	"time"

	"github.com/redis/rueidis"
)

// An entry's value is a sequence of records, one per command cached on the
// entry's Redis key:
//
//	uvarint len(cmd) | cmd | uvarint len(msg) | msg
//
// where msg is RedisMessage.CacheMarshal's output: its first pxatBytes bytes
// are the record's expiry in Unix milliseconds, little-endian.

// pxatBytes is the width of the expiry at the start of a marshalled message.
const pxatBytes = 7

// appendRecord appends the record of cmd and msg to dst.
func appendRecord(dst []byte, cmd string, msg []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(cmd)))
	dst = append(dst, cmd...)
	dst = binary.AppendUvarint(dst, uint64(len(msg)))
	return append(dst, msg...)
}

// nextRecord splits the first record off b. ok is false when b does not
// start with a whole record.
func nextRecord(b []byte) (cmd, msg, rest []byte, ok bool) {
	if cmd, b, ok = field(b); !ok {
		return nil, nil, nil, false
	}
	if msg, b, ok = field(b); !ok || len(msg) < pxatBytes {
		return nil, nil, nil, false
	}
	return cmd, msg, b, true
}

// field splits a length-prefixed field off b.
func field(b []byte) (f, rest []byte, ok bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil, nil, false
	}
	return b[w : w+int(n)], b[w+int(n):], true
}

// findRecord returns the message of cmd's record in b.
func findRecord(b []byte, cmd string) ([]byte, bool) {
	for len(b) > 0 {
		c, msg, rest, ok := nextRecord(b)
		if !ok {
			return nil, false
		}
		if string(c) == cmd {
			return msg, true
		}
		b = rest
	}
	return nil, false
}

// pxatOf returns the expiry of a marshalled message, in Unix milliseconds.
func pxatOf(msg []byte) int64 {
	var v int64
	for i := pxatBytes - 1; i >= 0; i-- {
		v = v<<8 | int64(msg[i])
	}
	return v
}

// setPXAT writes pxat as the expiry of a marshalled message.
func setPXAT(msg []byte, pxat int64) {
	for i := range pxatBytes {
		msg[i] = byte(pxat >> (8 * i))
	}
}

// marshalWithExpiry returns val marshalled with expiry pxat, and the message
// that views those bytes (RedisMessage has no exported setter for its
// expiry, so it goes through the marshalled form).
func marshalWithExpiry(val rueidis.RedisMessage, pxat int64) (rueidis.RedisMessage, []byte, error) {
	buf := val.CacheMarshal(nil)
	setPXAT(buf, pxat)
	var m rueidis.RedisMessage
	err := m.CacheUnmarshalView(buf)
	return m, buf, err
}

// merge returns the records of old that are neither cmd's nor expired at
// nowMS, followed by cmd's new record msg, and the latest expiry among them.
func merge(old []byte, cmd string, msg []byte, nowMS int64) ([]byte, int64) {
	latest := pxatOf(msg)
	var out []byte
	for len(old) > 0 {
		c, m, rest, ok := nextRecord(old)
		if !ok {
			break // a damaged tail: the new value replaces it
		}
		if p := pxatOf(m); string(c) != cmd && p > nowMS {
			out = appendRecord(out, string(c), m)
			latest = max(latest, p)
		}
		old = rest
	}
	return appendRecord(out, cmd, msg), latest
}

// untilMS returns the time from now to the Unix millisecond pxat.
func untilMS(pxat int64, now time.Time) time.Duration {
	return time.UnixMilli(pxat).Sub(now)
}
