package fhirapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"medic/internal/fhir"
)

// clinical records, through the JSON API as A's doctor, a chart with "no
// known allergies", another with a severe allergy, a coded problem, and an
// encounter with vitals and a diagnosis.
type clinicalFx struct {
	nka, patient, encounter, practitioner, apptType string
}

func (f *fx) clinical(t *testing.T) clinicalFx {
	t.Helper()
	pr, typ := f.scheduling(t)
	doc := f.env.Login(t, "doctor@alpha.example", pw)
	base := "/api/v1/practices/alpha"
	c := clinicalFx{practitioner: pr, apptType: typ}
	c.nka = want(t, f.tokens["doctor"].Do("POST", "/fhir/R4/Patient", patientBody("Nomsa", "Zulu", "1975-07-07", "female", nil)), http.StatusCreated).Str("id")
	c.patient = want(t, f.tokens["doctor"].Do("POST", "/fhir/R4/Patient", patientBody("Pieter", "Botha", "1960-01-01", "male", nil)), http.StatusCreated).Str("id")
	want(t, doc.Do("POST", base+"/patients/"+c.nka+"/allergies/none-known", nil), http.StatusCreated)
	want(t, doc.Do("POST", base+"/patients/"+c.patient+"/allergies", map[string]any{"substance": "Penicillin", "reaction": "Anaphylaxis", "severity": "severe"}), http.StatusCreated)
	want(t, doc.Do("POST", base+"/patients/"+c.patient+"/conditions", map[string]any{"code": "I10", "onset": "2015-06-01"}), http.StatusCreated)
	c.encounter = want(t, doc.Do("POST", base+"/encounters", map[string]any{"patient_id": c.patient, "practitioner_id": pr, "location_id": f.locA.ID}), http.StatusCreated).Str("id")
	want(t, doc.Do("POST", base+"/encounters/"+c.encounter+"/vitals", map[string]any{"systolic_mmhg": 150, "diastolic_mmhg": 95, "pulse_bpm": 80,
		"temperature_c": 36.8, "weight_kg": 92, "height_cm": 180, "spo2_percent": 97}), http.StatusCreated)
	want(t, doc.Do("POST", base+"/encounters/"+c.encounter+"/diagnoses", map[string]any{"code": "I10", "primary": true}), http.StatusCreated)
	return c
}

