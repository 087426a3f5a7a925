package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"medic"
)

// AgePoint is a child's measurement at an age in months.
type AgePoint struct {
	Months float64
	Value  float64
	At     time.Time
}

// Growth is a WHO growth chart (weight-for-age or length/height-for-age):
// the reference median and the -2 SD and +2 SD curves with the area
// between them shaded, and the child's measurements.
type Growth struct {
	Title     string // "Weight for age (girls)"
	Unit      string // "kg"
	Decimals  int
	Reference []medic.GrowthPoint
	Points    []AgePoint
	Location  *time.Location
}

// GrowthMonths is the age range drawn: two years while every point is
// younger than 21 months, else five (the end of the WHO standards).
func (g Growth) GrowthMonths() float64 {
	for _, p := range g.Points {
		if p.Months > 21 {
			return medic.GrowthMaxMonths
		}
	}
	return 24
}

// SVG renders the growth chart.
func (g Growth) SVG() template.HTML {
	loc := g.Location
	if loc == nil {
		loc = time.UTC
	}
	maxMonths := g.GrowthMonths()
	ref := g.Reference
	// Keep the reference points within the range, plus the next one so the
	// curves reach the edge (interpolated there by clipping on the x scale).
	var in []medic.GrowthPoint
	for _, r := range ref {
		if r.Months <= maxMonths {
			in = append(in, r)
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range in {
		lo, hi = math.Min(lo, r.Minus2SD), math.Max(hi, r.Plus2SD)
	}
	for _, p := range g.Points {
		if p.Months <= maxMonths {
			lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	ticks := niceTicks(math.Max(0, lo-(hi-lo)*0.05), hi+(hi-lo)*0.05, 6)
	ys := scale{ticks[0], ticks[len(ticks)-1], Height - marginBottom, marginTop}
	xs := scale{0, maxMonths, marginLeft, Width - marginRight}

	label := g.ariaLabel(loc)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="growth-chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, Width, Height, esc(label))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(label))
	// The -2 SD to +2 SD area.
	if len(in) > 1 {
		var pts []string
		for _, r := range in {
			pts = append(pts, px(xs.at(r.Months))+","+px(ys.at(r.Plus2SD)))
		}
		for i := len(in) - 1; i >= 0; i-- {
			pts = append(pts, px(xs.at(in[i].Months))+","+px(ys.at(in[i].Minus2SD)))
		}
		fmt.Fprintf(&b, `<polygon class="band" points="%s" fill="%s"><title>WHO -2 SD to +2 SD</title></polygon>`, strings.Join(pts, " "), colorBand)
	}
	for _, v := range ticks {
		y := ys.at(v)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, marginLeft, Width-marginRight, px(y), px(y), colorGrid)
		fmt.Fprintf(&b, `<text class="tick-y" x="%d" y="%s" text-anchor="end" font-size="11" fill="%s">%s</text>`, marginLeft-6, px(y+4), colorSoft, num(v, 2))
	}
	fmt.Fprintf(&b, `<text class="unit" x="%d" y="%d" font-size="12" fill="%s">%s</text>`, 4, marginTop-10, colorInk, esc(g.Unit))
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s"/>`, marginLeft, Width-marginRight, Height-marginBottom, Height-marginBottom, colorSoft)
	step := 3.0
	if maxMonths > 24 {
		step = 12
	}
	for m := 0.0; m <= maxMonths; m += step {
		anchor := "middle"
		if m == maxMonths {
			anchor = "end" // the last label stays inside the chart
		}
		fmt.Fprintf(&b, `<text class="tick-x" x="%s" y="%d" text-anchor="%s" font-size="11" fill="%s">%s</text>`, px(xs.at(m)), Height-marginBottom+16, anchor, colorSoft, ageLabel(m))
	}
	fmt.Fprintf(&b, `<text class="axis-title" x="%d" y="%d" text-anchor="middle" font-size="12" fill="%s">age</text>`, (marginLeft+Width-marginRight)/2, Height-6, colorInk)
	// Reference curves: median solid, ±2 SD dashed.
	for _, curve := range []struct {
		name string
		val  func(medic.GrowthPoint) float64
		dash string
	}{
		{"-2 SD", func(p medic.GrowthPoint) float64 { return p.Minus2SD }, ` stroke-dasharray="5 4"`},
		{"median", func(p medic.GrowthPoint) float64 { return p.Median }, ""},
		{"+2 SD", func(p medic.GrowthPoint) float64 { return p.Plus2SD }, ` stroke-dasharray="5 4"`},
	} {
		var pts []string
		for _, r := range in {
			pts = append(pts, px(xs.at(r.Months))+","+px(ys.at(curve.val(r))))
		}
		fmt.Fprintf(&b, `<polyline class="reference" data-curve="%s" points="%s" fill="none" stroke="%s" stroke-width="1.5"%s/>`, curve.name, strings.Join(pts, " "), colorRef, curve.dash)
		if len(in) > 0 {
			last := in[len(in)-1]
			fmt.Fprintf(&b, `<text class="curve-label" x="%s" y="%s" text-anchor="end" font-size="10" fill="%s">%s</text>`, px(xs.at(last.Months)-2), px(ys.at(curve.val(last))-4), colorSoft, curve.name)
		}
	}
	// The child's measurements.
	var path []string
	for _, p := range g.Points {
		if p.Months < 0 || p.Months > maxMonths {
			continue
		}
		path = append(path, px(xs.at(p.Months))+","+px(ys.at(p.Value)))
	}
	if len(path) > 1 {
		fmt.Fprintf(&b, `<polyline class="series" points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(path, " "), colorSeries1)
	}
	for _, p := range g.Points {
		if p.Months < 0 || p.Months > maxMonths {
			continue
		}
		tip := fmt.Sprintf("%s %s at %s (%s)", num(p.Value, g.Decimals), g.Unit, ageLabel(p.Months), p.At.In(loc).Format("2 Jan 2006"))
		fmt.Fprintf(&b, `<circle class="point" data-value="%s" data-months="%s" cx="%s" cy="%s" r="4" fill="%s"><title>%s</title></circle>`,
			num(p.Value, 3), num(p.Months, 2), px(xs.at(p.Months)), px(ys.at(p.Value)), colorSeries1, esc(tip))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// ageLabel writes an age in months: "birth", "9 mo", "2 y", "2 y 6 mo".
func ageLabel(m float64) string {
	whole := int(math.Floor(m + 0.05)) // 0.05 month (1.5 days): a first birthday is "1 y", not "11 mo"
	switch {
	case m < 0.5:
		return "birth"
	case whole < 24:
		return fmt.Sprintf("%d mo", whole)
	case whole%12 == 0:
		return fmt.Sprintf("%d y", whole/12)
	}
	return fmt.Sprintf("%d y %d mo", whole/12, whole%12)
}

func (g Growth) ariaLabel(loc *time.Location) string {
	if len(g.Points) == 0 {
		return g.Title + ", WHO growth standard: no measurements yet"
	}
	last := g.Points[0]
	for _, p := range g.Points {
		if p.Months >= last.Months {
			last = p
		}
	}
	return fmt.Sprintf("%s, WHO growth standard, latest %s %s at %s on %s", g.Title, num(last.Value, g.Decimals), g.Unit, ageLabel(last.Months), last.At.In(loc).Format("2 Jan 2006"))
}
