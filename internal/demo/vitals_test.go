package demo_test

import (
	"testing"
	"time"

	"medic"
	"medic/internal/demo"
	"medic/internal/postgres/pgtest"
)

// TestLoadVitals: each practice has a hypertensive chart whose systolic
// falls visit by visit from above 160 to below 140, and a young child with
// a growth curve (weights rising, inside the WHO -2/+2 SD band) and head
// circumferences; every set sits on a finished encounter; a reload adds
// none (TestLoadIsIdempotent snapshots the tables).
func TestLoadVitals(t *testing.T) {
	db := pgtest.New(t)
	if err := demo.Load(t.Context(), db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	emails := map[string][2]string{
		"sunrise": {"sipho.ndlovu.bp.sunrise@example.org", "amahle.dube.growth.sunrise@example.org"},
		"harbour": {"johan.vanwyk.bp.harbour@example.org", "liam.adams.growth.harbour@example.org"},
	}
	for _, slug := range []string{"sunrise", "harbour"} {
		ctx, _ := practiceCtx(t, db, slug)
		var bp, growth []*medic.Vitals
		var child *medic.Patient
		for i, q := range emails[slug] {
			ps, _, err := db.SearchPatients(ctx, medic.PatientFilter{Query: q}, medic.Page{Limit: 5})
			if err != nil || len(ps) != 1 {
				t.Fatalf("%s: showcase chart %s: %d, %v", slug, q, len(ps), err)
			}
			vs, err := db.ListVitals(ctx, ps[0].ID, time.Time{}, time.Time{}, 100)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				bp = vs
			} else {
				growth, child = vs, ps[0]
			}
		}
		if len(bp) != 8 || *bp[0].SystolicMmHg < 160 || *bp[7].SystolicMmHg >= 140 {
			t.Fatalf("%s: the hypertensive chart: %d sets", slug, len(bp))
		}
		for i := 1; i < len(bp); i++ {
			if *bp[i].SystolicMmHg >= *bp[i-1].SystolicMmHg {
				t.Errorf("%s: systolic rose at visit %d", slug, i)
			}
		}
		if len(growth) < 6 {
			t.Fatalf("%s: %d growth visits", slug, len(growth))
		}
		for i, v := range growth {
			months := medic.AgeInMonths(child.DateOfBirth, v.MeasuredAt)
			ref, ok := medic.GrowthReferenceAt(medic.GrowthWeight, child.Sex, months)
			if !ok || v.WeightKg == nil || *v.WeightKg < ref.Minus2SD || *v.WeightKg > ref.Median || v.HeadCircumferenceCm == nil {
				t.Errorf("%s: growth visit %d at %.1f months: %+v", slug, i, months, v)
			}
			if i > 0 && *v.WeightKg <= *growth[i-1].WeightKg {
				t.Errorf("%s: the weight fell at visit %d", slug, i)
			}
			e, err := db.FindEncounter(ctx, v.EncounterID)
			if err != nil || !e.Finished() {
				t.Errorf("%s: visit %d's encounter: %v", slug, i, err)
			}
		}
	}
}
