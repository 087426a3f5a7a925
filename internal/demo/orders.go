package demo

import (
	"context"
	"math/rand/v2"
	"strconv"
	"time"

	"medic"
)

// Demo orders and results: about two visits in five of the demo history
// (clinical.go) order tests that fit the patient (HbA1c, lipogram and U&E
// for the chronic follow-up of adults over 45, a full blood count, a urine
// dipstick, a chest X-ray...). Older orders are resulted and reviewed,
// some with abnormal values; those of the last weeks are still outstanding
// or wait for review, and a few older ones were never resulted (a lost
// sample) or never reviewed, as in any practice. They are made with their
// visit, so a reload (which adds no visit to a chart that has some) adds
// none; their numbers come from a seed of the visit, apart from the
// visit's own.

// demoAnalyte is one measured value of a demo test: its range and how far
// a normal and an abnormal value lie.
type demoAnalyte struct {
	name, unit           string
	low, high            float64 // reference range (no lower limit when noLow)
	normalMin, normalMax float64
	abnormMin, abnormMax float64
	decimals             int
	noLow                bool
	text, textAbnormal   string // text results (dipstick)
	refText              string
}

type demoTest struct {
	kind     medic.OrderKind
	code     string
	analytes []demoAnalyte
	// report: imaging reports, normal and abnormal.
	report, reportAbnormal string
}

var demoTests = map[string]demoTest{
	"FBC": {kind: medic.OrderLab, code: "FBC", analytes: []demoAnalyte{
		{name: "Haemoglobin", unit: "g/dL", low: 12, high: 16.5, normalMin: 12.4, normalMax: 15.8, abnormMin: 8.6, abnormMax: 11.4, decimals: 1},
		{name: "White cell count", unit: "x10^9/L", low: 4, high: 11, normalMin: 4.6, normalMax: 9.8, abnormMin: 11.8, abnormMax: 16.5, decimals: 1},
		{name: "Platelets", unit: "x10^9/L", low: 150, high: 400, normalMin: 180, normalMax: 360, abnormMin: 90, abnormMax: 140},
	}},
	"UE": {kind: medic.OrderLab, code: "UE", analytes: []demoAnalyte{
		{name: "Sodium", unit: "mmol/L", low: 135, high: 145, normalMin: 137, normalMax: 143, abnormMin: 128, abnormMax: 133},
		{name: "Potassium", unit: "mmol/L", low: 3.5, high: 5.1, normalMin: 3.8, normalMax: 4.8, abnormMin: 5.3, abnormMax: 5.9, decimals: 1},
		{name: "Creatinine", unit: "µmol/L", low: 45, high: 110, normalMin: 58, normalMax: 98, abnormMin: 125, abnormMax: 190},
	}},
	"HBA1C": {kind: medic.OrderLab, code: "HBA1C", analytes: []demoAnalyte{
		{name: "HbA1c", unit: "%", low: 4, high: 6.4, normalMin: 5.1, normalMax: 6.2, abnormMin: 7.1, abnormMax: 10.4, decimals: 1},
	}},
	"LIPID": {kind: medic.OrderLab, code: "LIPID", analytes: []demoAnalyte{
		{name: "Total cholesterol", unit: "mmol/L", high: 5, noLow: true, normalMin: 3.9, normalMax: 4.9, abnormMin: 5.6, abnormMax: 7.4, decimals: 1},
		{name: "LDL cholesterol", unit: "mmol/L", high: 3, noLow: true, normalMin: 1.9, normalMax: 2.9, abnormMin: 3.4, abnormMax: 5.1, decimals: 1},
	}},
	"TSH": {kind: medic.OrderLab, code: "TSH", analytes: []demoAnalyte{
		{name: "TSH", unit: "mIU/L", low: 0.4, high: 4, normalMin: 0.9, normalMax: 3.6, abnormMin: 6.2, abnormMax: 14, decimals: 2},
	}},
	"CRP": {kind: medic.OrderLab, code: "CRP", analytes: []demoAnalyte{
		{name: "C-reactive protein", unit: "mg/L", high: 5, noLow: true, normalMin: 0.5, normalMax: 4.5, abnormMin: 18, abnormMax: 96, decimals: 1},
	}},
	"UDIP": {kind: medic.OrderLab, code: "UDIP", analytes: []demoAnalyte{
		{name: "Urine dipstick", text: "Protein negative, glucose negative, leucocytes negative, nitrites negative",
			textAbnormal: "Protein +, leucocytes ++, nitrites positive", refText: "all negative"},
	}},
	"CXR": {kind: medic.OrderImaging, code: "CXR",
		report:         "PA chest: lungs clear, no consolidation or effusion. Heart size normal. No bony abnormality.",
		reportAbnormal: "PA chest: patchy consolidation in the right lower zone, in keeping with pneumonia. Heart size normal. Suggest follow-up film in 6 weeks."},
	"ECG": {kind: medic.OrderImaging, code: "ECG",
		report:         "Sinus rhythm, 72/min. Normal axis and intervals. No ST or T wave changes.",
		reportAbnormal: "Sinus rhythm, 84/min. Left ventricular hypertrophy by voltage criteria with strain pattern."},
}

// demoTestsFor picks the tests a visit orders, by the patient's age and sex.
func demoTestsFor(r *rand.Rand, pt *medic.Patient, day medic.Date) []string {
	age := ageYears(pt.DateOfBirth, day)
	switch {
	case age < 12:
		return pickN(r, []string{"FBC", "CRP", "UDIP"}, 1)
	case age >= 45 && r.IntN(3) > 0:
		return pickN(r, []string{"HBA1C", "LIPID", "UE", "ECG"}, 1+r.IntN(3))
	case pt.Sex == medic.SexFemale && age < 45 && r.IntN(3) == 0:
		return pickN(r, []string{"UDIP", "FBC", "TSH"}, 1+r.IntN(2))
	}
	return pickN(r, []string{"FBC", "CRP", "TSH", "CXR", "UE"}, 1+r.IntN(2))
}

