package chart

import (
	"time"

	"medic"
)

// The charts drawn for a patient's vitals, in page order. Blood pressure
// is one chart with two series; weight and height of young children are
// drawn as growth charts as well.
var lineCharts = []struct {
	title  string
	fields []medic.VitalField
	names  []string
}{
	{"Blood pressure", []medic.VitalField{medic.VitalSystolic, medic.VitalDiastolic}, []string{"Systolic", "Diastolic"}},
	{"Pulse", []medic.VitalField{medic.VitalPulse}, []string{"Pulse"}},
	{"Temperature", []medic.VitalField{medic.VitalTemperature}, []string{"Temperature"}},
	{"Respiratory rate", []medic.VitalField{medic.VitalRespiratoryRate}, []string{"Respiratory rate"}},
	{"SpO2", []medic.VitalField{medic.VitalSpO2}, []string{"SpO2"}},
	{"Weight", []medic.VitalField{medic.VitalWeight}, []string{"Weight"}},
	{"Height", []medic.VitalField{medic.VitalHeight}, []string{"Height"}},
	{"BMI", []medic.VitalField{medic.VitalBMI}, []string{"BMI"}},
	{"Blood glucose", []medic.VitalField{medic.VitalGlucose}, []string{"Glucose"}},
	{"Head circumference", []medic.VitalField{medic.VitalHeadCircumference}, []string{"Head circumference"}},
}

// VitalLines returns a chart for each vital measured at least once in vs,
// with the normal band of the patient's age band today shaded (a series
// spanning bands, such as a growing child's pulse, is judged by today's).
func VitalLines(vs []*medic.Vitals, s medic.VitalsSubject, today medic.Date, loc *time.Location) []Line {
	var out []Line
	for _, lc := range lineCharts {
		sp, _ := lc.fields[0].Spec()
		c := Line{Title: lc.title, Unit: sp.Unit, Decimals: sp.Decimals, Location: loc}
		if c.Decimals > 1 {
			c.Decimals = 1
		}
		any := false
		for i, f := range lc.fields {
			ser := Series{Name: lc.names[i]}
			for _, v := range vs {
				if x := v.Value(f); x != nil {
					ser.Points = append(ser.Points, Point{At: v.MeasuredAt, Value: *x})
				}
			}
			any = any || len(ser.Points) > 0
			c.Series = append(c.Series, ser)
			if r, ok := medic.VitalRangeFor(f, s.DateOfBirth, today); ok && r.LowBelow > 0 {
				high := r.HighFrom
				if high == 0 {
					high = sp.Max // SpO2: normal up to 100 %
				}
				c.Bands = append(c.Bands, Band{Low: r.LowBelow, High: high, Label: "Normal " + lc.names[i] + " for " + medic.AgeBandOn(s.DateOfBirth, today).Label()})
			}
		}
		if any {
			out = append(out, c)
		}
	}
	return out
}

// GrowthCharts returns the WHO weight-for-age and length/height-for-age
// charts of a child measured before 5 years, nil when none applies (no
// measurement under 5, or a sex the standards do not cover).
func GrowthCharts(vs []*medic.Vitals, s medic.VitalsSubject, loc *time.Location) []Growth {
	sexWord := map[medic.Sex]string{medic.SexFemale: "girls", medic.SexMale: "boys"}[s.Sex]
	if sexWord == "" {
		return nil
	}
	var out []Growth
	for _, g := range []struct {
		title string
		m     medic.GrowthMeasure
		f     medic.VitalField
		unit  string
	}{
		{"Weight for age (" + sexWord + ")", medic.GrowthWeight, medic.VitalWeight, "kg"},
		{"Length/height for age (" + sexWord + ")", medic.GrowthLength, medic.VitalHeight, "cm"},
	} {
		c := Growth{Title: g.title, Unit: g.unit, Decimals: 1, Reference: medic.GrowthReference(g.m, s.Sex), Location: loc}
		for _, v := range vs {
			x := v.Value(g.f)
			months := medic.AgeInMonths(s.DateOfBirth, v.MeasuredAt)
			if x != nil && months >= 0 && months <= medic.GrowthMaxMonths {
				c.Points = append(c.Points, AgePoint{Months: months, Value: *x, At: v.MeasuredAt})
			}
		}
		if len(c.Points) > 0 {
			out = append(out, c)
		}
	}
	return out
}
