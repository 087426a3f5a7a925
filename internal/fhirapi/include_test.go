package fhirapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// included returns the searchset's entries by mode: the matches and the
// included resources as "Type/id".
func included(t *testing.T, r interface{ Get(string) any }) (match, include []string) {
	t.Helper()
	es, _ := r.Get("entry").([]any)
	for _, e := range es {
		m := e.(map[string]any)
		res := m["resource"].(map[string]any)
		ref := res["resourceType"].(string) + "/" + res["id"].(string)
		if m["search"].(map[string]any)["mode"] == "include" {
			include = append(include, ref)
		} else {
			match = append(match, ref)
		}
	}
	return match, include
}

// TestIncludes: _include and _revinclude add the referenced resources
// (search.mode include) through the use cases: audited, never another
// practice's.
func TestIncludes(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	x := f.clinical(t)
	rec := f.tokens["receptionist"]
	appt := want(t, rec.Do("POST", "/fhir/R4/Appointment", appointmentBody(x.patient, x.practitioner, f.locA.ID, x.apptType, "2030-03-07T09:00:00+02:00")), http.StatusCreated).Str("id")

	r := want(t, rec.Do("GET", "/fhir/R4/Appointment?_include=Appointment:patient&_include=Appointment:practitioner", nil), http.StatusOK)
	match, inc := included(t, r)
	slices.Sort(inc)
	if !slices.Equal(match, []string{"Appointment/" + appt}) || !slices.Equal(inc, []string{"Patient/" + x.patient, "Practitioner/" + x.practitioner}) {
		t.Errorf("appointment includes: %v %v", match, inc)
	}
	if self := link(r, "self", f.env.URL); !strings.Contains(self, "_include=Appointment%3Apatient") {
		t.Errorf("self link without the include: %s", self)
	}
	// The included chart is audited as read, naming it.
	if n := f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = 'patient.searched' AND $1 = ANY(patient_ids)`, x.patient)[0]; n == "0" {
		t.Error("the included chart was not audited")
	}

	nurse := f.tokens["nurse"]
	match, inc = included(t, want(t, nurse.Do("GET", "/fhir/R4/Encounter?patient="+x.patient+"&_revinclude=Observation:encounter&_include=Encounter:patient", nil), http.StatusOK))
	obs := 0
	for _, ref := range inc {
		if strings.HasPrefix(ref, "Observation/") {
			obs++
		}
	}
	if !slices.Equal(match, []string{"Encounter/" + x.encounter}) || obs != 6 || !slices.Contains(inc, "Patient/"+x.patient) {
		t.Errorf("encounter includes: %v %v", match, inc)
	}
	for _, q := range []string{"Observation?patient=" + x.patient + "&_include=Observation:patient", "Condition?patient=" + x.patient + "&_include=Condition:patient",
		"AllergyIntolerance?patient=" + x.patient + "&_include=AllergyIntolerance:patient"} {
		match, inc := included(t, want(t, nurse.Do("GET", "/fhir/R4/"+q, nil), http.StatusOK))
		if len(match) == 0 || !slices.Equal(inc, []string{"Patient/" + x.patient}) {
			t.Errorf("%s: %v %v", q, match, inc)
		}
	}
	// Nothing matched, nothing included.
	if match, inc := included(t, want(t, nurse.Do("GET", "/fhir/R4/ServiceRequest?patient="+x.patient+"&_include=ServiceRequest:patient", nil), http.StatusOK)); len(match)+len(inc) != 0 {
		t.Errorf("no orders: %v %v", match, inc)
	}
	// Unsupported: strict 400, lenient ignored (and not in the self link).
	wantOutcome(t, rec.DoHeader("GET", "/fhir/R4/Appointment?_include=Appointment:location", nil, map[string]string{"Prefer": "handling=strict"}), http.StatusBadRequest, "invalid")
	wantOutcome(t, rec.DoHeader("GET", "/fhir/R4/Patient?_revinclude=Observation:patient", nil, map[string]string{"Prefer": "handling=strict"}), http.StatusBadRequest, "invalid")
	r = want(t, rec.Do("GET", "/fhir/R4/Appointment?_include=Appointment:location", nil), http.StatusOK)
	if _, inc := included(t, r); len(inc) != 0 || strings.Contains(link(r, "self", f.env.URL), "_include") {
		t.Errorf("lenient unsupported include: %v %s", inc, link(r, "self", f.env.URL))
	}
	// The receptionist cannot read what it would include of clinical data.
	wantOutcome(t, rec.Do("GET", "/fhir/R4/Encounter?patient="+x.patient+"&_revinclude=Observation:encounter", nil), http.StatusForbidden, "forbidden")

	// Practice B: its own chart only, never A's.
	adminB := f.env.Login(t, "admin@bravo.example", pw)
	bp := want(t, f.tokens["adminB"].Do("POST", "/fhir/R4/Patient", patientBody("Zanele", "Ndlovu", "1970-01-01", "female", nil)), http.StatusCreated).Str("id")
	want(t, adminB.Do("POST", "/api/v1/practices/bravo/patients/"+bp+"/conditions", map[string]any{"code": "I10"}), http.StatusCreated)
	for _, q := range []string{"Condition?patient=" + bp + "&_include=Condition:patient", "Appointment?_include=Appointment:patient&_include=Appointment:practitioner",
		"Encounter?_revinclude=Observation:encounter&_include=Encounter:patient"} {
		match, inc := included(t, want(t, f.tokens["adminB"].Do("GET", "/fhir/R4/"+q, nil), http.StatusOK))
		for _, ref := range append(match, inc...) {
			if strings.Contains(ref, x.patient) || strings.Contains(ref, x.encounter) || strings.Contains(ref, appt) || strings.Contains(ref, x.practitioner) {
				t.Errorf("B's %s holds A's %s", q, ref)
			}
		}
		if strings.HasPrefix(q, "Condition") && !slices.Equal(inc, []string{"Patient/" + bp}) {
			t.Errorf("B's own include: %v", inc)
		}
	}
	// The statement lists them.
	meta := string(want(t, rec.Do("GET", "/fhir/R4/metadata", nil), http.StatusOK).Body)
	if !strings.Contains(meta, `"searchInclude":["Appointment:patient","Appointment:practitioner"]`) || !strings.Contains(meta, `"searchRevInclude":["Observation:encounter"]`) {
		t.Error("metadata lists no includes")
	}
}
