package trace

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// recordSize returns the byte length of one binary record of format f.
func recordSize(f Format) int {
	switch f {
	case Int32BE, Uint32BE:
		return 4
	case Int64BE:
		return 8
	case OracleGeneral:
		return 24
	}
	return 0
}

// decodeRecord decodes one binary record of format f.
func decodeRecord(f Format, b []byte) Request {
	switch f {
	case Int32BE:
		return Request{Key: uint64(int64(int32(binary.BigEndian.Uint32(b)))), Size: 1}
	case Uint32BE:
		return Request{Key: uint64(binary.BigEndian.Uint32(b)), Size: 1}
	case Int64BE:
		return Request{Key: binary.BigEndian.Uint64(b), Size: 1}
	default: // OracleGeneral
		return Request{Key: binary.LittleEndian.Uint64(b[4:12]), Size: int64(binary.LittleEndian.Uint32(b[12:16]))}
	}
}

// readBinary yields fixed-size binary records until EOF.
func (s *Stream) readBinary(yield func(Request) bool) error {
	n := recordSize(s.f)
	buf := make([]byte, n)
	for rec := 0; ; rec++ {
		if _, err := io.ReadFull(s.r, buf); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("%w: truncated record %d", ErrFormat, rec)
			}
			return err
		}
		if !yield(decodeRecord(s.f, buf)) {
			return nil
		}
	}
}

// readText yields the requests of a line-oriented text format.
func (s *Stream) readText(yield func(Request) bool) error {
	sc := bufio.NewScanner(s.r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := trimLine(sc.Bytes())
		if text == "" || (s.f == LIRS && text == "*") {
			continue
		}
		cont, err := s.decodeLine(text, yield)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if !cont {
			return nil
		}
	}
	return sc.Err()
}

// decodeLine yields the requests of one non-empty text line and reports
// whether iteration should continue.
func (s *Stream) decodeLine(text string, yield func(Request) bool) (bool, error) {
	switch s.f {
	case ARC:
		return decodeARC(text, yield)
	case AdaptSize:
		return decodeAdaptSize(text, yield)
	default: // LIRS, Lines
		k, err := parseKey(text)
		if err != nil {
			return false, err
		}
		return yield(Request{Key: k, Size: 1}), nil
	}
}

// decodeARC expands "start count ignore request_no" into count requests.
func decodeARC(text string, yield func(Request) bool) (bool, error) {
	f := strings.Fields(text)
	if len(f) < 2 {
		return false, fmt.Errorf("%w: ARC line %q", ErrFormat, text)
	}
	start, err := parseKey(f[0])
	if err != nil {
		return false, err
	}
	count, err := strconv.ParseUint(f[1], 10, 32)
	if err != nil {
		return false, fmt.Errorf("%w: ARC count %q", ErrFormat, f[1])
	}
	for i := range count {
		if !yield(Request{Key: start + i, Size: 1}) {
			return false, nil
		}
	}
	return true, nil
}

// decodeAdaptSize decodes "time id size".
func decodeAdaptSize(text string, yield func(Request) bool) (bool, error) {
	f := strings.Fields(text)
	if len(f) < 3 {
		return false, fmt.Errorf("%w: AdaptSize line %q", ErrFormat, text)
	}
	k, err := parseKey(f[1])
	if err != nil {
		return false, err
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		return false, fmt.Errorf("%w: AdaptSize size %q", ErrFormat, f[2])
	}
	return yield(Request{Key: k, Size: size}), nil
}

// parseKey parses a decimal key, signed or unsigned.
func parseKey(s string) (uint64, error) {
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return u, nil
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: key %q", ErrFormat, s)
	}
	return uint64(i), nil
}
