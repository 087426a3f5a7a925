package chart_test

import (
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/chart"
)

// node is a parsed SVG element.
type node struct {
	Name     string
	Attrs    map[string]string
	Text     string
	Children []*node
}

func parse(t *testing.T, svg string) *node {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &node{Name: tk.Name.Local, Attrs: map[string]string{}}
			for _, a := range tk.Attr {
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(tk)
			}
		}
	}
	if root == nil || len(stack) != 0 {
		t.Fatalf("not well-formed XML: %s", svg)
	}
	return root
}

// all returns the elements under n with the given class (or name when
// class is "").
func (n *node) all(name, class string) []*node {
	var out []*node
	var walk func(*node)
	walk = func(m *node) {
		if (name == "" || m.Name == name) && (class == "" || m.Attrs["class"] == class) {
			out = append(out, m)
		}
		for _, c := range m.Children {
			walk(c)
		}
	}
	walk(n)
	return out
}

func (n *node) f(attr string) float64 {
	x, err := strconv.ParseFloat(n.Attrs[attr], 64)
	if err != nil {
		panic(attr + ": " + err.Error())
	}
	return x
}

// centreY is a point's vertical centre (circles, or the squares of a
// second series).
func centreY(n *node) float64 {
	if n.Name == "circle" {
		return n.f("cy")
	}
	return n.f("y") + n.f("height")/2
}

func centreX(n *node) float64 {
	if n.Name == "circle" {
		return n.f("cx")
	}
	return n.f("x") + n.f("width")/2
}

func day(d int) time.Time { return time.Date(2026, 3, d, 9, 30, 0, 0, time.UTC) }

func TestLineChartBloodPressure(t *testing.T) {
	sys := []chart.Point{{day(1), 160}, {day(8), 150}, {day(15), 138}, {day(22), 128}}
	dia := []chart.Point{{day(1), 100}, {day(8), 96}, {day(15), 88}, {day(22), 82}}
	c := chart.Line{
		Title: "Blood pressure", Unit: "mmHg",
		Series: []chart.Series{{Name: "Systolic", Points: sys}, {Name: "Diastolic", Points: dia}},
		Bands:  []chart.Band{{Low: 101, High: 140, Label: "Normal systolic"}, {Low: 60, High: 90, Label: "Normal diastolic"}},
	}
	svg := parse(t, string(c.SVG()))
	if svg.Attrs["role"] != "img" {
		t.Errorf("role = %q", svg.Attrs["role"])
	}
	if want := "Blood pressure over time, latest 128/82 mmHg on 22 Mar 2026"; svg.Attrs["aria-label"] != want {
		t.Errorf("aria-label = %q, want %q", svg.Attrs["aria-label"], want)
	}
	if titles := svg.all("title", ""); len(titles) == 0 || !strings.Contains(svg.Children[0].Text, "latest 128/82") {
		t.Errorf("first child %q is not the title", svg.Children[0].Name)
	}
	points := svg.all("", "point")
	if len(points) != 8 {
		t.Fatalf("%d points, want 8", len(points))
	}
	// Later points lie further right; higher values higher up.
	for i := 1; i < 4; i++ {
		if centreX(points[i]) <= centreX(points[i-1]) {
			t.Errorf("systolic point %d not right of %d", i, i-1)
		}
		if centreY(points[i]) <= centreY(points[i-1]) {
			t.Errorf("systolic %s drawn above %s", points[i].Attrs["data-value"], points[i-1].Attrs["data-value"])
		}
	}
	for i := 0; i < 4; i++ {
		if centreY(points[4+i]) <= centreY(points[i]) {
			t.Errorf("diastolic %d drawn above its systolic", i)
		}
		if centreX(points[4+i]) != centreX(points[i]) {
			t.Errorf("diastolic %d not under its systolic", i)
		}
	}
	// The value axis is linear: equal differences, equal distances.
	d1 := centreY(points[1]) - centreY(points[0]) // 160 -> 150
	d2 := centreY(points[5]) - centreY(points[4]) // 100 -> 96
	if r := d1 / d2; r < 2.49 || r > 2.51 {
		t.Errorf("10 mmHg is %.2f times 4 mmHg on the axis", r)
	}
	// The systolic band holds 138 and 128 but not 150 and 160.
	bands := svg.all("rect", "band")
	if len(bands) != 2 {
		t.Fatalf("%d bands", len(bands))
	}
	top, bottom := bands[0].f("y"), bands[0].f("y")+bands[0].f("height")
	for i, inside := range []bool{false, false, true, true} {
		y := centreY(points[i])
		if (y >= top && y <= bottom) != inside {
			t.Errorf("systolic %s: inside band = %v, want %v (band %.1f-%.1f, y %.1f)", points[i].Attrs["data-value"], !inside, inside, top, bottom, y)
		}
	}
	// The band's edges are where its limits would be drawn: 140 on the
	// line through 138 and 150.
	y138, y150 := centreY(points[2]), centreY(points[1])
	want140 := y138 + (y150-y138)*(140-138)/(150-138)
	if top < want140-0.05 || top > want140+0.05 {
		t.Errorf("band top at %.2f, want %.2f", top, want140)
	}
	// Axis labels: the unit and dates.
	var texts []string
	for _, n := range svg.all("text", "") {
		texts = append(texts, n.Text)
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"mmHg", "Mar 2026", "Systolic", "Diastolic", "normal for age"} {
		if !strings.Contains(all, want) {
			t.Errorf("labels %q lack %q", all, want)
		}
	}
}

