package demo_test

import (
	"strings"
	"testing"

	"medic"
	"medic/internal/demo"
	"medic/internal/postgres/pgtest"
)

// TestLoadPrescriptions: each practice's hypertension showcase chart has
// its chronic repeat (current today) and a statin whose amlodipine
// interaction was overridden with a reason that is in the audit log; other
// charts have short courses with no alert; a reload adds no prescription
// and no audit event.
func TestLoadPrescriptions(t *testing.T) {
	db := pgtest.New(t)
	if err := demo.Load(t.Context(), db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	type counts struct{ prescriptions, issuedEvents int }
	count := func(slug string) counts {
		ctx, _ := practiceCtx(t, db, slug)
		var c counts
		pts, _, err := db.SearchPatients(ctx, medic.PatientFilter{Sort: "created"}, medic.Page{Limit: medic.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, pt := range pts {
			ps, _, err := db.ListPrescriptions(ctx, medic.PrescriptionFilter{PatientID: pt.ID}, medic.Page{Limit: medic.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			c.prescriptions += len(ps)
		}
		evs, _, err := db.ListAuditEvents(ctx, medic.AuditFilter{Action: "prescription.issued"}, medic.Page{Limit: medic.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		c.issuedEvents = len(evs)
		return c
	}
	before := map[string]counts{}
	showcases := map[string]string{"sunrise": "sipho.ndlovu.bp.sunrise@example.org", "harbour": "johan.vanwyk.bp.harbour@example.org"}
	for slug, email := range showcases {
		ctx, _ := practiceCtx(t, db, slug)
		pts, _, err := db.SearchPatients(ctx, medic.PatientFilter{Query: email}, medic.Page{Limit: 2})
		if err != nil || len(pts) != 1 {
			t.Fatalf("%s: showcase chart: %v, %v", slug, pts, err)
		}
		showcase := pts[0]
		current, err := db.CurrentMedicines(ctx, showcase.ID, medic.DateOf(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		var onNow []string
		for _, cm := range current {
			onNow = append(onNow, cm.Item.MedicineLabel)
			if cm.Item.Repeats != 5 {
				t.Errorf("%s: %s has %d repeats, want 5", slug, cm.Item.MedicineLabel, cm.Item.Repeats)
			}
		}
		if got := strings.Join(onNow, "; "); !strings.Contains(got, "Amlodipine 10 mg") || !strings.Contains(got, "Hydrochlorothiazide 12.5 mg") || !strings.Contains(got, "Simvastatin 20 mg") {
			t.Errorf("%s: current medicines %q, want the chronic repeat and the statin", slug, got)
		}
		ps, _, err := db.ListPrescriptions(ctx, medic.PrescriptionFilter{PatientID: showcase.ID}, medic.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		overridden := 0
		for _, p := range ps {
			if p.Status != medic.PrescriptionIssued || p.PrescriberName == "" {
				t.Errorf("%s: %+v", slug, p)
			}
			for _, it := range p.Items {
				if len(it.Alerts) == 0 {
					continue
				}
				overridden++
				if it.Alerts[0].Kind != medic.AlertInteraction || !strings.Contains(it.OverrideReason, "20 mg a day") {
					t.Errorf("%s: %s alerts %+v, override %q", slug, it.MedicineLabel, it.Alerts, it.OverrideReason)
				}
			}
		}
		if len(ps) != 2 || overridden != 1 {
			t.Errorf("%s: showcase has %d prescriptions, %d overridden items; want 2 and 1", slug, len(ps), overridden)
		}
		evs, _, err := db.ListAuditEvents(ctx, medic.AuditFilter{Action: "prescription.issued", PatientID: showcase.ID}, medic.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		reasons := 0
		for _, ev := range evs {
			for k, v := range ev.Detail {
				if strings.HasPrefix(k, "override.") && strings.Contains(v, "Simvastatin 20 mg tablet (interaction): Kept at 20 mg") {
					reasons++
				}
			}
		}
		if reasons != 1 {
			t.Errorf("%s: %d audit events name the override reason, want 1", slug, reasons)
		}
		before[slug] = count(slug)
		if c := before[slug]; c.prescriptions < 3 || c.issuedEvents != c.prescriptions {
			t.Errorf("%s: %+v; want a few more than the showcase's, each with its audit event", slug, c)
		}
	}
	if err := demo.Load(t.Context(), db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	for slug, c := range before {
		if again := count(slug); again != c {
			t.Errorf("%s: a reload went from %+v to %+v", slug, c, again)
		}
	}
}
