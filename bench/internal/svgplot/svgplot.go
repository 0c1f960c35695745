// Package svgplot writes simple, dependency-free SVG line charts.
//
// A Chart has a title, axis labels, an optional logarithmic X axis and any
// number of series. WriteSVG draws axes with ticks and tick labels, a grid,
// one polyline with markers per series in its own colour, and a legend.
// The output is deterministic for a given Chart.
package svgplot

import (
	"bufio"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
)

// Series is one named line: Y[i] is plotted against X[i].
type Series struct {
	Name string
	X, Y []float64
}

// Chart describes a line chart.
type Chart struct {
	Title, XLabel, YLabel string
	// LogX plots the X axis on a base-10 logarithmic scale; X values must
	// then be positive.
	LogX   bool
	Series []Series
}

// Layout constants, in SVG user units (pixels).
const (
	width       = 900.0
	height      = 540.0
	marginLeft  = 70.0
	marginRight = 230.0 // room for the legend
	marginTop   = 40.0
	marginBot   = 60.0
	plotW       = width - marginLeft - marginRight
	plotH       = height - marginTop - marginBot
)

// palette holds distinguishable colours; series beyond its length reuse
// colours with a different marker shape.
var palette = []string{
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
	"#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
	"#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363",
}

// markers are the marker shapes, cycled once the palette is exhausted.
var markers = []string{"circle", "square", "triangle", "diamond"}

// ErrBadData reports series data that cannot be plotted.
var ErrBadData = errors.New("svgplot: bad data")

// axis maps data values to pixel positions along one dimension.
type axis struct {
	min, max float64 // in transformed (possibly log10) space
	log      bool
}

// transform maps a data value into axis space.
func (a axis) transform(v float64) float64 {
	if a.log {
		return math.Log10(v)
	}
	return v
}

// frac returns v's position as a fraction of the axis range.
func (a axis) frac(v float64) float64 {
	if a.max == a.min {
		return 0.5
	}
	return (a.transform(v) - a.min) / (a.max - a.min)
}

// WriteSVG writes the chart as a standalone SVG document to w.
func (c Chart) WriteSVG(w io.Writer) error {
	xa, ya, err := c.axes()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	p(`<rect x="0" y="0" width="%g" height="%g" fill="white"/>`+"\n", width, height)
	p(`<text x="%g" y="%g" text-anchor="middle" font-size="16">%s</text>`+"\n", marginLeft+plotW/2, marginTop/2+5, esc(c.Title))
	c.writeXAxis(p, xa)
	c.writeYAxis(p, ya)
	p(`<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="black"/>`+"\n", marginLeft, marginTop, plotW, plotH)
	for i, s := range c.Series {
		writeSeries(p, s, i, xa, ya)
	}
	c.writeLegend(p)
	p("</svg>\n")
	return bw.Flush()
}

// axes validates the data and computes both axis ranges.
func (c Chart) axes() (axis, axis, error) {
	xa := axis{min: math.Inf(1), max: math.Inf(-1), log: c.LogX}
	ya := axis{min: math.Inf(1), max: math.Inf(-1)}
	for _, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return xa, ya, fmt.Errorf("%w: series %q has %d X and %d Y values", ErrBadData, s.Name, len(s.X), len(s.Y))
		}
		for i := range s.X {
			x, y := s.X[i], s.Y[i]
			if bad(x) || bad(y) || (c.LogX && x <= 0) {
				return xa, ya, fmt.Errorf("%w: series %q point %d (%g, %g)", ErrBadData, s.Name, i, x, y)
			}
			tx := xa.transform(x)
			xa.min, xa.max = math.Min(xa.min, tx), math.Max(xa.max, tx)
			ya.min, ya.max = math.Min(ya.min, y), math.Max(ya.max, y)
		}
	}
	if math.IsInf(xa.min, 1) { // no points at all
		xa.min, xa.max, ya.min, ya.max = 0, 1, 0, 1
		if c.LogX {
			xa.min, xa.max = 0, 1 // 10^0 .. 10^1
		}
	}
	if !c.LogX {
		xa.min, xa.max = niceRange(xa.min, xa.max)
	} else {
		xa.min, xa.max = math.Floor(xa.min), math.Ceil(xa.max)
		if xa.min == xa.max {
			xa.max++
		}
	}
	ya.min, ya.max = niceRange(math.Min(ya.min, 0), ya.max)
	return xa, ya, nil
}

