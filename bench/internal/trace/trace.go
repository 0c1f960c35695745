// Package trace reads cache access traces in the formats used by published
// cache simulators (Caffeine, LIRS, ARC, cache2k, libCacheSim, AdaptSize)
// as streaming iterators of requests.
//
// Compression (gzip, xz, zstd) is detected from the stream's magic bytes, so
// files may be named freely. A Stream yields requests one at a time; after
// the iteration ends, Err reports the first decoding error, if any.
package trace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Request is one cache access. Size is the object size in bytes for
// weighted formats and 1 for formats that only carry keys.
type Request struct {
	Key  uint64
	Size int64
}

// Format identifies a trace encoding.
type Format int

// The supported trace formats.
const (
	// LIRS is text with one decimal key per line; lines equal to "*" are
	// checkpoint markers and are skipped.
	LIRS Format = iota + 1
	// ARC is text "start count ignore request_no"; each line expands to
	// count requests for keys start..start+count-1.
	ARC
	// Int32BE is binary, one big-endian signed 32-bit key per record
	// (cache2k).
	Int32BE
	// Int64BE is binary, one big-endian signed 64-bit key per record
	// (Scarab, Corda).
	Int64BE
	// Uint32BE is binary, one big-endian unsigned 32-bit key per record
	// (CloudPhysics in Caffeine's format).
	Uint32BE
	// AdaptSize is text "time id size" per line; weighted.
	AdaptSize
	// OracleGeneral is libCacheSim's binary format: 24-byte little-endian
	// records {uint32 time; uint64 id; uint32 size; int64 next}; weighted.
	OracleGeneral
	// Lines is text with one decimal key per line.
	Lines
)

var formatNames = map[Format]string{
	LIRS: "lirs", ARC: "arc", Int32BE: "int32be", Int64BE: "int64be",
	Uint32BE: "uint32be", AdaptSize: "adaptsize", OracleGeneral: "oraclegeneral", Lines: "lines",
}

// String returns the format's short name.
func (f Format) String() string {
	if s, ok := formatNames[f]; ok {
		return s
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Weighted reports whether the format carries object sizes.
func (f Format) Weighted() bool { return f == AdaptSize || f == OracleGeneral }

// ErrFormat reports malformed trace data.
var ErrFormat = errors.New("trace: malformed data")

// Stream is a decoded trace read from an io.Reader.
type Stream struct {
	r      *bufio.Reader
	f      Format
	closer io.Closer
	err    error
	used   bool
}

// Open opens the trace file at path, decompressing it if needed.
// The caller must Close the stream.
func Open(path string, f Format) (*Stream, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	s, err := NewStream(file, f)
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.closer = multiCloser{s.closer, file}
	return s, nil
}

// NewStream decodes trace data of format f from r, transparently
// decompressing gzip, xz and zstd input.
func NewStream(r io.Reader, f Format) (*Stream, error) {
	if _, ok := formatNames[f]; !ok {
		return nil, fmt.Errorf("trace: unknown format %d", int(f))
	}
	dr, closer, err := decompress(bufio.NewReaderSize(r, 1<<16))
	if err != nil {
		return nil, err
	}
	return &Stream{r: bufio.NewReaderSize(dr, 1<<16), f: f, closer: closer}, nil
}

// Magic numbers of the supported compression formats.
var (
	gzipMagic = []byte{0x1f, 0x8b}
	xzMagic   = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// decompress wraps br in a decompressor chosen by its magic bytes.
func decompress(br *bufio.Reader) (io.Reader, io.Closer, error) {
	head, _ := br.Peek(6)
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		return zr, zr, err
	case bytes.HasPrefix(head, xzMagic):
		xr, err := xz.NewReader(br)
		return xr, nopCloser{}, err
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, err
		}
		return zr, closeFunc(func() error { zr.Close(); return nil }), nil
	}
	return br, nopCloser{}, nil
}

// All returns an iterator over the stream's requests. It can be ranged over
// once; a second call yields nothing and sets Err.
func (s *Stream) All() iter.Seq[Request] {
	return func(yield func(Request) bool) {
		if s.used {
			s.err = errors.New("trace: stream already consumed")
			return
		}
		s.used = true
		switch s.f {
		case Int32BE, Int64BE, Uint32BE, OracleGeneral:
			s.err = s.readBinary(yield)
		default:
			s.err = s.readText(yield)
		}
	}
}

// Err returns the first error met while iterating, or nil.
func (s *Stream) Err() error { return s.err }

// Close releases the decompressor and the underlying file.
func (s *Stream) Close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

// ReadAll decodes the whole trace file at path into memory.
func ReadAll(path string, f Format) ([]Request, error) {
	s, err := Open(path, f)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var out []Request
	for r := range s.All() {
		out = append(out, r)
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// nopCloser is an io.Closer that does nothing.
type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// closeFunc adapts a function to io.Closer.
type closeFunc func() error

func (f closeFunc) Close() error { return f() }

// multiCloser closes its members in order and returns the first error.
type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var first error
	for _, c := range m {
		if c == nil {
			continue
		}
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// trimLine strips surrounding whitespace, including a Windows CR.
func trimLine(b []byte) string { return strings.TrimSpace(string(b)) }
