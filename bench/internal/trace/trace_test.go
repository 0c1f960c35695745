package trace

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// collect decodes data of format f and returns all requests.
func collect(t *testing.T, data []byte, f Format) []Request {
	t.Helper()
	s, err := NewStream(bytes.NewReader(data), f)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := slices.Collect(s.All())
	if err := s.Err(); err != nil {
		t.Fatalf("%v: %v", f, err)
	}
	return got
}

// keys builds unit-size requests for the given keys.
func keys(ks ...uint64) []Request {
	out := make([]Request, len(ks))
	for i, k := range ks {
		out[i] = Request{Key: k, Size: 1}
	}
	return out
}

func TestLIRS(t *testing.T) {
	got := collect(t, []byte("0\n1\n*\n 2 \r\n\n*\n1\n"), LIRS)
	if want := keys(0, 1, 2, 1); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestLines(t *testing.T) {
	got := collect(t, []byte("14\n49\n-1\n18446744073709551615\n"), Lines)
	if want := keys(14, 49, ^uint64(0), ^uint64(0)); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestARC(t *testing.T) {
	got := collect(t, []byte("10 3 0 0\n7 1 0 1\n100 0 0 2\n"), ARC)
	if want := keys(10, 11, 12, 7); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestAdaptSize(t *testing.T) {
	got := collect(t, []byte("1 0 68\n2 1 7454\n3 0 68\n"), AdaptSize)
	want := []Request{{0, 68}, {1, 7454}, {0, 68}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestInt32BE(t *testing.T) {
	var b []byte
	for _, k := range []int32{1, -2, 1 << 30} {
		b = binary.BigEndian.AppendUint32(b, uint32(k))
	}
	got := collect(t, b, Int32BE)
	if want := keys(1, uint64(1<<64-2), 1<<30); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestUint32BE(t *testing.T) {
	var b []byte
	for _, k := range []uint32{1, 0xfffffffe, 7} {
		b = binary.BigEndian.AppendUint32(b, k)
	}
	got := collect(t, b, Uint32BE)
	if want := keys(1, 0xfffffffe, 7); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestInt64BE(t *testing.T) {
	var b []byte
	for _, k := range []uint64{0x391c8ee0c57542c7, 3, 0x391c8ee0c57542c7} {
		b = binary.BigEndian.AppendUint64(b, k)
	}
	got := collect(t, b, Int64BE)
	if want := keys(0x391c8ee0c57542c7, 3, 0x391c8ee0c57542c7); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// oracleRecord encodes one libCacheSim oracleGeneral record.
func oracleRecord(b []byte, time uint32, id uint64, size uint32, next int64) []byte {
	b = binary.LittleEndian.AppendUint32(b, time)
	b = binary.LittleEndian.AppendUint64(b, id)
	b = binary.LittleEndian.AppendUint32(b, size)
	return binary.LittleEndian.AppendUint64(b, uint64(next))
}

func TestOracleGeneral(t *testing.T) {
	b := oracleRecord(nil, 5633898, 42932745, 512, -1)
	b = oracleRecord(b, 5633899, 1<<40, 4096, 7)
	got := collect(t, b, OracleGeneral)
	want := []Request{{42932745, 512}, {1 << 40, 4096}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestTruncatedBinary(t *testing.T) {
	s, err := NewStream(bytes.NewReader(make([]byte, 30)), OracleGeneral)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range s.All() {
		n++
	}
	if n != 1 || !errors.Is(s.Err(), ErrFormat) {
		t.Fatalf("n=%d err=%v, want 1 record and ErrFormat", n, s.Err())
	}
}

func TestBadText(t *testing.T) {
	for f, data := range map[Format]string{LIRS: "1\nx\n", ARC: "1\n", AdaptSize: "1 2\n"} {
		s, _ := NewStream(strings.NewReader(data), f)
		for range s.All() {
		}
		if !errors.Is(s.Err(), ErrFormat) {
			t.Errorf("%v: err = %v, want ErrFormat", f, s.Err())
		}
	}
}

func TestEarlyBreak(t *testing.T) {
	s, _ := NewStream(strings.NewReader("1 100 0 0\n"), ARC)
	n := 0
	for range s.All() {
		if n++; n == 5 {
			break
		}
	}
	if n != 5 || s.Err() != nil {
		t.Fatalf("n=%d err=%v", n, s.Err())
	}
}

// compressors produce each supported compression of a payload.
var compressors = map[string]func([]byte) ([]byte, error){
	"none": func(b []byte) ([]byte, error) { return b, nil },
	"gzip": func(b []byte) ([]byte, error) {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		err := w.Close()
		return buf.Bytes(), err
	},
	"xz": func(b []byte) ([]byte, error) {
		var buf bytes.Buffer
		w, err := xz.NewWriter(&buf)
		if err != nil {
			return nil, err
		}
		w.Write(b)
		err = w.Close()
		return buf.Bytes(), err
	},
	"zstd": func(b []byte) ([]byte, error) {
		var buf bytes.Buffer
		w, err := zstd.NewWriter(&buf)
		if err != nil {
			return nil, err
		}
		w.Write(b)
		err = w.Close()
		return buf.Bytes(), err
	},
}

func TestCompressionAndOpen(t *testing.T) {
	var raw []byte
	for i := range 1000 {
		raw = fmt.Appendf(raw, "%d\n", i%37)
	}
	want := collect(t, raw, Lines)
	dir := t.TempDir()
	for name, compress := range compressors {
		data, err := compress(raw)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "t."+name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadAll(path, Lines)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d requests differ from uncompressed", name, len(got))
		}
	}
}

func TestParseSources(t *testing.T) {
	src := `# comment
## some/repo @ abc
loop.trace.gz          | lirs/loop.trace.gz      | LIRS text | 17848   | 505500 req / 1011 keys   | gzip | x
web07.trace.xz         | cache2k/web07.trace.xz     | cache2k int32 BE | 104172 | 76118 / 20484     | xz | web
cache2k-LICENSE.txt    | cache2k/LICENSE.txt        | text license     | 19599  | -                 | none |
scarab-recs.trace.xz   | scarab/scarab-recs.trace.xz        | int64 BE | 3075100 | 1 / 1 | xz   | s
w106.trace.xz          | cloud_physics/w106.trace.xz        | uint32 BE | 2817888 | 1 / 1 | xz   | c
request.trace.xz       | adapt_size/request.trace.xz        | text 3 cols | 247348 | 1 / 1 | xz | a
OLTP.lis.zst           | arc/OLTP.lis.zst | ARC text | 2375325 | 914145 req (914145 lines)      | zstd | db
arc-README.md          | arc/README.md    | markdown | 6836    | -                               | none | -
cloudPhysicsIO.oracleGeneral.bin | data/x.bin | oracleGeneral binary, 24-byte | 1 | 1 | none | c
zipf_1.0               | mydata/zipf/zipf_1.0 | text, one integer id per line | 1 | 1 | none | z
`
	got, err := ParseSources(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{"loop", "loop.trace.gz", LIRS},
		{"web07", "web07.trace.xz", Int32BE},
		{"scarab-recs", "scarab-recs.trace.xz", Int64BE},
		{"w106", "w106.trace.xz", Uint32BE},
		{"request", "request.trace.xz", AdaptSize},
		{"OLTP", "OLTP.lis.zst", ARC},
		{"cloudPhysicsIO", "cloudPhysicsIO.oracleGeneral.bin", OracleGeneral},
		{"zipf_1.0", "zipf_1.0", Lines},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}
