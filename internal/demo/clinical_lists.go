package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"medic"
)

// Allergies and problem lists for the demo charts. Each practice's
// hypertension showcase chart (vitals.go) has a severe penicillin allergy
// and its hypertension coded; a couple of dozen other charts get an
// allergy, a "no known allergies" statement or nothing asked yet, and
// some chronic problems. A chart that has any allergy entry or statement
// (or any problem) is left alone, so a reload adds nothing.

// demoAllergies are what the other charts may have.
var demoAllergies = []struct {
	substance, reaction string
	severity            medic.AllergySeverity
}{
	{"Sulfonamides (co-trimoxazole)", "Widespread rash", medic.SeverityModerate},
	{"Aspirin", "Wheeze", medic.SeverityModerate},
	{"Peanuts", "Lip and throat swelling", medic.SeveritySevere},
	{"Latex", "Contact dermatitis", medic.SeverityMild},
	{"Codeine", "Nausea and vomiting", medic.SeverityMild},
	{"Amoxicillin", "Urticaria", medic.SeverityModerate},
	{"Bee stings", "Anaphylaxis", medic.SeveritySevere},
}

// demoProblems are chronic problems common in South African primary care.
var demoProblems = []string{"I10", "E11.9", "J45.9", "B24", "E78.5", "M17.9", "F32.9", "E03.9", "K21.9", "J44.9"}

func (l *loader) clinicalLists(ctx context.Context, p *medic.Practice) ([]string, error) {
	var what []string
	today := medic.DateOf(l.clock.Now())
	// The showcase chart: a severe penicillin allergy and coded hypertension.
	for _, sc := range vitalsShowcases[p.Slug] {
		if sc.child {
			continue
		}
		pt, err := l.showcasePatient(ctx, sc, today)
		if err != nil {
			return nil, err
		}
		as, err := l.s.ListAllergies(ctx, pt.ID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(as.Items, func(a *medic.Allergy) bool { return strings.EqualFold(a.Substance, "Penicillin") }) {
			a := &medic.Allergy{PatientID: pt.ID, Substance: "Penicillin", Reaction: "Anaphylaxis (2009, after an injection)", Severity: medic.SeveritySevere, Status: medic.AllergyActive}
			if err := l.s.CreateAllergy(ctx, a); err != nil {
				return nil, err
			}
			what = append(what, "severe penicillin allergy for "+pt.FullName())
		}
		cs, err := l.s.ListConditions(ctx, pt.ID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(cs, func(c *medic.Condition) bool { return c.Code == "I10" }) {
			c := &medic.Condition{PatientID: pt.ID, Code: "I10", Onset: today.AddDate(-1, -2, 0), Status: medic.ConditionActive, Note: "Diagnosed on repeated clinic readings."}
			if err := l.s.CreateCondition(ctx, c); err != nil {
				return nil, err
			}
		}
	}

	charts, err := l.s.RecentPatients(ctx, 200)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(charts, func(a, b *medic.Patient) int { return strings.Compare(a.ID, b.ID) })
	n := 0
	for _, pt := range charts {
		if n == 24 {
			break
		}
		if pt.Status != medic.PatientActive || strings.Contains(pt.Email, ".bp.") || strings.Contains(pt.Email, ".growth.") {
			continue
		}
		n++
		// One generator per list, so what one draws does not depend on
		// whether the other was filled in before.
		r := newRand("allergies", pt.ID)
		as, err := l.s.ListAllergies(ctx, pt.ID)
		if err != nil {
			return nil, err
		}
		if len(as.Items) == 0 && as.NoneKnown == nil {
			switch x := r.IntN(10); {
			case x < 4:
				if _, err := l.s.RecordNoKnownAllergies(ctx, pt.ID); err != nil {
					return nil, err
				}
			case x < 8:
				al := pick(r, demoAllergies)
				if err := l.s.CreateAllergy(ctx, &medic.Allergy{PatientID: pt.ID, Substance: al.substance, Reaction: al.reaction, Severity: al.severity, Status: medic.AllergyActive}); err != nil {
					return nil, err
				}
			}
		}
		cs, err := l.s.ListConditions(ctx, pt.ID)
		if err != nil {
			return nil, err
		}
		r = newRand("problems", pt.ID)
		if len(cs) == 0 && r.IntN(2) == 0 {
			for _, code := range pickN(r, demoProblems, 1+r.IntN(2)) {
				onset := today.AddDate(-1-r.IntN(12), -r.IntN(12), 0)
				if onset.Before(pt.DateOfBirth) {
					onset = medic.Date{}
				}
				if err := l.s.CreateCondition(ctx, &medic.Condition{PatientID: pt.ID, Code: code, Onset: onset, Status: medic.ConditionActive}); err != nil {
					return nil, err
				}
			}
		}
	}
	if n > 0 && len(what) > 0 {
		what = append(what, fmt.Sprintf("allergies and problems on up to %d charts", n))
	}
	return what, nil
}

// pickN picks k distinct items of xs.
func pickN[T any](r interface{ Perm(int) []int }, xs []T, k int) []T {
	out := make([]T, 0, k)
	for _, i := range r.Perm(len(xs))[:min(k, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}

// showcaseDiagnosis codes a showcase visit before it is locked: a
// well-child visit for a child under five, else essential hypertension.
func (l *loader) showcaseDiagnosis(ctx context.Context, encounterID string, pt *medic.Patient, at time.Time) error {
	code := "I10"
	if at.Before(pt.DateOfBirth.Time().AddDate(5, 0, 0)) {
		code = "Z00.1"
	}
	return l.s.AddDiagnosis(ctx, &medic.Diagnosis{EncounterID: encounterID, Code: code, Primary: true})
}
