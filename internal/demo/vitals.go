package demo

import (
	"context"
	"fmt"
	"time"

	"medic"
)

// Two charts per practice whose vitals make the charts worth looking at:
// an adult with hypertension whose blood pressure falls once treatment
// starts (eight visits over 14 months), and a young child seen at the
// well-child visits from birth (a growth curve just under the WHO median,
// with head circumference). Each is a chart of its own (found again by
// its email) with finished past encounters; a chart that has vitals
// already is left alone, so a reload adds nothing.
type vitalsShowcase struct {
	given, family, email string
	sex                  medic.Sex
	child                bool
}

var vitalsShowcases = map[string][]vitalsShowcase{
	"sunrise": {
		{"Sipho", "Ndlovu", "sipho.ndlovu.bp.sunrise@example.org", medic.SexMale, false},
		{"Amahle", "Dube", "amahle.dube.growth.sunrise@example.org", medic.SexFemale, true},
	},
	"harbour": {
		{"Johan", "van Wyk", "johan.vanwyk.bp.harbour@example.org", medic.SexMale, false},
		{"Liam", "Adams", "liam.adams.growth.harbour@example.org", medic.SexMale, true},
	},
}

// showcaseVisit is one past visit of a showcase chart: when, what was
// measured, and the note's plan.
type showcaseVisit struct {
	at   time.Time
	v    medic.Vitals
	plan string
}

func fp(x float64) *float64 { return &x }

// hypertensionVisits: untreated 174/106 at the first visit, amlodipine from
// the second, hydrochlorothiazide added at the fourth; 130/82 a month ago.
func hypertensionVisits(now time.Time, zone *time.Location) []showcaseVisit {
	bp := [][2]float64{{174, 106}, {168, 102}, {158, 98}, {150, 94}, {144, 90}, {138, 88}, {134, 84}, {130, 82}}
	monthsAgo := []int{14, 13, 12, 10, 8, 6, 3, 1}
	plans := []string{"Lifestyle advice; home BP readings; review in 4 weeks.", "Start amlodipine 5 mg daily.", "Amlodipine 10 mg daily.",
		"Add hydrochlorothiazide 12.5 mg daily.", "Continue; bloods (U&E, lipids).", "Continue.", "Continue; review in 3 months.", "Controlled. Continue."}
	var out []showcaseVisit
	for i, ago := range monthsAgo {
		at := medic.DateOf(now.In(zone).AddDate(0, -ago, 0)).In(zone).Add(10*time.Hour + time.Duration(i%3)*25*time.Minute)
		v := medic.Vitals{SystolicMmHg: fp(bp[i][0]), DiastolicMmHg: fp(bp[i][1]), PulseBPM: fp(float64(86 - i*2)), WeightKg: fp(97 - float64(i)*0.8)}
		if i == 0 {
			v.HeightCm, v.GlucoseMmolL, v.TemperatureC = fp(176), fp(6.2), fp(36.7)
		}
		if i == 4 {
			v.GlucoseMmolL = fp(5.8)
		}
		out = append(out, showcaseVisit{at: at, v: v, plan: plans[i]})
	}
	return out
}

// growthVisits are the well-child visits up to the child's age: weight and
// length a third of the way from the WHO median to -2 SD, head
// circumference, pulse and breathing for the age.
func growthVisits(dob medic.Date, sex medic.Sex, now time.Time, zone *time.Location) []showcaseVisit {
	ageMonths := []float64{0.1, 1.5, 3.5, 6, 9, 12, 15, 18, 24, 30, 36}
	head := []float64{34.2, 37.6, 40.1, 42.6, 44.4, 45.6, 46.4, 47.1, 48.1, 48.9, 49.5}
	pulse := []float64{142, 138, 132, 126, 122, 118, 115, 112, 108, 104, 100}
	rr := []float64{44, 40, 38, 35, 32, 30, 28, 27, 26, 25, 24}
	var out []showcaseVisit
	for i, m := range ageMonths {
		day := medic.DateOf(dob.Time().Add(time.Duration(m*30.4375*24) * time.Hour))
		at := day.In(zone).Add(9*time.Hour + time.Duration(i%4)*20*time.Minute) // a morning clinic
		if !at.Before(now) {
			break
		}
		v := medic.Vitals{PulseBPM: fp(pulse[i]), RespiratoryRate: fp(rr[i]), TemperatureC: fp(36.8)}
		if w, ok := medic.GrowthReferenceAt(medic.GrowthWeight, sex, m); ok {
			v.WeightKg = fp(float64(int((w.Median-(w.Median-w.Minus2SD)/6)*100)) / 100)
		}
		if h, ok := medic.GrowthReferenceAt(medic.GrowthLength, sex, m); ok {
			v.HeightCm = fp(float64(int((h.Median-(h.Median-h.Minus2SD)/6)*10)) / 10)
		}
		if m < medic.HeadCircumferenceMaxAgeMonths {
			v.HeadCircumferenceCm = fp(head[i])
		}
		out = append(out, showcaseVisit{at: at, v: v, plan: "Growth plotted; immunisations up to date; next well-child visit booked."})
	}
	return out
}

