// Package chart draws the vitals charts of a patient's record as SVG on the
// server: a measurement over time with its normal band shaded, and the WHO
// growth charts for young children. No script runs in the browser; the
// markup is accessible (role="img", a <title>, an aria-label naming the
// latest value, a <title> on every point) and uses presentation attributes
// only, so the desk's Content-Security-Policy (no inline styles) holds.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"
)

// Size of every chart, in SVG user units; it scales to its container.
const (
	Width        = 640
	Height       = 280
	marginLeft   = 56
	marginRight  = 16
	marginTop    = 28
	marginBottom = 44
)

// Colours (WCAG AA against white for the lines and the text).
const (
	colorInk     = "#1c2a33"
	colorSoft    = "#52636e"
	colorGrid    = "#d9e2e7"
	colorBand    = "#e6f4ea"
	colorSeries1 = "#0b6e75"
	colorSeries2 = "#8a3b12"
	colorRef     = "#52636e"
)

// Point is one measurement.
type Point struct {
	At    time.Time
	Value float64
}

// Series is one line of a chart (systolic, diastolic).
type Series struct {
	Name   string // legend and point titles: "Systolic"
	Points []Point
}

// Band is a shaded range of normal values.
type Band struct {
	Low, High float64
	Label     string // "Normal systolic for an adult"
}

// Line is a chart of one vital over time.
type Line struct {
	Title    string // "Blood pressure"
	Unit     string // "mmHg"
	Decimals int
	Series   []Series // drawn in order; the first is the main one
	Bands    []Band
	Location *time.Location // for the date labels; UTC when nil
}

// scale maps a data range onto a pixel range.
type scale struct{ d0, d1, p0, p1 float64 }

func (s scale) at(x float64) float64 {
	if s.d1 == s.d0 {
		return (s.p0 + s.p1) / 2
	}
	return s.p0 + (x-s.d0)/(s.d1-s.d0)*(s.p1-s.p0)
}

// niceTicks returns about n round tick values covering [lo, hi] and the
// range they span.
func niceTicks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Floor(lo/step) * step; v <= math.Ceil(hi/step)*step+step/1e6; v += step {
		out = append(out, math.Round(v*1e6)/1e6)
	}
	return out
}

func num(x float64, decimals int) string {
	p := math.Pow(10, float64(decimals))
	return fmt.Sprintf("%g", math.Round(x*p)/p)
}

// px writes a coordinate with two decimals.
func px(x float64) string { return fmt.Sprintf("%.2f", x) }

func esc(s string) string { return html.EscapeString(s) }

