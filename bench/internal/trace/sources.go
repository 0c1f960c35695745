package trace

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Entry is one trace file listed in a SOURCES.txt catalogue.
type Entry struct {
	// Name is the trace's short name: the file name without compression
	// and trace suffixes (e.g. "OLTP", "gli", "cloudPhysicsIO").
	Name string
	// File is the file name as listed.
	File   string
	Format Format
}

// ParseFormat maps a SOURCES.txt format description to a Format. It reports
// false for entries that are not traces (licences, READMEs).
func ParseFormat(desc string) (Format, bool) {
	d := strings.ToLower(desc)
	switch {
	case strings.HasPrefix(d, "lirs"):
		return LIRS, true
	case strings.HasPrefix(d, "arc text"):
		return ARC, true
	case strings.Contains(d, "oraclegeneral"):
		return OracleGeneral, true
	case strings.Contains(d, "uint32 be"): // before "int32 be", its suffix
		return Uint32BE, true
	case strings.Contains(d, "int32 be"):
		return Int32BE, true
	case strings.Contains(d, "int64 be"):
		return Int64BE, true
	case strings.Contains(d, "3 cols"), strings.Contains(d, "adaptsize"):
		return AdaptSize, true
	case strings.Contains(d, "one integer id per line"):
		return Lines, true
	}
	return 0, false
}

// ParseSources reads the trace table of a SOURCES.txt catalogue: lines of
// "file | path | format | ..." columns, with '#' comment lines.
func ParseSources(r io.Reader) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "|")
		if len(cols) < 4 {
			continue
		}
		file := strings.TrimSpace(cols[0])
		// Take the first column after the file name that describes a
		// format, so the catalogue may add or drop columns before it.
		for _, c := range cols[1:] {
			if f, ok := ParseFormat(strings.TrimSpace(c)); ok {
				out = append(out, Entry{Name: ShortName(file), File: file, Format: f})
				break
			}
		}
	}
	return out, sc.Err()
}

// LoadSources parses dir/SOURCES.txt.
func LoadSources(dir string) ([]Entry, error) {
	f, err := os.Open(filepath.Join(dir, "SOURCES.txt"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := ParseSources(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return entries, nil
}

// ShortName strips compression and trace suffixes from a file name:
// "OLTP.lis.zst" -> "OLTP", "gli.trace.gz" -> "gli",
// "cloudPhysicsIO.oracleGeneral.bin" -> "cloudPhysicsIO".
func ShortName(file string) string {
	name := filepath.Base(file)
	for _, suf := range []string{".gz", ".xz", ".zst", ".bin", ".trace", ".lis", ".oracleGeneral"} {
		name = strings.TrimSuffix(name, suf)
	}
	for _, pre := range []string{"trace_"} {
		name = strings.TrimPrefix(name, pre)
	}
	return name
}
