package server_test

import (
	"net/http"
	"strings"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

// rxDesk is a practice with a doctor, a chart and an open encounter.
type rxDesk struct {
	*desk
	doctor *servertest.Client
	meds   map[string]string // search words -> the first medicine's id
}

func newRxDesk(t *testing.T) *rxDesk {
	t.Helper()
	d := &rxDesk{desk: newDesk(t, servertest.New(t), "sunrise"), meds: map[string]string{}}
	d.doctor = d.c[medic.RoleDoctor]
	for _, q := range []string{"amoxicillin%20250%20mg/5", "amoxicillin/clav", "warfarin", "ibuprofen%20400", "paracetamol%20500"} {
		d.meds[q] = want(t, d.doctor.Do("GET", d.base+"/medicines?q="+q, nil), http.StatusOK).Str("items.0.id")
		if d.meds[q] == "" {
			t.Fatalf("no starter medicine for %q", q)
		}
	}
	return d
}

// chart makes a chart and an open encounter for it.
func (d *rxDesk) chart(t *testing.T, given, dob string) (patient, encounter string) {
	t.Helper()
	patient = want(t, d.c[medic.RoleAdmin].Do("POST", d.base+"/patients", map[string]any{"given_name": given, "family_name": "Mokoena", "date_of_birth": dob}), http.StatusCreated).Str("id")
	encounter = want(t, d.doctor.Do("POST", d.base+"/encounters", map[string]any{"patient_id": patient, "practitioner_id": d.practitioner,
		"location_id": d.loc.ID, "stage": "consultation"}), http.StatusCreated).Str("id")
	return patient, encounter
}

func item(medicine, dose, frequency string, days int, override string) map[string]any {
	it := map[string]any{"medicine_id": medicine, "dose": dose, "frequency": frequency, "duration_days": days}
	if override != "" {
		it["override_reason"] = override
	}
	return it
}

func TestPrescriptionSafetyChecks(t *testing.T) {
	t.Parallel()
	d := newRxDesk(t)
	patient, enc := d.chart(t, "Thabo", "1980-04-02")
	want(t, d.doctor.Do("POST", d.base+"/patients/"+patient+"/allergies", map[string]any{"substance": "Penicillin", "reaction": "Anaphylaxis", "severity": "severe"}), http.StatusCreated)
	rx := func(items ...map[string]any) *servertest.Response {
		return d.doctor.Do("POST", d.base+"/prescriptions", map[string]any{"encounter_id": enc, "items": items})
	}
	listed := func() int {
		return len(want(t, d.doctor.Do("GET", d.base+"/prescriptions?patient="+patient, nil), http.StatusOK).Items())
	}

	// Amoxicillin for a penicillin allergy: refused with the alert, nothing stored.
	r := want(t, rx(item(d.meds["amoxicillin%20250%20mg/5"], "10 ml", "tds", 5, "")), http.StatusUnprocessableEntity)
	if r.Str("alerts.0.kind") != "allergy" || r.Get("alerts.0.item") != 0.0 || r.Str("alerts.0.severity") != "severe" ||
		!strings.Contains(r.Str("alerts.0.message"), "Penicillin") || r.Str("errors.items\\.0\\.override_reason") == "" && r.Get("errors") == nil {
		t.Fatalf("alert: %s", r)
	}
	if n := listed(); n != 0 {
		t.Fatalf("a refused prescription was stored (%d)", n)
	}

	// With a reason it is issued, the alert and the reason kept on the item.
	r = want(t, rx(item(d.meds["amoxicillin%20250%20mg/5"], "10 ml", "tds", 5, "Tolerated amoxicillin in 2024; rash only to penicillin V")), http.StatusCreated)
	if r.Str("status") != "issued" || r.Str("items.0.alerts.0.kind") != "allergy" || !strings.HasPrefix(r.Str("items.0.override_reason"), "Tolerated") ||
		!strings.HasPrefix(r.Str("items.0.medicine"), "Amoxicillin 250 mg/5 ml suspension") || r.Str("items.0.route") != "oral" {
		t.Fatalf("issued: %s", r)
	}
	first := r.Str("id")

	// The reason is in the practice's audit log.
	var found bool
	for _, e := range want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/audit-events?limit=200", nil), http.StatusOK).Items() {
		if e["action"] == "prescription.issued" {
			detail, _ := e["detail"].(map[string]any)
			if s, _ := detail["override.1"].(string); strings.Contains(s, "allergy") && strings.Contains(s, "Tolerated amoxicillin") {
				found = true
			}
		}
	}
	if !found {
		t.Error("the override reason is not in the audit log")
	}

	// It is current; co-amoxiclav now fires the allergy and a duplicate.
	cur := want(t, d.doctor.Do("GET", d.base+"/patients/"+patient+"/medications", nil), http.StatusOK).Items()
	if len(cur) != 1 || cur[0]["prescription_id"] != first {
		t.Fatalf("current medicines: %v", cur)
	}
	r = want(t, rx(item(d.meds["amoxicillin/clav"], "1 tablet", "bd", 5, "")), http.StatusUnprocessableEntity)
	kinds := map[string]bool{}
	for _, a := range r.Get("alerts").([]any) {
		kinds[a.(map[string]any)["kind"].(string)] = true
	}
	if !kinds["allergy"] || !kinds["duplicate"] {
		t.Errorf("co-amoxiclav alerts: %s", r)
	}

	// Warfarin and ibuprofen on one script: an interaction on the second
	// item; paracetamol on the same script passes.
	r = want(t, rx(item(d.meds["warfarin"], "5 mg", "od", 30, ""), item(d.meds["paracetamol%20500"], "1 tablet", "qid", 3, ""), item(d.meds["ibuprofen%20400"], "1 tablet", "tds", 3, "")), http.StatusUnprocessableEntity)
	var items []float64
	for _, a := range r.Get("alerts").([]any) {
		if a.(map[string]any)["kind"] == "interaction" {
			items = append(items, a.(map[string]any)["item"].(float64))
		}
	}
	if len(items) != 2 || items[0] != 0 || items[1] != 2 {
		t.Errorf("interaction alerts on items %v: %s", items, r)
	}

	// Cancelled with a reason: no longer current; a second cancel conflicts.
	wantProblem(t, d.doctor.Do("POST", d.base+"/prescriptions/"+first+"/cancel", map[string]any{"reason": " "}), http.StatusUnprocessableEntity)
	r = want(t, d.doctor.Do("POST", d.base+"/prescriptions/"+first+"/cancel", map[string]any{"reason": "Wrong strength"}), http.StatusOK)
	if r.Str("status") != "cancelled" || r.Str("cancel_reason") != "Wrong strength" || r.Get("cancelled_at") == nil {
		t.Errorf("cancelled: %s", r)
	}
	wantProblem(t, d.doctor.Do("POST", d.base+"/prescriptions/"+first+"/cancel", map[string]any{"reason": "Again"}), http.StatusConflict)
	if cur := want(t, d.doctor.Do("GET", d.base+"/patients/"+patient+"/medications", nil), http.StatusOK).Items(); len(cur) != 0 {
		t.Errorf("a cancelled prescription is current: %v", cur)
	}

	// A finished encounter takes no prescription; a bad item is named.
	want(t, d.doctor.Do("POST", d.base+"/encounters/"+enc+"/finish", nil), http.StatusOK)
	wantProblem(t, rx(item(d.meds["paracetamol%20500"], "1 tablet", "qid", 3, "")), http.StatusConflict)
	_, enc2 := d.chart(t, "Lerato", "1990-01-01")
	bad := want(t, d.doctor.Do("POST", d.base+"/prescriptions", map[string]any{"encounter_id": enc2, "items": []map[string]any{
		item(d.meds["paracetamol%20500"], "", "qid", 0, ""), item("6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a01", "1 tablet", "qid", 3, "")}}), http.StatusUnprocessableEntity)
	if bad.Str("errors.items\\.0\\.dose") == "" && !strings.Contains(string(bad.Body), `"items.0.dose"`) {
		t.Errorf("no error on the dose: %s", bad)
	}
	if !strings.Contains(string(bad.Body), `"items.0.duration_days"`) {
		t.Errorf("no error on the duration: %s", bad)
	}
	bad = want(t, d.doctor.Do("POST", d.base+"/prescriptions", map[string]any{"encounter_id": enc2, "items": []map[string]any{
		item("6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a01", "1 tablet", "qid", 3, "")}}), http.StatusUnprocessableEntity)
	if !strings.Contains(string(bad.Body), `"items.0.medicine_id"`) {
		t.Errorf("an unknown medicine is not named: %s", bad)
	}
}