// bad reports whether v is NaN or infinite.
func bad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// niceRange widens [lo, hi] to multiples of a nice tick step.
func niceRange(lo, hi float64) (float64, float64) {
	if lo == hi {
		if lo == 0 {
			return 0, 1
		}
		lo, hi = lo-math.Abs(lo)/2, hi+math.Abs(hi)/2
	}
	step := niceStep(hi - lo)
	return math.Floor(lo/step) * step, math.Ceil(hi/step) * step
}

// niceStep returns a 1, 2 or 5 × 10^k step giving about 5-10 ticks over span.
func niceStep(span float64) float64 {
	raw := span / 8
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch r := raw / mag; {
	case r <= 1:
		return mag
	case r <= 2:
		return 2 * mag
	case r <= 5:
		return 5 * mag
	default:
		return 10 * mag
	}
}

// linearTicks returns tick values from lo to hi inclusive.
func linearTicks(lo, hi float64) []float64 {
	step := niceStep(hi - lo)
	var ticks []float64
	for i := 0; ; i++ {
		v := lo + float64(i)*step
		if v > hi+step/1e6 {
			break
		}
		ticks = append(ticks, v)
	}
	return ticks
}

// xPix converts a data X value to a pixel X coordinate.
func xPix(a axis, v float64) float64 { return marginLeft + a.frac(v)*plotW }

// yPix converts a data Y value to a pixel Y coordinate.
func yPix(a axis, v float64) float64 { return marginTop + plotH - a.frac(v)*plotH }

// writeXAxis draws X ticks, grid lines, tick labels and the axis label.
func (c Chart) writeXAxis(p func(string, ...any), a axis) {
	type tick struct {
		v     float64
		label bool
	}
	var ticks []tick
	if a.log {
		for e := int(a.min); e <= int(a.max); e++ {
			base := math.Pow(10, float64(e))
			ticks = append(ticks, tick{base, true})
			if e == int(a.max) {
				break
			}
			for m := 2; m <= 9; m++ {
				ticks = append(ticks, tick{base * float64(m), m == 2 || m == 5})
			}
		}
	} else {
		for _, v := range linearTicks(a.min, a.max) {
			ticks = append(ticks, tick{v, true})
		}
	}
	y0 := marginTop + plotH
	for _, t := range ticks {
		x := xPix(a, t.v)
		p(`<line x1="%.2f" y1="%g" x2="%.2f" y2="%g" stroke="#e0e0e0"/>`+"\n", x, marginTop, x, y0)
		p(`<line x1="%.2f" y1="%g" x2="%.2f" y2="%g" stroke="black"/>`+"\n", x, y0, x, y0+5)
		if t.label {
			p(`<text x="%.2f" y="%g" text-anchor="middle">%s</text>`+"\n", x, y0+18, formatNum(t.v))
		}
	}
	p(`<text x="%g" y="%g" text-anchor="middle" font-size="14">%s</text>`+"\n", marginLeft+plotW/2, height-15, esc(c.XLabel))
}

