package fhirapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHistory: every change of a chart or an appointment keeps a version
// (migration 0020), served by vread and instance history; another
// practice's are 404.
func TestHistory(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	c := f.tokens["receptionist"]
	created := want(t, c.Do("POST", "/fhir/R4/Patient", patientBody("Naledi", "First", "1991-01-01", "female", nil)), http.StatusCreated)
	id, v1 := created.Str("id"), created.Str("meta.versionId")
	// The create's Location names its version: it reads.
	if loc := created.Header.Get("Location"); !strings.HasSuffix(loc, "/Patient/"+id+"/_history/"+v1) {
		t.Fatalf("Location %q", loc)
	}
	if r := want(t, c.Do("GET", strings.TrimPrefix(created.Header.Get("Location"), f.env.URL), nil), http.StatusOK); r.Str("name.0.family") != "First" {
		t.Errorf("vread of the create: %s", r)
	}
	f.env.Clock.Advance(time.Minute)
	upd := created.JSON
	upd["name"] = []any{map[string]any{"family": "Second", "given": []any{"Naledi"}}}
	v2 := want(t, c.DoHeader("PUT", "/fhir/R4/Patient/"+id, upd, map[string]string{"If-Match": `W/"` + v1 + `"`}), http.StatusOK).Str("meta.versionId")
	f.env.Clock.Advance(time.Minute)
	want(t, f.tokens["admin"].Do("DELETE", "/fhir/R4/Patient/"+id, nil), http.StatusNoContent)
	v3 := want(t, c.Do("GET", "/fhir/R4/Patient/"+id, nil), http.StatusOK).Str("meta.versionId")
	if v1 == v2 || v2 == v3 {
		t.Fatalf("versions %s %s %s", v1, v2, v3)
	}

	h := want(t, c.Do("GET", "/fhir/R4/Patient/"+id+"/_history", nil), http.StatusOK)
	var got []string
	for _, e := range h.JSON["entry"].([]any) {
		got = append(got, e.(map[string]any)["resource"].(map[string]any)["meta"].(map[string]any)["versionId"].(string))
	}
	if h.Str("type") != "history" || !slices.Equal(got, []string{v3, v2, v1}) || h.Get("total") != float64(3) ||
		h.Str("entry.2.request.method") != "POST" || h.Str("entry.0.request.method") != "PUT" || h.Get("entry.0.resource.active") != false {
		t.Errorf("history %v: %s", got, h)
	}
	if r := want(t, c.Do("GET", "/fhir/R4/Patient/"+id+"/_history/"+v1, nil), http.StatusOK); r.Str("name.0.family") != "First" || r.Header.Get("ETag") != `W/"`+v1+`"` {
		t.Errorf("vread v1: %s", r)
	}
	if r := want(t, c.Do("GET", "/fhir/R4/Patient/"+id+"/_history/"+v2, nil), http.StatusOK); r.Str("name.0.family") != "Second" {
		t.Errorf("vread v2: %s", r)
	}
	wantOutcome(t, c.Do("GET", "/fhir/R4/Patient/"+id+"/_history/123", nil), http.StatusNotFound, "not-found")
	// Audited as a view of the chart.
	if n := f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = 'patient.history_viewed' AND patient_id = $1`, id)[0]; n == "0" {
		t.Error("history not audited")
	}

	// Appointments: booked, then cancelled.
	pr, typ := f.scheduling(t)
	patient := want(t, c.Do("POST", "/fhir/R4/Patient", patientBody("Musa", "Booked", "1992-02-02", "male", nil)), http.StatusCreated).Str("id")
	booked := want(t, c.Do("POST", "/fhir/R4/Appointment", appointmentBody(patient, pr, f.locA.ID, typ, "2030-03-07T09:00:00+02:00")), http.StatusCreated)
	appt, a1 := booked.Str("id"), booked.Str("meta.versionId")
	f.env.Clock.Advance(time.Minute)
	au := booked.JSON
	au["status"] = "cancelled"
	au["cancelationReason"] = map[string]any{"text": "Patient asked"}
	a2 := want(t, c.DoHeader("PUT", "/fhir/R4/Appointment/"+appt, au, map[string]string{"If-Match": `W/"` + a1 + `"`}), http.StatusOK).Str("meta.versionId")
	ah := want(t, c.Do("GET", "/fhir/R4/Appointment/"+appt+"/_history", nil), http.StatusOK)
	if ah.Get("total") != float64(2) || ah.Str("entry.0.resource.status") != "cancelled" || ah.Str("entry.1.resource.status") != "booked" {
		t.Errorf("appointment history: %s", ah)
	}
	if r := want(t, c.Do("GET", "/fhir/R4/Appointment/"+appt+"/_history/"+a1, nil), http.StatusOK); r.Str("status") != "booked" {
		t.Errorf("appointment vread %s: %s", a1, r)
	}
	want(t, c.Do("GET", "/fhir/R4/Appointment/"+appt+"/_history/"+a2, nil), http.StatusOK)

	// Practice B: 404 for all of it; its database rows hold none of A's.
	b := f.tokens["adminB"]
	for _, p := range []string{"/fhir/R4/Patient/" + id + "/_history", "/fhir/R4/Patient/" + id + "/_history/" + v1, "/fhir/R4/Appointment/" + appt + "/_history",
		"/fhir/R4/Appointment/" + appt + "/_history/" + a1} {
		wantOutcome(t, b.Do("GET", p, nil), http.StatusNotFound, "not-found")
	}
	if n := f.query(t, `SELECT count(*)::text FROM resource_versions WHERE id = $1 AND practice_id <> $2`, id, f.A.ID)[0]; n != "0" {
		t.Errorf("A's chart has %s versions outside A", n)
	}
	meta := string(want(t, c.Do("GET", "/fhir/R4/metadata", nil), http.StatusOK).Body)
	if strings.Count(meta, `{"code":"vread"}`) != 2 || strings.Count(meta, `{"code":"history-instance"}`) != 2 || !strings.Contains(meta, `"readHistory":true`) {
		t.Error("metadata lists no vread/history")
	}
}
