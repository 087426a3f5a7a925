package fhirapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSort: _sort orders Patient (family, birthdate, _lastUpdated),
// Appointment and Observation (date) searches across keyset pages; an
// unsupported key is a 400 when strict, else ignored and left out of the
// self link; the CapabilityStatement lists the keys.
func TestSort(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	c := f.tokens["doctor"]
	// Created in an order that is none of the sorts.
	made := map[string]string{}
	for _, p := range []struct{ given, family, dob string }{{"Ayanda", "Mokoena", "1990-05-14"}, {"Bongani", "Adams", "2001-01-01"},
		{"Chris", "zulu", "1950-12-31"}, {"Dineo", "Botha", "1975-07-07"}, {"Ethan", "adams", "1985-03-03"}} {
		made[p.given] = want(t, c.Do("POST", "/fhir/R4/Patient", patientBody(p.given, p.family, p.dob, "female", nil)), http.StatusCreated).Str("id")
		f.env.Clock.Advance(time.Minute)
	}
	// all pages of a search, two a page, as the given names in order.
	all := func(path string) []string {
		t.Helper()
		var out []string
		next := path + "&_count=2"
		for next != "" {
			r := want(t, c.Do("GET", next, nil), http.StatusOK)
			for _, e := range entries(t, r) {
				out = append(out, e["name"].([]any)[0].(map[string]any)["given"].([]any)[0].(string))
			}
			next = link(r, "next", f.env.URL)
		}
		return out
	}
	for q, wantOrder := range map[string][]string{
		"_sort=family":        {"Bongani", "Ethan", "Dineo", "Ayanda", "Chris"}, // case-insensitive, then given names
		"_sort=-family":       {"Chris", "Ayanda", "Dineo", "Ethan", "Bongani"},
		"_sort=birthdate":     {"Chris", "Dineo", "Ethan", "Ayanda", "Bongani"},
		"_sort=-birthdate":    {"Bongani", "Ayanda", "Ethan", "Dineo", "Chris"},
		"_sort=_lastUpdated":  {"Ayanda", "Bongani", "Chris", "Dineo", "Ethan"},
		"_sort=-_lastUpdated": {"Ethan", "Dineo", "Chris", "Bongani", "Ayanda"},
	} {
		if got := all("/fhir/R4/Patient?" + q); !slices.Equal(got, wantOrder) {
			t.Errorf("Patient?%s: %v, want %v", q, got, wantOrder)
		}
	}
	// Unsupported keys: strict 400, lenient ignored (not in the self link).
	wantOutcome(t, c.DoHeader("GET", "/fhir/R4/Patient?_sort=gender", nil, map[string]string{"Prefer": "handling=strict"}), http.StatusBadRequest, "invalid")
	wantOutcome(t, c.DoHeader("GET", "/fhir/R4/Patient?_sort=family,birthdate", nil, map[string]string{"Prefer": "handling=strict"}), http.StatusBadRequest, "invalid")
	wantOutcome(t, c.DoHeader("GET", "/fhir/R4/Encounter?_sort=date", nil, map[string]string{"Prefer": "handling=strict"}), http.StatusBadRequest, "invalid")
	r := want(t, c.Do("GET", "/fhir/R4/Patient?_sort=gender&family=adams", nil), http.StatusOK)
	if self := link(r, "self", f.env.URL); strings.Contains(self, "_sort") || len(entries(t, r)) != 2 {
		t.Errorf("lenient unsupported sort: self %s, %d entries", self, len(entries(t, r)))
	}
	if self := link(want(t, c.Do("GET", "/fhir/R4/Patient?_sort=-birthdate", nil), http.StatusOK), "self", f.env.URL); !strings.Contains(self, "_sort=-birthdate") {
		t.Errorf("applied sort not in the self link: %s", self)
	}
	// A cursor of one order is refused in another.
	r = want(t, c.Do("GET", "/fhir/R4/Patient?_sort=family&_count=2", nil), http.StatusOK)
	next := link(r, "next", f.env.URL)
	wantOutcome(t, c.Do("GET", strings.Replace(next, "_sort=family", "_sort=birthdate", 1), nil), http.StatusUnprocessableEntity, "invalid")

	// Appointments by date, both ways.
	pr, typ := f.scheduling(t)
	var appts []string
	for i, at := range []string{"2030-03-07T10:00:00+02:00", "2030-03-07T09:00:00+02:00", "2030-03-14T09:30:00+02:00"} {
		patient := made[[]string{"Ayanda", "Bongani", "Chris"}[i]]
		appts = append(appts, want(t, f.tokens["receptionist"].Do("POST", "/fhir/R4/Appointment", appointmentBody(patient, pr, f.locA.ID, typ, at)), http.StatusCreated).Str("id"))
	}
	for q, wantOrder := range map[string][]string{"": {appts[1], appts[0], appts[2]}, "&_sort=date": {appts[1], appts[0], appts[2]}, "&_sort=-date": {appts[2], appts[0], appts[1]}} {
		var got []string
		next := "/fhir/R4/Appointment?_count=2" + q
		for next != "" {
			r := want(t, c.Do("GET", next, nil), http.StatusOK)
			got = append(got, idsOf(entries(t, r))...)
			next = link(r, "next", f.env.URL)
		}
		if !slices.Equal(got, wantOrder) {
			t.Errorf("Appointment%s: %v, want %v", q, got, wantOrder)
		}
	}

	// Observations by date: two encounters' vitals.
	doc := f.env.Login(t, "doctor@alpha.example", pw)
	base := "/api/v1/practices/alpha"
	patient := made["Dineo"]
	for _, at := range []string{"2030-01-10T08:00:00+02:00", "2030-02-10T08:00:00+02:00"} {
		enc := want(t, doc.Do("POST", base+"/encounters", map[string]any{"patient_id": patient, "practitioner_id": pr, "location_id": f.locA.ID}), http.StatusCreated).Str("id")
		want(t, doc.Do("POST", base+"/encounters/"+enc+"/vitals", map[string]any{"pulse_bpm": 70, "weight_kg": 60, "measured_at": at}), http.StatusCreated)
	}
	dates := func(q string) []string {
		var out []string
		next := "/fhir/R4/Observation?patient=" + patient + "&_count=1" + q
		for next != "" {
			r := want(t, c.Do("GET", next, nil), http.StatusOK)
			for _, e := range entries(t, r) {
				out = append(out, e["effectiveDateTime"].(string)[:10])
			}
			next = link(r, "next", f.env.URL)
		}
		return out
	}
	if got := dates("&_sort=date"); !slices.Equal(got, []string{"2030-01-10", "2030-01-10", "2030-02-10", "2030-02-10"}) {
		t.Errorf("observations by date: %v", got)
	}
	if got := dates("&_sort=-date"); !slices.Equal(got, []string{"2030-02-10", "2030-02-10", "2030-01-10", "2030-01-10"}) {
		t.Errorf("observations by -date: %v", got)
	}

	// The CapabilityStatement lists the keys.
	meta := string(want(t, c.Do("GET", "/fhir/R4/metadata", nil), http.StatusOK).Body)
	if strings.Count(meta, `"name":"_sort"`) != 4 || !strings.Contains(meta, "_lastUpdated (last change)") {
		t.Errorf("metadata _sort: %d", strings.Count(meta, `"name":"_sort"`))
	}
}