// writeYAxis draws Y ticks, grid lines, tick labels and the axis label.
func (c Chart) writeYAxis(p func(string, ...any), a axis) {
	for _, v := range linearTicks(a.min, a.max) {
		y := yPix(a, v)
		p(`<line x1="%g" y1="%.2f" x2="%g" y2="%.2f" stroke="#e0e0e0"/>`+"\n", marginLeft, y, marginLeft+plotW, y)
		p(`<line x1="%g" y1="%.2f" x2="%g" y2="%.2f" stroke="black"/>`+"\n", marginLeft-5, y, marginLeft, y)
		p(`<text x="%g" y="%.2f" text-anchor="end">%s</text>`+"\n", marginLeft-8, y+4, formatNum(v))
	}
	cx, cy := 18.0, marginTop+plotH/2
	p(`<text x="%g" y="%g" text-anchor="middle" font-size="14" transform="rotate(-90 %g %g)">%s</text>`+"\n", cx, cy, cx, cy, esc(c.YLabel))
}

// style returns the colour and marker shape of series i.
func style(i int) (string, string) {
	return palette[i%len(palette)], markers[(i/len(palette))%len(markers)]
}

// writeSeries draws one series as a polyline with markers.
func writeSeries(p func(string, ...any), s Series, i int, xa, ya axis) {
	colour, shape := style(i)
	var pts strings.Builder
	for j := range s.X {
		fmt.Fprintf(&pts, "%.2f,%.2f ", xPix(xa, s.X[j]), yPix(ya, s.Y[j]))
	}
	p(`<g><title>%s</title>`+"\n", esc(s.Name))
	if len(s.X) > 1 {
		p(`<polyline points="%s" fill="none" stroke="%s" stroke-width="1.8"/>`+"\n", strings.TrimSpace(pts.String()), colour)
	}
	for j := range s.X {
		writeMarker(p, shape, colour, xPix(xa, s.X[j]), yPix(ya, s.Y[j]))
	}
	p("</g>\n")
}

// writeMarker draws one marker of the given shape centred on (x, y).
func writeMarker(p func(string, ...any), shape, colour string, x, y float64) {
	const r = 3.5
	switch shape {
	case "square":
		p(`<rect x="%.2f" y="%.2f" width="%g" height="%g" fill="%s"/>`+"\n", x-r, y-r, 2*r, 2*r, colour)
	case "triangle":
		p(`<polygon points="%.2f,%.2f %.2f,%.2f %.2f,%.2f" fill="%s"/>`+"\n", x, y-r-1, x-r-1, y+r, x+r+1, y+r, colour)
	case "diamond":
		p(`<polygon points="%.2f,%.2f %.2f,%.2f %.2f,%.2f %.2f,%.2f" fill="%s"/>`+"\n", x, y-r-1, x+r+1, y, x, y+r+1, x-r-1, y, colour)
	default:
		p(`<circle cx="%.2f" cy="%.2f" r="%g" fill="%s"/>`+"\n", x, y, r, colour)
	}
}

// writeLegend lists every series with its colour and marker to the right
// of the plot area.
func (c Chart) writeLegend(p func(string, ...any)) {
	x := marginLeft + plotW + 15
	for i, s := range c.Series {
		colour, shape := style(i)
		y := marginTop + 10 + float64(i)*18
		p(`<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="1.8"/>`+"\n", x, y, x+24, y, colour)
		writeMarker(p, shape, colour, x+12, y)
		p(`<text x="%g" y="%g">%s</text>`+"\n", x+30, y+4, esc(s.Name))
	}
}

// formatNum prints a tick value compactly (1500 -> "1500", 1e6 -> "1M").
func formatNum(v float64) string {
	av := math.Abs(v)
	switch {
	case av >= 1e9 && isRound(v/1e9):
		return strconv.FormatFloat(v/1e9, 'f', -1, 64) + "G"
	case av >= 1e6 && isRound(v/1e6):
		return strconv.FormatFloat(v/1e6, 'f', -1, 64) + "M"
	case av >= 1e4 && isRound(v/1e3):
		return strconv.FormatFloat(v/1e3, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// isRound reports whether v has at most one decimal digit.
func isRound(v float64) bool { return math.Abs(v*10-math.Round(v*10)) < 1e-9 }

// esc escapes text for inclusion in SVG.
func esc(s string) string { return html.EscapeString(s) }