// SVG renders the chart. A chart without points says so in its title.
func (c Line) SVG() template.HTML {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	var lo, hi = math.Inf(1), math.Inf(-1)
	var t0, t1 time.Time
	n := 0
	for _, s := range c.Series {
		for _, p := range s.Points {
			lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
			if n == 0 || p.At.Before(t0) {
				t0 = p.At
			}
			if n == 0 || p.At.After(t1) {
				t1 = p.At
			}
			n++
		}
	}
	for _, b := range c.Bands {
		lo, hi = math.Min(lo, b.Low), math.Max(hi, b.High)
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	pad := (hi - lo) * 0.08
	if pad == 0 {
		pad = math.Max(1, math.Abs(hi)*0.1)
	}
	ticks := niceTicks(lo-pad, hi+pad, 5)
	ys := scale{ticks[0], ticks[len(ticks)-1], Height - marginBottom, marginTop}
	if n > 0 && !t1.After(t0) {
		t0, t1 = t0.Add(-12*time.Hour), t1.Add(12*time.Hour)
	}
	span := t1.Sub(t0)
	t0, t1 = t0.Add(-span/25), t1.Add(span/25)
	xs := scale{float64(t0.Unix()), float64(t1.Unix()), marginLeft, Width - marginRight}

	label := c.ariaLabel(loc)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="vital-chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, Width, Height, esc(label))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(label))
	// Normal bands under everything.
	for _, bd := range c.Bands {
		top, bot := ys.at(bd.High), ys.at(bd.Low)
		fmt.Fprintf(&b, `<rect class="band" x="%d" y="%s" width="%d" height="%s" fill="%s" data-low="%s" data-high="%s"><title>%s: %s–%s %s</title></rect>`,
			marginLeft, px(top), Width-marginLeft-marginRight, px(bot-top), colorBand, num(bd.Low, 2), num(bd.High, 2),
			esc(bd.Label), num(bd.Low, c.Decimals), num(bd.High, c.Decimals), esc(c.Unit))
	}
	// Y axis: grid lines and values; the unit above the axis.
	for _, v := range ticks {
		y := ys.at(v)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, marginLeft, Width-marginRight, px(y), px(y), colorGrid)
		fmt.Fprintf(&b, `<text class="tick-y" x="%d" y="%s" text-anchor="end" font-size="11" fill="%s">%s</text>`, marginLeft-6, px(y+4), colorSoft, num(v, 2))
	}
	fmt.Fprintf(&b, `<text class="unit" x="%d" y="%d" font-size="12" fill="%s">%s</text>`, 4, marginTop-10, colorInk, esc(c.Unit))
	// X axis: dates.
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s"/>`, marginLeft, Width-marginRight, Height-marginBottom, Height-marginBottom, colorSoft)
	if n > 0 {
		layout := "2 Jan 2006"
		if t1.Sub(t0) < 3*24*time.Hour {
			layout = "2 Jan 15:04"
		}
		for i := 0; i <= 4; i++ {
			at := t0.Add(time.Duration(float64(t1.Sub(t0)) * (0.05 + 0.9*float64(i)/4)))
			x := xs.at(float64(at.Unix()))
			fmt.Fprintf(&b, `<text class="tick-x" x="%s" y="%d" text-anchor="middle" font-size="11" fill="%s">%s</text>`, px(x), Height-marginBottom+16, colorSoft, esc(at.In(loc).Format(layout)))
		}
	} else {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="13" fill="%s">No measurements yet</text>`, Width/2, Height/2, colorSoft)
	}
	// Series: a line and a point per measurement; the second series has
	// hollow square points so colour is not the only difference.
	for i, s := range c.Series {
		color := colorSeries1
		if i > 0 {
			color = colorSeries2
		}
		var path []string
		for _, p := range s.Points {
			path = append(path, px(xs.at(float64(p.At.Unix())))+","+px(ys.at(p.Value)))
		}
		if len(path) > 1 {
			fmt.Fprintf(&b, `<polyline class="series" data-series="%s" points="%s" fill="none" stroke="%s" stroke-width="2"/>`, esc(s.Name), strings.Join(path, " "), color)
		}
		for _, p := range s.Points {
			x, y := xs.at(float64(p.At.Unix())), ys.at(p.Value)
			tip := fmt.Sprintf("%s %s %s on %s", s.Name, num(p.Value, c.Decimals), c.Unit, p.At.In(loc).Format("2 Jan 2006 15:04"))
			if i == 0 {
				fmt.Fprintf(&b, `<circle class="point" data-series="%s" data-value="%s" data-at="%s" cx="%s" cy="%s" r="4" fill="%s"><title>%s</title></circle>`,
					esc(s.Name), num(p.Value, 3), p.At.UTC().Format(time.RFC3339), px(x), px(y), color, esc(tip))
			} else {
				fmt.Fprintf(&b, `<rect class="point" data-series="%s" data-value="%s" data-at="%s" x="%s" y="%s" width="7" height="7" fill="#fff" stroke="%s" stroke-width="2"><title>%s</title></rect>`,
					esc(s.Name), num(p.Value, 3), p.At.UTC().Format(time.RFC3339), px(x-3.5), px(y-3.5), color, esc(tip))
			}
		}
	}
	// Legend when there is more than one series, and the band.
	lx := marginLeft + 40
	for i, s := range c.Series {
		if len(c.Series) < 2 {
			break
		}
		color := colorSeries1
		if i > 0 {
			color = colorSeries2
		}
		fmt.Fprintf(&b, `<text class="legend" x="%d" y="%d" font-size="12" fill="%s">%s %s</text>`, lx, marginTop-10, color, map[bool]string{true: "●", false: "□"}[i == 0], esc(s.Name))
		lx += 110
	}
	if len(c.Bands) > 0 {
		fmt.Fprintf(&b, `<text class="legend" x="%d" y="%d" font-size="12" fill="%s">shaded: normal for age</text>`, lx, marginTop-10, colorSoft)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// ariaLabel names the chart and its latest value: "Blood pressure over
// time, latest 128/82 mmHg on 4 Dec 2026".
func (c Line) ariaLabel(loc *time.Location) string {
	var vals []string
	var at time.Time
	for _, s := range c.Series {
		if len(s.Points) == 0 {
			continue
		}
		last := s.Points[0]
		for _, p := range s.Points {
			if !p.At.Before(last.At) {
				last = p
			}
		}
		vals = append(vals, num(last.Value, c.Decimals))
		if last.At.After(at) {
			at = last.At
		}
	}
	if len(vals) == 0 {
		return c.Title + " over time: no measurements yet"
	}
	return fmt.Sprintf("%s over time, latest %s %s on %s", c.Title, strings.Join(vals, "/"), c.Unit, at.In(loc).Format("2 Jan 2006"))
}