// TestMedicationRequestSort: _sort orders a chart's MedicationRequests by
// authoredon and status, both ways, across keyset pages of one; a cursor
// of one order is refused in another.
func TestMedicationRequestSort(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	x := f.clinical(t)
	old := f.prescribe(t, x.encounter, "paracetamol%20500", "metformin") // completed: 11 days on
	f.env.Clock.Advance(11 * 24 * time.Hour)
	cancelled := f.prescribe(t, x.encounter, "ibuprofen%20400")
	f.env.Clock.Advance(time.Hour)
	active := f.prescribe(t, x.encounter, "amlodipine")
	doc := f.env.Login(t, "doctor@alpha.example", pw)
	rx := want(t, f.tokens["nurse"].Do("GET", "/fhir/R4/MedicationRequest/"+cancelled[0], nil), http.StatusOK).Str("groupIdentifier.value")
	want(t, doc.Do("POST", "/api/v1/practices/alpha/prescriptions/"+rx+"/cancel", map[string]any{"reason": "Wrong dose"}), http.StatusOK)

	c := f.tokens["nurse"]
	all := func(q string) []string {
		t.Helper()
		var out []string
		next := "/fhir/R4/MedicationRequest?patient=" + x.patient + "&_count=1" + q
		for next != "" {
			r := want(t, c.Do("GET", next, nil), http.StatusOK)
			out = append(out, idsOf(entries(t, r))...)
			next = link(r, "next", f.env.URL)
		}
		return out
	}
	newest := []string{active[0], cancelled[0], old[0], old[1]}
	for q, wantOrder := range map[string][]string{
		"":                   newest,
		"&_sort=-authoredon": newest,
		"&_sort=authoredon":  {old[0], old[1], cancelled[0], active[0]},
		"&_sort=status":      {active[0], cancelled[0], old[0], old[1]},
		"&_sort=-status":     {old[0], old[1], cancelled[0], active[0]},
	} {
		if got := all(q); !slices.Equal(got, wantOrder) {
			t.Errorf("MedicationRequest%s: %v, want %v", q, got, wantOrder)
		}
	}
	statuses := entries(t, want(t, c.Do("GET", "/fhir/R4/MedicationRequest?patient="+x.patient+"&_sort=status", nil), http.StatusOK))
	var got []string
	for _, e := range statuses {
		got = append(got, e["status"].(string))
	}
	if !slices.Equal(got, []string{"active", "cancelled", "completed", "completed"}) {
		t.Errorf("statuses by _sort=status: %v", got)
	}
	r := want(t, c.Do("GET", "/fhir/R4/MedicationRequest?patient="+x.patient+"&_count=1&_sort=status", nil), http.StatusOK)
	next := link(r, "next", f.env.URL)
	if !strings.Contains(next, "_sort=status") {
		t.Fatalf("next link without the sort: %s", next)
	}
	wantOutcome(t, c.Do("GET", strings.Replace(next, "_sort=status", "_sort=-authoredon", 1), nil), http.StatusUnprocessableEntity, "invalid")
	wantOutcome(t, c.Do("GET", strings.Replace(next, "&_sort=status", "", 1), nil), http.StatusUnprocessableEntity, "invalid")
	wantOutcome(t, c.DoHeader("GET", "/fhir/R4/MedicationRequest?patient="+x.patient+"&_sort=intent", nil, map[string]string{"Prefer": "handling=strict"}), http.StatusBadRequest, "invalid")
}
