package svgplot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// wellFormed parses the SVG as XML and fails the test if it is not.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b)
		}
	}
}

func TestWriteSVG(t *testing.T) {
	c := Chart{
		Title: "Hit ratio <gli>", XLabel: "entries", YLabel: "hit ratio (%)",
		Series: []Series{
			{Name: "LRU", X: []float64{250, 500, 1000, 2000}, Y: []float64{0.9, 0.95, 11.2, 57.4}},
			{Name: "LFU & co", X: []float64{250, 500, 1000, 2000}, Y: []float64{15, 33, 50, 58}},
		},
	}
	for _, logX := range []bool{false, true} {
		c.LogX = logX
		var buf bytes.Buffer
		if err := c.WriteSVG(&buf); err != nil {
			t.Fatal(err)
		}
		out := buf.Bytes()
		wellFormed(t, out)
		s := string(out)
		for _, want := range []string{"<svg", "Hit ratio &lt;gli&gt;", "LFU &amp; co", "entries", "polyline", "<circle", palette[0], palette[1]} {
			if !strings.Contains(s, want) {
				t.Errorf("logX=%v: output lacks %q", logX, want)
			}
		}
		if got := strings.Count(s, "<polyline"); got != 2 {
			t.Errorf("logX=%v: %d polylines, want 2", logX, got)
		}
		var again bytes.Buffer
		_ = c.WriteSVG(&again)
		if !bytes.Equal(out, again.Bytes()) {
			t.Errorf("logX=%v: output not deterministic", logX)
		}
	}
}

func TestWriteSVGErrors(t *testing.T) {
	cases := []Chart{
		{Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1}}}},
		{LogX: true, Series: []Series{{Name: "a", X: []float64{0, 2}, Y: []float64{1, 2}}}},
	}
	for i, c := range cases {
		if err := c.WriteSVG(io.Discard); !errors.Is(err, ErrBadData) {
			t.Errorf("case %d: err = %v, want ErrBadData", i, err)
		}
	}
}

func TestWriteSVGEmptyAndManySeries(t *testing.T) {
	var buf bytes.Buffer
	if err := (Chart{Title: "empty"}).WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, buf.Bytes())
	c := Chart{LogX: true}
	for i := range 45 {
		c.Series = append(c.Series, Series{Name: "s", X: []float64{10, 1000}, Y: []float64{float64(i), float64(i + 1)}})
	}
	buf.Reset()
	if err := c.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, buf.Bytes())
	for _, shape := range []string{"<rect x=", "<polygon"} {
		if !strings.Contains(buf.String(), shape) {
			t.Errorf("many series: no %q markers", shape)
		}
	}
}

func TestFormatNum(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 250: "250", 1500: "1500", 20000: "20k", 2e6: "2M", 0.5: "0.5", 3e9: "3G"} {
		if got := formatNum(v); got != want {
			t.Errorf("formatNum(%g) = %q, want %q", v, got, want)
		}
	}
}