func TestPrescriptionPaediatricDose(t *testing.T) {
	t.Parallel()
	d := newRxDesk(t)
	_, enc := d.chart(t, "Naledi", "2022-06-01") // about 4 in the test clock's 2026-2030
	amox := d.meds["amoxicillin%20250%20mg/5"]
	rx := func(dose string, override string) *servertest.Response {
		return d.doctor.Do("POST", d.base+"/prescriptions", map[string]any{"encounter_id": enc, "items": []map[string]any{item(amox, dose, "tds", 5, override)}})
	}
	// No weight on the chart: refused, whatever the reason given.
	r := want(t, rx("5 ml", "Urgent"), http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.Body), `"weight_kg"`) {
		t.Fatalf("no weight: %s", r)
	}
	want(t, d.doctor.Do("POST", d.base+"/encounters/"+enc+"/vitals", map[string]any{"weight_kg": 15}), http.StatusCreated)
	// 15 kg x 90 mg/kg/day = 1350 mg a day: 10 ml tds (1500 mg) is over, 5 ml tds is not.
	r = want(t, rx("10 ml", ""), http.StatusUnprocessableEntity)
	if r.Str("alerts.0.kind") != "paediatric_dose" || !strings.Contains(r.Str("alerts.0.message"), "1500 mg a day") {
		t.Errorf("over the maximum: %s", r)
	}
	want(t, rx("5 ml", ""), http.StatusCreated)
}