// vitals loads the showcase charts of a practice; it returns what it did.
func (l *loader) vitals(ctx context.Context, p *medic.Practice, locs []*medic.Location) ([]string, error) {
	specs := vitalsShowcases[p.Slug]
	if len(specs) == 0 || len(locs) == 0 {
		return nil, nil
	}
	zone, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, err
	}
	now := l.clock.Now()
	today := medic.DateOf(now.In(zone))
	prs, _, err := l.s.ListPractitioners(ctx, medic.Page{Limit: 10})
	if err != nil || len(prs) == 0 {
		return nil, fmt.Errorf("a practitioner for the vitals showcase: %v", err)
	}
	var what []string
	for _, sc := range specs {
		pt, err := l.showcasePatient(ctx, sc, today)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", sc.given, sc.family, err)
		}
		if have, err := l.s.ListVitals(ctx, pt.ID, time.Time{}, time.Time{}, 1); err != nil {
			return nil, err
		} else if len(have) > 0 {
			continue
		}
		visits := hypertensionVisits(now, zone)
		if sc.child {
			visits = growthVisits(pt.DateOfBirth, pt.Sex, now, zone)
		}
		for _, vis := range visits {
			if err := l.showcaseEncounter(ctx, pt, prs[0].ID, locs[0].ID, vis, zone); err != nil {
				return nil, fmt.Errorf("%s: %w", pt.FullName(), err)
			}
		}
		what = append(what, fmt.Sprintf("%d visits with vitals for %s", len(visits), pt.FullName()))
	}
	return what, nil
}

// showcasePatient finds the showcase chart by its email or creates it (a
// child born 26 months before the first load).
func (l *loader) showcasePatient(ctx context.Context, sc vitalsShowcase, today medic.Date) (*medic.Patient, error) {
	found, _, err := l.s.SearchPatients(ctx, medic.PatientFilter{Query: sc.email, IncludeInactive: true}, medic.Page{Limit: 10})
	if err != nil {
		return nil, err
	}
	for _, p := range found {
		if p.Email == sc.email {
			return p, nil
		}
	}
	dob := medic.NewDate(1964, 8, 19)
	if sc.child {
		dob = today.AddDate(0, -26, 0)
	}
	r := newRand("vitals", sc.email)
	p := &medic.Patient{GivenName: sc.given, FamilyName: sc.family, DateOfBirth: dob, Sex: sc.sex, Email: sc.email, Phone: phoneNumber(r),
		IDNumber: saIDNumber(r, dob, sc.sex, true)}
	if !sc.child {
		p.ChronicConditions = []string{"Hypertension"}
	}
	if err := p.Validate(today); err != nil {
		return nil, err
	}
	return p, l.s.CreatePatient(ctx, p)
}

// showcaseEncounter records a past visit: the encounter, its vitals, then
// finished (locked) like any visit the doctor signed off.
func (l *loader) showcaseEncounter(ctx context.Context, pt *medic.Patient, practitioner, location string, vis showcaseVisit, zone *time.Location) error {
	e := &medic.Encounter{PatientID: pt.ID, PractitionerID: practitioner, LocationID: location, Stage: medic.StageAssessment, StartedAt: vis.at}
	if err := l.s.CreateEncounter(ctx, e); err != nil {
		return err
	}
	v := vis.v
	v.EncounterID, v.MeasuredAt = e.ID, vis.at.Add(10*time.Minute)
	if err := v.Validate(medic.VitalsSubject{DateOfBirth: pt.DateOfBirth, Sex: pt.Sex}, medic.DateOf(v.MeasuredAt.In(zone))); err != nil {
		return err
	}
	if err := l.s.CreateVitals(ctx, &v); err != nil {
		return err
	}
	// The visit's diagnosis, coded before the encounter is locked
	// (diagnoses.go): a well-child visit for a young child, else the
	// hypertension being treated.
	if err := l.showcaseDiagnosis(ctx, e.ID, pt, vis.at); err != nil {
		return err
	}
	e.SOAP.Plan = vis.plan
	e.Stage, e.StageSince = medic.StageClosure, vis.at.Add(20*time.Minute)
	e.Status, e.FinishedAt = medic.EncounterFinished, vis.at.Add(25*time.Minute)
	return l.s.SaveEncounter(ctx, e)
}