func TestClinicalResources(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	x := f.clinical(t)
	nurse := f.tokens["nurse"]
	// Encounter.
	enc := want(t, nurse.Do("GET", "/fhir/R4/Encounter/"+x.encounter, nil), http.StatusOK)
	if enc.Str("status") != "in-progress" || enc.Str("subject.reference") != "Patient/"+x.patient || enc.Str("class.code") != "AMB" {
		t.Errorf("encounter: %s", enc)
	}
	if got := idsOf(entries(t, want(t, nurse.Do("GET", "/fhir/R4/Encounter?patient="+x.patient, nil), http.StatusOK))); !slices.Equal(got, []string{x.encounter}) {
		t.Errorf("encounters of the patient: %v", got)
	}
	if got := entries(t, want(t, nurse.Do("GET", "/fhir/R4/Encounter?patient="+x.patient+"&status=finished", nil), http.StatusOK)); len(got) != 0 {
		t.Errorf("finished encounters: %v", got)
	}

	// Observations: blood pressure as one with components; codes, dates, category.
	obs := entries(t, want(t, nurse.Do("GET", "/fhir/R4/Observation?patient=Patient/"+x.patient, nil), http.StatusOK))
	if len(obs) != 6 {
		t.Fatalf("observations: %d %v", len(obs), obs)
	}
	bp := entries(t, want(t, nurse.Do("GET", "/fhir/R4/Observation?patient="+x.patient+"&code="+fhir.LOINCSystem+"|85354-9", nil), http.StatusOK))
	if len(bp) != 1 {
		t.Fatalf("bp: %v", bp)
	}
	comps := bp[0]["component"].([]any)
	if len(comps) != 2 || comps[0].(map[string]any)["valueQuantity"].(map[string]any)["code"] != "mm[Hg]" {
		t.Errorf("bp components: %v", comps)
	}
	if got := entries(t, want(t, nurse.Do("GET", "/fhir/R4/Observation?patient="+x.patient+"&code=8480-6", nil), http.StatusOK)); len(got) != 1 {
		t.Errorf("by systolic component: %v", got)
	}
	for q, n := range map[string]int{"category=vital-signs": 6, "category=laboratory": 0, "code=29463-7,8302-2": 2, "date=ge2030-01-01": 6,
		"date=lt2030-01-01": 0, "code=http://snomed.info/sct|1": 0} {
		if got := entries(t, want(t, nurse.Do("GET", "/fhir/R4/Observation?patient="+x.patient+"&"+q, nil), http.StatusOK)); len(got) != n {
			t.Errorf("observations %s: %d, want %d", q, len(got), n)
		}
	}
	id := bp[0]["id"].(string)
	if r := want(t, nurse.Do("GET", "/fhir/R4/Observation/"+id, nil), http.StatusOK); r.Str("code.coding.0.code") != "85354-9" || r.Str("encounter.reference") != "Encounter/"+x.encounter {
		t.Errorf("observation read: %s", r)
	}
	wantOutcome(t, nurse.Do("GET", "/fhir/R4/Observation", nil), http.StatusBadRequest, "invalid")

	// Conditions: the problem list and the encounter's diagnosis, ICD-10.
	conds := entries(t, want(t, nurse.Do("GET", "/fhir/R4/Condition?patient="+x.patient, nil), http.StatusOK))
	cats := []string{}
	for _, c := range conds {
		cats = append(cats, c["category"].([]any)[0].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"].(string))
		if coding := c["code"].(map[string]any)["coding"].([]any)[0].(map[string]any); coding["system"] != fhir.ICD10System || coding["code"] != "I10" {
			t.Errorf("condition code: %v", coding)
		}
	}
	slices.Sort(cats)
	if !slices.Equal(cats, []string{"encounter-diagnosis", "problem-list-item"}) {
		t.Errorf("condition categories: %v", cats)
	}
	for q, n := range map[string]int{"category=problem-list-item": 1, "category=encounter-diagnosis": 1, "clinical-status=active": 1, "clinical-status=resolved": 0,
		"code=I10": 2, "code=" + fhir.ICD10System + "|J06.9": 0} {
		if got := entries(t, want(t, nurse.Do("GET", "/fhir/R4/Condition?patient="+x.patient+"&"+q, nil), http.StatusOK)); len(got) != n {
			t.Errorf("conditions %s: %d, want %d", q, len(got), n)
		}
	}
	for _, c := range conds {
		if r := want(t, nurse.Do("GET", "/fhir/R4/Condition/"+c["id"].(string), nil), http.StatusOK); r.Str("id") != c["id"] {
			t.Errorf("condition read: %s", r)
		}
	}
	if got := entries(t, want(t, nurse.Do("GET", "/fhir/R4/Condition?encounter=Encounter/"+x.encounter, nil), http.StatusOK)); len(got) != 1 {
		t.Errorf("the encounter's diagnoses: %v", got)
	}
	// Billing reads diagnosis codes, not the problem list.
	billing := f.tokens["billing"]
	if got := entries(t, want(t, billing.Do("GET", "/fhir/R4/Condition?patient="+x.patient+"&category=encounter-diagnosis", nil), http.StatusOK)); len(got) != 1 {
		t.Errorf("billing's diagnoses: %v", got)
	}
	wantOutcome(t, billing.Do("GET", "/fhir/R4/Condition?patient="+x.patient, nil), http.StatusForbidden, "forbidden")

	// Allergies, and the recorded 'no known allergies'.
	al := entries(t, want(t, nurse.Do("GET", "/fhir/R4/AllergyIntolerance?patient="+x.patient, nil), http.StatusOK))
	if len(al) != 1 || al[0]["criticality"] != "high" || al[0]["code"].(map[string]any)["text"] != "Penicillin" {
		t.Errorf("allergies: %v", al)
	}
	nka := entries(t, want(t, nurse.Do("GET", "/fhir/R4/AllergyIntolerance?patient="+x.nka+"&clinical-status=active", nil), http.StatusOK))
	if len(nka) != 1 || !strings.Contains(nka[0]["code"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"].(string), "716186003") {
		t.Errorf("no known allergies: %v", nka)
	}
	want(t, nurse.Do("GET", "/fhir/R4/AllergyIntolerance/"+al[0]["id"].(string), nil), http.StatusOK)
	want(t, nurse.Do("GET", "/fhir/R4/AllergyIntolerance/"+nka[0]["id"].(string), nil), http.StatusOK)

	// The receptionist reads no clinical resource; billing neither (but
	// encounter diagnoses, above).
	for _, who := range []string{"receptionist", "billing"} {
		c := f.tokens[who]
		for _, p := range []string{"/fhir/R4/Encounter/" + x.encounter, "/fhir/R4/Encounter?patient=" + x.patient, "/fhir/R4/Observation?patient=" + x.patient,
			"/fhir/R4/Observation/" + id, "/fhir/R4/AllergyIntolerance?patient=" + x.patient, "/fhir/R4/AllergyIntolerance/" + al[0]["id"].(string)} {
			wantOutcome(t, c.Do("GET", p, nil), http.StatusForbidden, "forbidden")
		}
	}
	for _, p := range []string{"/fhir/R4/Condition?patient=" + x.patient, "/fhir/R4/Condition/" + conds[0]["id"].(string), "/fhir/R4/Condition?patient=" + x.patient + "&category=encounter-diagnosis"} {
		wantOutcome(t, f.tokens["receptionist"].Do("GET", p, nil), http.StatusForbidden, "forbidden")
	}

	// Practice B reads none of it: 404 by id, nothing in searches.
	b := f.tokens["adminB"]
	for _, p := range []string{"/fhir/R4/Encounter/" + x.encounter, "/fhir/R4/Observation/" + id, "/fhir/R4/Condition/" + conds[0]["id"].(string),
		"/fhir/R4/Condition/" + conds[1]["id"].(string), "/fhir/R4/AllergyIntolerance/" + al[0]["id"].(string), "/fhir/R4/AllergyIntolerance/" + nka[0]["id"].(string)} {
		wantOutcome(t, b.Do("GET", p, nil), http.StatusNotFound, "not-found")
	}
	for _, p := range []string{"/fhir/R4/Encounter?patient=" + x.patient, "/fhir/R4/Encounter", "/fhir/R4/Condition?encounter=" + x.encounter} {
		r := b.Do("GET", p, nil)
		if r.Status == http.StatusOK {
			if got := entries(t, r); len(got) != 0 {
				t.Errorf("B's %s: %v", p, got)
			}
		} else {
			wantOutcome(t, r, http.StatusNotFound, "not-found")
		}
	}
	for _, p := range []string{"/fhir/R4/Observation?patient=" + x.patient, "/fhir/R4/Condition?patient=" + x.patient, "/fhir/R4/AllergyIntolerance?patient=" + x.patient} {
		wantOutcome(t, b.Do("GET", p, nil), http.StatusNotFound, "not-found")
	}

	// Patient/$everything: the chart and what the role reads of it, one
	// audit event.
	before := f.query(t, `SELECT count(*)::text FROM audit_events`)
	ev := want(t, nurse.Do("GET", "/fhir/R4/Patient/"+x.patient+"/$everything", nil), http.StatusOK)
	after := f.query(t, `SELECT count(*)::text FROM audit_events`)
	count := map[string]int{}
	for _, r := range entries(t, ev) {
		count[r["resourceType"].(string)]++
	}
	if count["Patient"] != 1 || count["Encounter"] != 1 || count["Observation"] != 6 || count["Condition"] != 2 || count["AllergyIntolerance"] != 1 {
		t.Errorf("$everything: %v", count)
	}
	if before[0] == after[0] || f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = 'patient.everything' AND patient_id = $1`, x.patient)[0] != "1" {
		t.Errorf("$everything audit: %s -> %s events", before[0], after[0])
	}
	rec := want(t, f.tokens["receptionist"].Do("GET", "/fhir/R4/Patient/"+x.patient+"/$everything", nil), http.StatusOK)
	for _, r := range entries(t, rec) {
		if typ := r["resourceType"]; typ != "Patient" && typ != "Appointment" {
			t.Errorf("the receptionist's $everything holds a %s", typ)
		}
	}
	billing2 := entries(t, want(t, billing.Do("GET", "/fhir/R4/Patient/"+x.patient+"/$everything", nil), http.StatusOK))
	for _, r := range billing2 {
		if typ := r["resourceType"]; typ != "Patient" && typ != "Appointment" && typ != "Condition" {
			t.Errorf("billing's $everything holds a %s", typ)
		}
	}
	wantOutcome(t, f.tokens["adminB"].Do("GET", "/fhir/R4/Patient/"+x.patient+"/$everything", nil), http.StatusNotFound, "not-found")

	// The reads were audited naming the chart.
	actions := f.query(t, `SELECT DISTINCT action FROM audit_events WHERE patient_id = $1 OR $1 = ANY(patient_ids) ORDER BY 1`, x.patient)
	for _, a := range []string{"encounter.viewed", "encounter.listed", "vitals.viewed", "condition.listed", "diagnosis.listed", "allergy.listed"} {
		if !slices.Contains(actions, a) {
			t.Errorf("no %s event for the chart: %v", a, actions)
		}
	}
}
