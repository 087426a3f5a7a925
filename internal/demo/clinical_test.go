package demo_test

import (
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/demo"
	"medic/internal/postgres/pgtest"
)

// TestLoadEncounters: each practice has at least 60 charts with 1 to 8
// finished visits over the last two years, notes written from the four
// templates with varying text, and today's queue with visits at the open
// stages (a reload adds nothing: TestLoadIsIdempotent).
func TestLoadEncounters(t *testing.T) {
	db := pgtest.New(t)
	if err := demo.Load(t.Context(), db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	now := clock.Now()
	for _, slug := range []string{"sunrise", "harbour"} {
		ctx, _ := practiceCtx(t, db, slug)
		perChart := map[string]int{}
		assessments := map[string]bool{}
		kinds := map[string]bool{}
		for page := (medic.Page{Limit: medic.MaxLimit}); ; {
			es, next, err := db.ListEncounters(ctx, medic.EncounterFilter{Statuses: []medic.EncounterStatus{medic.EncounterFinished}}, page)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				perChart[e.PatientID]++
				// (The vitals showcase's growth chart starts at birth, 26 months back; its notes hold a plan only.)
				if e.SOAP.Subjective != "" && (e.StartedAt.Before(now.AddDate(-2, 0, -1)) || e.StartedAt.After(now)) {
					t.Errorf("%s: encounter %s at %s, outside the last two years", slug, e.ID, e.StartedAt)
				}
				assessments[e.SOAP.Assessment] = true
				for kind, mark := range map[string]string{"general": "Presenting complaint", "chronic": "Adherence to medication", "antenatal": "Gestation", "well-child": "Developmental milestones"} {
					if strings.Contains(e.SOAP.Subjective, mark) {
						kinds[kind] = true
					}
				}
			}
			if page.Cursor = next; next == "" {
				break
			}
		}
		charts := 0
		for _, n := range perChart {
			if n >= 1 && n <= 8 {
				charts++
			}
		}
		if charts < 60 {
			t.Errorf("%s: %d charts with 1-8 finished encounters, want at least 60", slug, charts)
		}
		if len(assessments) < 8 || len(kinds) < 3 {
			t.Errorf("%s: %d different assessments, notes of kinds %v", slug, len(assessments), kinds)
		}
		q, err := db.Queue(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		stages := map[medic.EncounterStage]bool{}
		for _, e := range q {
			stages[e.Stage] = true
			if e.StageSince.After(now) || now.Sub(e.StageSince) > time.Hour {
				t.Errorf("%s: queued since %s", slug, e.StageSince)
			}
		}
		if len(stages) < 4 {
			t.Errorf("%s: today's queue has stages %v, want registration to counselling", slug, stages)
		}
	}
}