func TestLineChartEmptyAndEscaped(t *testing.T) {
	svg := parse(t, string(chart.Line{Title: `Pulse <"&">`, Unit: "/min"}.SVG()))
	if !strings.Contains(svg.Attrs["aria-label"], `Pulse <"&"> over time: no measurements yet`) {
		t.Errorf("aria-label = %q", svg.Attrs["aria-label"])
	}
	if n := len(svg.all("", "point")); n != 0 {
		t.Errorf("%d points in an empty chart", n)
	}
	one := parse(t, string(chart.Line{Title: "Pulse", Unit: "/min", Series: []chart.Series{{Name: "Pulse", Points: []chart.Point{{day(3), 72}}}}}.SVG()))
	if p := one.all("circle", "point"); len(p) != 1 || p[0].f("cx") < 56 || p[0].f("cx") > 640-16 {
		t.Errorf("a single point is not inside the plot: %+v", p)
	}
}

func TestVitalLinesFromRecords(t *testing.T) {
	subject := medic.VitalsSubject{DateOfBirth: medic.NewDate(1970, 1, 1), Sex: medic.SexMale}
	w, h, p := 90.0, 180.0, 80.0
	vs := []*medic.Vitals{
		{MeasuredAt: day(1), WeightKg: &w, HeightCm: &h},
		{MeasuredAt: day(2), PulseBPM: &p},
	}
	lines := chart.VitalLines(vs, subject, medic.NewDate(2026, 3, 3), time.UTC)
	var titles []string
	for _, l := range lines {
		titles = append(titles, l.Title)
	}
	if got := strings.Join(titles, ","); got != "Pulse,Weight,Height,BMI" {
		t.Fatalf("charts %s", got)
	}
	// The adult pulse band (NEWS2 51 to PALS' 100) and the WHO BMI band.
	if b := lines[0].Bands; len(b) != 1 || b[0].Low != 51 || b[0].High != 101 {
		t.Errorf("pulse bands %+v", b)
	}
	if b := lines[3].Bands; len(b) != 1 || b[0].Low != 18.5 || b[0].High != 25 {
		t.Errorf("BMI bands %+v", b)
	}
	if pts := lines[3].Series[0].Points; len(pts) != 1 || pts[0].Value != 27.8 {
		t.Errorf("BMI points %+v", pts)
	}
}

func TestGrowthChart(t *testing.T) {
	dob := medic.NewDate(2025, 1, 10)
	subject := medic.VitalsSubject{DateOfBirth: dob, Sex: medic.SexFemale}
	at := func(months int) time.Time { return dob.Time().AddDate(0, months, 0) }
	// On the WHO median at 6 and 12 months, below -2 SD at 9 months.
	w6, w9, w12 := 7.3, 6.0, 8.9
	vs := []*medic.Vitals{{MeasuredAt: at(6), WeightKg: &w6}, {MeasuredAt: at(9), WeightKg: &w9}, {MeasuredAt: at(12), WeightKg: &w12}}
	gs := chart.GrowthCharts(vs, subject, time.UTC)
	if len(gs) != 1 || gs[0].Title != "Weight for age (girls)" || gs[0].GrowthMonths() != 24 {
		t.Fatalf("growth charts %+v", gs)
	}
	svg := parse(t, string(gs[0].SVG()))
	if svg.Attrs["role"] != "img" || !strings.Contains(svg.Attrs["aria-label"], "latest 8.9 kg at 12 mo on 10 Jan 2026") {
		t.Errorf("svg %v", svg.Attrs)
	}
	points := svg.all("circle", "point")
	if len(points) != 3 {
		t.Fatalf("%d points", len(points))
	}
	curve := func(name string) [][2]float64 {
		for _, pl := range svg.all("polyline", "reference") {
			if pl.Attrs["data-curve"] == name {
				var out [][2]float64
				for _, xy := range strings.Fields(pl.Attrs["points"]) {
					x, _ := strconv.ParseFloat(strings.Split(xy, ",")[0], 64)
					y, _ := strconv.ParseFloat(strings.Split(xy, ",")[1], 64)
					out = append(out, [2]float64{x, y})
				}
				return out
			}
		}
		t.Fatalf("no %s curve", name)
		return nil
	}
	yAt := func(c [][2]float64, x float64) float64 {
		for i := 1; i < len(c); i++ {
			if x <= c[i][0]+1e-6 {
				return c[i-1][1] + (c[i][1]-c[i-1][1])*(x-c[i-1][0])/(c[i][0]-c[i-1][0])
			}
		}
		return c[len(c)-1][1]
	}
	median, minus2 := curve("median"), curve("-2 SD")
	if len(median) != 17 { // birth to 24 months: 13 monthly points + 15, 18, 21, 24
		t.Errorf("median has %d points", len(median))
	}
	for _, i := range []int{0, 2} {
		x, y := points[i].f("cx"), points[i].f("cy")
		// The calendar months are a little off the table's average months.
		if d := y - yAt(median, x); d < -2 || d > 2 {
			t.Errorf("point %s kg is %.1f px off the median", points[i].Attrs["data-value"], d)
		}
	}
	if x, y := points[1].f("cx"), points[1].f("cy"); y <= yAt(minus2, x) {
		t.Errorf("6.0 kg at 9 months is drawn above the -2 SD curve")
	}
	if len(svg.all("polygon", "band")) != 1 {
		t.Error("no shaded -2 to +2 SD area")
	}
	// An unknown sex has no WHO chart; an adult's measurements fall outside.
	if gs := chart.GrowthCharts(vs, medic.VitalsSubject{DateOfBirth: dob, Sex: medic.SexUnknown}, time.UTC); gs != nil {
		t.Errorf("growth chart for unknown sex: %+v", gs)
	}
	if gs := chart.GrowthCharts(vs, medic.VitalsSubject{DateOfBirth: medic.NewDate(1990, 1, 1), Sex: medic.SexFemale}, time.UTC); gs != nil {
		t.Errorf("growth chart for an adult: %+v", gs)
	}
}