// orderers maps each practitioner to the user who orders for them: the
// practitioner's own member, else the practice's doctor member (the demo's
// other practitioners have no sign-in), so doctor@ has results to review.
func (l *loader) orderers(ctx context.Context, prs []*medic.Practitioner) (map[string]string, error) {
	out := map[string]string{}
	fallback := ""
	for _, pr := range prs {
		if pr.MemberID == "" {
			continue
		}
		m, err := l.s.FindMember(ctx, pr.MemberID)
		if err != nil {
			return nil, err
		}
		out[pr.ID] = m.UserID
		if m.Role == medic.RoleDoctor && fallback == "" {
			fallback = m.UserID
		}
	}
	for _, pr := range prs {
		if out[pr.ID] == "" {
			out[pr.ID] = fallback
		}
	}
	return out, nil
}

// visitOrders orders tests at the draft visit e (started at at, ago days
// before today) and takes them as far as their age says. It reports how
// many orders it made.
func (l *loader) visitOrders(ctx context.Context, e *medic.Encounter, pt *medic.Patient, at time.Time, ago int, orderer string) (int, error) {
	r := newRand("orders", e.PatientID, at.UTC().Format(time.RFC3339))
	if r.IntN(5) >= 2 {
		return 0, nil
	}
	ctx = medic.WithActor(ctx, medic.Actor{UserID: orderer})
	now := l.clock.Now()
	// A step of a visit a day or two ago is no later than now.
	clamp := func(t time.Time) time.Time {
		if t.After(now) {
			return now.Add(-time.Minute)
		}
		return t
	}
	n := 0
	for _, code := range demoTestsFor(r, pt, medic.DateOf(at)) {
		t := demoTests[code]
		ct, _ := medic.FindCommonTest(code)
		o := &medic.Order{EncounterID: e.ID, Kind: t.kind, Code: code, Description: ct.Description, Urgency: medic.OrderRoutine,
			OrderedAt: at.Add(time.Duration(12+r.IntN(15)) * time.Minute)}
		if r.IntN(8) == 0 {
			o.Urgency = medic.OrderUrgent
		}
		if err := o.Validate(); err != nil {
			return n, err
		}
		if err := l.s.CreateOrder(ctx, o); err != nil {
			return n, err
		}
		n++
		// How far it got: recent orders wait; a few old ones never came back
		// or were never reviewed.
		stage := 3 // reviewed
		switch x := r.IntN(100); {
		case ago <= 3:
			stage = r.IntN(3) // ordered, collected or resulted
		case ago <= 21:
			stage = 1 + r.IntN(2) // collected or resulted
		case x < 4:
			stage = 1 // collected, never resulted
		case x < 12:
			stage = 2 // resulted, never reviewed
		}
		step := o.OrderedAt
		if stage >= 1 && t.kind == medic.OrderLab {
			step = clamp(step.Add(time.Duration(5+r.IntN(40)) * time.Minute))
			if _, err := l.s.ChangeOrder(ctx, o.ID, medic.OrderChange{From: []medic.OrderStatus{medic.OrderOrdered}, To: medic.OrderCollected, By: orderer, At: step}); err != nil {
				return n, err
			}
		}
		if stage < 2 {
			continue
		}
		step = clamp(step.Add(time.Duration(20+r.IntN(48*60)) * time.Minute))
		abnormal := r.IntN(10) < 3
		for _, in := range demoResults(r, t, abnormal) {
			res, err := in.Result()
			if err != nil {
				return n, err
			}
			res.OrderID, res.EnteredAt = o.ID, step
			if _, err := l.s.AddOrderResult(ctx, res); err != nil {
				return n, err
			}
		}
		if stage < 3 {
			continue
		}
		step = clamp(step.Add(time.Duration(60+r.IntN(72*60)) * time.Minute))
		if _, err := l.s.ChangeOrder(ctx, o.ID, medic.OrderChange{From: []medic.OrderStatus{medic.OrderResulted}, To: medic.OrderReviewed, By: orderer, At: step}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// demoResults are a test's results: one abnormal analyte when abnormal.
func demoResults(r *rand.Rand, t demoTest, abnormal bool) []medic.ResultInput {
	if len(t.analytes) == 0 {
		rep := t.report
		if abnormal {
			rep = t.reportAbnormal
		}
		return []medic.ResultInput{{Report: rep, Abnormal: abnormal}}
	}
	odd := -1
	if abnormal {
		odd = r.IntN(len(t.analytes))
	}
	out := make([]medic.ResultInput, 0, len(t.analytes))
	for i, a := range t.analytes {
		if a.text != "" {
			v := a.text
			if i == odd {
				v = a.textAbnormal
			}
			out = append(out, medic.ResultInput{Name: a.name, Value: v, RefText: a.refText, Abnormal: i == odd})
			continue
		}
		lo, hi := a.normalMin, a.normalMax
		if i == odd {
			lo, hi = a.abnormMin, a.abnormMax
		}
		v := lo + r.Float64()*(hi-lo)
		in := medic.ResultInput{Name: a.name, Value: strconv.FormatFloat(v, 'f', a.decimals, 64), Unit: a.unit,
			RefHigh: strconv.FormatFloat(a.high, 'f', -1, 64)}
		if !a.noLow {
			in.RefLow = strconv.FormatFloat(a.low, 'f', -1, 64)
		}
		out = append(out, in)
	}
	return out
}
