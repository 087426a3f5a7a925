package fhirapi_test

import (
	"net/http"
	"slices"
	"testing"

	"medic/internal/fhir"
)

// TestOrderResources: lab and imaging orders as ServiceRequest, resulted
// ones as DiagnosticReport with result Observations; clinical readers
// only; practice B reads none of it.
func TestOrderResources(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	x := f.clinical(t)
	doc := f.env.Login(t, "doctor@alpha.example", pw)
	base := "/api/v1/practices/alpha"
	fbc := want(t, doc.Do("POST", base+"/encounters/"+x.encounter+"/orders", map[string]any{"kind": "lab", "code": "FBC", "urgency": "urgent", "note": "Tired"}), http.StatusCreated).Str("id")
	cxr := want(t, doc.Do("POST", base+"/encounters/"+x.encounter+"/orders", map[string]any{"kind": "imaging", "code": "CXR"}), http.StatusCreated).Str("id")
	tsh := want(t, doc.Do("POST", base+"/encounters/"+x.encounter+"/orders", map[string]any{"kind": "lab", "code": "TSH"}), http.StatusCreated).Str("id")
	want(t, doc.Do("POST", base+"/orders/"+fbc+"/collect", nil), http.StatusOK)
	want(t, doc.Do("POST", base+"/orders/"+fbc+"/results", map[string]any{"name": "Haemoglobin", "value": 10.2, "unit": "g/dL", "reference_low": 12, "reference_high": 16.5}), http.StatusCreated)
	want(t, doc.Do("POST", base+"/orders/"+fbc+"/results", map[string]any{"name": "Platelets", "value": 250, "unit": "x10^9/L", "reference_low": 150, "reference_high": 400}), http.StatusCreated)
	want(t, doc.Do("POST", base+"/orders/"+fbc+"/review", nil), http.StatusOK)
	want(t, doc.Do("POST", base+"/orders/"+cxr+"/results", map[string]any{"report": "No active lung disease."}), http.StatusCreated)

	nurse := f.tokens["nurse"]
	sr := want(t, nurse.Do("GET", "/fhir/R4/ServiceRequest/"+fbc, nil), http.StatusOK)
	if sr.Str("status") != "completed" || sr.Str("extension.0.valueCode") != "reviewed" || sr.Str("priority") != "urgent" || sr.Str("intent") != "order" ||
		sr.Str("code.coding.0.code") != "FBC" || sr.Str("code.coding.1.system") != fhir.LOINCSystem || sr.Str("subject.reference") != "Patient/"+x.patient ||
		sr.Str("encounter.reference") != "Encounter/"+x.encounter || sr.Str("category.0.coding.0.code") != "108252007" || sr.Str("authoredOn") == "" {
		t.Errorf("service request: %s", sr)
	}
	if sr.Header.Get("ETag") == "" {
		t.Error("service request without an ETag")
	}
	for q, wantIDs := range map[string][]string{
		"patient=" + x.patient:                                    {fbc, cxr, tsh},
		"encounter=Encounter/" + x.encounter:                      {fbc, cxr, tsh},
		"patient=" + x.patient + "&status=active":                 {tsh},
		"patient=" + x.patient + "&status=completed":              {fbc, cxr},
		"patient=" + x.patient + "&category=363679005":            {cxr},
		"patient=" + x.patient + "&code=FBC,TSH":                  {fbc, tsh},
		"patient=" + x.patient + "&code=http://loinc.org|3016-3":  {tsh},
		"patient=" + x.patient + "&code=http://snomed.info/sct|1": {},
		"patient=" + x.patient + "&authored=ge2000-01-01":         {fbc, cxr, tsh},
		"patient=" + x.patient + "&authored=lt2000-01-01":         {},
	} {
		got := idsOf(entries(t, want(t, nurse.Do("GET", "/fhir/R4/ServiceRequest?"+q, nil), http.StatusOK)))
		slices.Sort(got)
		slices.Sort(wantIDs)
		if !slices.Equal(got, wantIDs) {
			t.Errorf("ServiceRequest?%s: %v, want %v", q, got, wantIDs)
		}
	}
	if n := want(t, nurse.Do("GET", "/fhir/R4/ServiceRequest?patient="+x.patient+"&_summary=count", nil), http.StatusOK).Get("total"); n != float64(3) {
		t.Errorf("count: %v", n)
	}
	wantOutcome(t, nurse.Do("GET", "/fhir/R4/ServiceRequest?status=ordered", nil), http.StatusBadRequest, "invalid")

	// The reports: resulted orders only, results as Observations.
	dr := want(t, nurse.Do("GET", "/fhir/R4/DiagnosticReport/"+fbc, nil), http.StatusOK)
	if dr.Str("status") != "final" || dr.Str("basedOn.0.reference") != "ServiceRequest/"+fbc || dr.Str("category.0.coding.0.code") != "LAB" ||
		dr.Str("resultsInterpreter.0.display") == "" {
		t.Errorf("report: %s", dr)
	}
	results, _ := dr.JSON["result"].([]any)
	if len(results) != 2 {
		t.Fatalf("report results: %v", results)
	}
	img := want(t, nurse.Do("GET", "/fhir/R4/DiagnosticReport/"+cxr, nil), http.StatusOK)
	if img.Str("conclusion") != "No active lung disease." || img.Str("category.0.coding.0.code") != "RAD" {
		t.Errorf("imaging report: %s", img)
	}
	wantOutcome(t, nurse.Do("GET", "/fhir/R4/DiagnosticReport/"+tsh, nil), http.StatusNotFound, "not-found")
	for q, n := range map[string]int{"patient=" + x.patient: 2, "patient=" + x.patient + "&category=RAD": 1, "patient=" + x.patient + "&code=FBC": 1,
		"patient=" + x.patient + "&status=final": 2, "patient=" + x.patient + "&status=preliminary": 0, "patient=" + x.patient + "&date=ge2000-01-01": 2,
		"patient=" + x.patient + "&date=lt2000-01-01": 0, "encounter=" + x.encounter: 2} {
		if got := entries(t, want(t, nurse.Do("GET", "/fhir/R4/DiagnosticReport?"+q, nil), http.StatusOK)); len(got) != n {
			t.Errorf("DiagnosticReport?%s: %d, want %d", q, len(got), n)
		}
	}
	hb := results[0].(map[string]any)["reference"].(string)
	ob := want(t, nurse.Do("GET", "/fhir/R4/"+hb, nil), http.StatusOK)
	if ob.Str("valueQuantity.code") != "g/dL" || ob.Str("valueQuantity.system") != fhir.UCUMSystem || ob.Str("interpretation.0.coding.0.code") != "L" ||
		ob.Get("referenceRange.0.low.value") != float64(12) || ob.Str("basedOn.0.reference") != "ServiceRequest/"+fbc || ob.Str("category.0.coding.0.code") != "laboratory" {
		t.Errorf("result observation: %s", ob)
	}
	for q, n := range map[string]int{"category=laboratory": 2, "category=imaging": 0, "category=vital-signs": 6, "": 8, "category=laboratory,vital-signs": 8} {
		if got := entries(t, want(t, nurse.Do("GET", "/fhir/R4/Observation?patient="+x.patient+"&"+q, nil), http.StatusOK)); len(got) != n {
			t.Errorf("Observation?%s: %d, want %d", q, len(got), n)
		}
	}

	// Patient/$everything carries them.
	count := map[string]int{}
	for _, r := range entries(t, want(t, nurse.Do("GET", "/fhir/R4/Patient/"+x.patient+"/$everything", nil), http.StatusOK)) {
		count[r["resourceType"].(string)]++
	}
	if count["ServiceRequest"] != 3 || count["DiagnosticReport"] != 2 || count["Observation"] != 8 {
		t.Errorf("$everything: %v", count)
	}

	// Reception and billing read none of it.
	for _, who := range []string{"receptionist", "billing"} {
		for _, p := range []string{"/fhir/R4/ServiceRequest/" + fbc, "/fhir/R4/ServiceRequest?patient=" + x.patient, "/fhir/R4/DiagnosticReport/" + fbc,
			"/fhir/R4/DiagnosticReport?patient=" + x.patient, "/fhir/R4/" + hb} {
			wantOutcome(t, f.tokens[who].Do("GET", p, nil), http.StatusForbidden, "forbidden")
		}
	}
	// Practice B: 404 by id, nothing in searches.
	b := f.tokens["adminB"]
	for _, p := range []string{"/fhir/R4/ServiceRequest/" + fbc, "/fhir/R4/DiagnosticReport/" + fbc, "/fhir/R4/" + hb, "/fhir/R4/Observation?patient=" + x.patient + "&category=laboratory"} {
		wantOutcome(t, b.Do("GET", p, nil), http.StatusNotFound, "not-found")
	}
	for _, p := range []string{"/fhir/R4/ServiceRequest", "/fhir/R4/ServiceRequest?patient=" + x.patient, "/fhir/R4/DiagnosticReport",
		"/fhir/R4/DiagnosticReport?encounter=" + x.encounter} {
		if got := entries(t, want(t, b.Do("GET", p, nil), http.StatusOK)); len(got) != 0 {
			t.Errorf("B's %s: %v", p, idsOf(got))
		}
	}
	// The reads were audited naming the chart.
	actions := f.query(t, `SELECT DISTINCT action FROM audit_events WHERE patient_id = $1 OR $1 = ANY(patient_ids) ORDER BY 1`, x.patient)
	for _, a := range []string{"order.viewed", "order.listed"} {
		if !slices.Contains(actions, a) {
			t.Errorf("no %s event for the chart: %v", a, actions)
		}
	}
}
