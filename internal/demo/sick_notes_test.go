package demo_test

import (
	"testing"

	"medic"
	"medic/internal/demo"
	"medic/internal/postgres/pgtest"
)

// TestLoadSickNotes: each practice's demo holds issued sick notes from
// finished visits, some with the patient's consent to show the diagnosis
// (which they then show) and more without it (which show none), each
// found by its verification code (a reload adds nothing:
// TestLoadIsIdempotent).
func TestLoadSickNotes(t *testing.T) {
	db := pgtest.New(t)
	if err := demo.Load(t.Context(), db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"sunrise", "harbour"} {
		ctx, p := practiceCtx(t, db, slug)
		ns, _, err := db.ListSickNotes(ctx, medic.SickNoteFilter{}, medic.Page{Limit: medic.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		consented, plain := 0, 0
		for _, n := range ns {
			if n.Status != medic.SickNoteIssued || n.IssuedAt.After(clock.Now()) || n.From.Before(medic.DateOf(n.ExaminedAt)) {
				t.Errorf("%s: %+v", slug, n)
			}
			switch {
			case n.DiagnosisConsent && n.Diagnosis != "" && n.ConsentRecordedByName != "":
				consented++
			case !n.DiagnosisConsent && n.Diagnosis == "":
				plain++
			default:
				t.Errorf("%s: consent %v with diagnosis %q", slug, n.DiagnosisConsent, n.Diagnosis)
			}
			if got, err := db.SickNotePractice(t.Context(), n.VerificationCode); err != nil || got.ID != p.ID {
				t.Errorf("%s: code %s resolves to %v, %v", slug, n.VerificationCode, got, err)
			}
		}
		if consented == 0 || plain < 3 {
			t.Errorf("%s: %d notes with consent, %d without; want some of each", slug, consented, plain)
		}
	}
}
