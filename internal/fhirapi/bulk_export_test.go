package fhirapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
	"medic/internal/server/servertest"
)

var asyncJSON = map[string]string{"Prefer": "respond-async", "Accept": "application/fhir+json"}

// kickOff starts an export and returns its status URL as a path.
func kickOff(t *testing.T, c *servertest.Client, path string) string {
	t.Helper()
	r := want(t, c.DoHeader("GET", path, nil, asyncJSON), http.StatusAccepted)
	loc := r.Header.Get("Content-Location")
	if !strings.HasPrefix(loc, c.Base+"/fhir/R4/bulkstatus/") {
		t.Fatalf("kick-off %s: Content-Location %q", path, loc)
	}
	return strings.TrimPrefix(loc, c.Base)
}

// exportManifest is the completed status answer, as a client reads it.
type exportManifest struct {
	TransactionTime     string `json:"transactionTime"`
	Request             string `json:"request"`
	RequiresAccessToken bool   `json:"requiresAccessToken"`
	Output              []struct {
		Type  string `json:"type"`
		URL   string `json:"url"`
		Count int    `json:"count"`
	} `json:"output"`
	Error []any `json:"error"`
}

// manifest polls a finished export.
func manifest(t *testing.T, c *servertest.Client, status string) exportManifest {
	t.Helper()
	r := c.Do("GET", status, nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status: %s", r)
	}
	var m exportManifest
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// download fetches every file of m and returns the resources by type,
// checking each line is a resource of its file's type and the counts.
func download(t *testing.T, c *servertest.Client, m exportManifest) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, f := range m.Output {
		r := c.DoHeader("GET", strings.TrimPrefix(f.URL, c.Base), nil, map[string]string{"Accept": "application/fhir+ndjson"})
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/fhir+ndjson" {
			t.Fatalf("download %s: %s", f.URL, r)
		}
		lines := bytes.Split(bytes.TrimSuffix(r.Body, []byte("\n")), []byte("\n"))
		if len(lines) != f.Count {
			t.Errorf("%s: %d lines, manifest says %d", f.URL, len(lines), f.Count)
		}
		for _, l := range lines {
			var res map[string]any
			if err := json.Unmarshal(l, &res); err != nil || res["resourceType"] != f.Type {
				t.Fatalf("%s: a line is not a %s: %s", f.URL, f.Type, l)
			}
			out[f.Type] = append(out[f.Type], res)
		}
	}
	return out
}

func TestBulkExport(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	x := f.clinical(t)
	rx := f.prescribe(t, x.encounter, "paracetamol%20500")
	admin, doctor, adminB := f.tokens["admin"], f.tokens["doctor"], f.tokens["adminB"]
	chartB := want(t, adminB.Do("POST", "/fhir/R4/Patient", patientBody("Bravo", "Only", "1970-01-01", "male", nil)), http.StatusCreated).Str("id")

	// The kick-off asks for an asynchronous answer and exported types.
	wantOutcome(t, admin.Do("GET", "/fhir/R4/$export", nil), http.StatusBadRequest, "invalid")
	wantOutcome(t, admin.DoHeader("GET", "/fhir/R4/$export?_type=Basic", nil, asyncJSON), http.StatusBadRequest, "invalid")
	wantOutcome(t, admin.DoHeader("GET", "/fhir/R4/$export?_since=yesterday", nil, asyncJSON), http.StatusBadRequest, "invalid")
	wantOutcome(t, admin.DoHeader("GET", "/fhir/R4/$export?_outputFormat=text/csv", nil, asyncJSON), http.StatusBadRequest, "invalid")
	wantOutcome(t, admin.DoHeader("GET", "/fhir/R4/Group/00000000-0000-4000-8000-000000000000/$export", nil, asyncJSON), http.StatusNotFound, "not-found")

	status := kickOff(t, admin, "/fhir/R4/$export")
	r := admin.Do("GET", status, nil)
	if r.Status != http.StatusAccepted || r.Header.Get("X-Progress") == "" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("before the job: %s %v", r, r.Header)
	}
	// Only the member who asked sees it.
	wantOutcome(t, doctor.Do("GET", status, nil), http.StatusNotFound, "not-found")
	wantOutcome(t, adminB.Do("GET", status, nil), http.StatusNotFound, "not-found")
	wantOutcome(t, doctor.Do("DELETE", status, nil), http.StatusNotFound, "not-found")

	f.env.RunBulkExport(t)
	m := manifest(t, admin, status)
	if !m.RequiresAccessToken || !strings.HasSuffix(m.Request, "/fhir/R4/$export") || m.TransactionTime != fhir.Instant(servertest.Start) || m.Error == nil {
		t.Errorf("manifest: %+v", m)
	}
	var types []string
	for _, o := range m.Output {
		types = append(types, o.Type)
	}
	if want := []string{"Patient", "Encounter", "Observation", "AllergyIntolerance", "Condition", "MedicationRequest", "DocumentReference",
		"Practitioner", "PractitionerRole", "Organization", "Location", "Schedule"}; !slices.Equal(types, want) {
		t.Errorf("exported types %v, want %v", types, want)
	}
	got := download(t, admin, m)
	// Every chart of A and none of B; A's records, nothing of B's.
	var charts []string
	for _, p := range got["Patient"] {
		charts = append(charts, p["id"].(string))
	}
	slices.Sort(charts)
	wantCharts := []string{x.nka, x.patient}
	slices.Sort(wantCharts)
	if !slices.Equal(charts, wantCharts) {
		t.Errorf("charts %v, want %v", charts, wantCharts)
	}
	if len(got["MedicationRequest"]) != 1 || got["MedicationRequest"][0]["id"] != rx[0] || len(got["Observation"]) != 6 || len(got["Condition"]) != 2 {
		t.Errorf("records: %d medication requests, %d observations, %d conditions", len(got["MedicationRequest"]), len(got["Observation"]), len(got["Condition"]))
	}
	if d := got["DocumentReference"]; len(d) != 1 || !strings.HasPrefix(d[0]["id"].(string), "prescription-") {
		t.Errorf("documents: %v", d)
	}
	// The practice's own resources: A's, none of B's.
	ids := func(typ string) []string {
		var out []string
		for _, r := range got[typ] {
			out = append(out, r["id"].(string))
		}
		return out
	}
	if !slices.Equal(ids("Organization"), []string{f.A.ID}) || !slices.Equal(ids("Practitioner"), []string{x.practitioner}) ||
		!slices.Equal(ids("PractitionerRole"), []string{x.practitioner}) || !slices.Equal(ids("Location"), []string{f.locA.ID}) || len(ids("Schedule")) != 1 {
		t.Errorf("practice resources: organization %v, practitioners %v, roles %v, locations %v, schedules %v",
			ids("Organization"), ids("Practitioner"), ids("PractitionerRole"), ids("Location"), ids("Schedule"))
	}
	for _, o := range m.Output {
		body := admin.Do("GET", strings.TrimPrefix(o.URL, admin.Base), nil).Body
		if bytes.Contains(body, []byte(chartB)) || bytes.Contains(body, []byte(f.B.ID)) {
			t.Errorf("%s holds practice B's data", o.URL)
		}
		// Another member of A and practice B's admin cannot download it.
		path := strings.TrimPrefix(o.URL, admin.Base)
		wantOutcome(t, doctor.Do("GET", path, nil), http.StatusNotFound, "not-found")
		wantOutcome(t, adminB.Do("GET", path, nil), http.StatusNotFound, "not-found")
	}
	// One event for the kick-off, one per download (two per file above).
	if n := f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = 'bulk_export.requested'`)[0]; n != "1" {
		t.Errorf("%s kick-off events", n)
	}
	if n := f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = 'bulk_export.downloaded'`)[0]; n != strconv.Itoa(2*len(m.Output)) {
		t.Errorf("%s download events for %d files fetched twice", n, len(m.Output))
	}

	// _type and _since: only the chart made since, and no Condition.
	f.env.Clock.Advance(time.Hour)
	since := fhir.Instant(f.env.Clock.Now())
	late := want(t, admin.Do("POST", "/fhir/R4/Patient", patientBody("Late", "Comer", "2001-02-03", "female", nil)), http.StatusCreated).Str("id")
	s2 := kickOff(t, admin, "/fhir/R4/Patient/$export?_type=Patient,Condition&_since="+since)
	f.env.RunBulkExport(t)
	m2 := manifest(t, admin, s2)
	if len(m2.Output) != 1 || m2.Output[0].Type != "Patient" || m2.Output[0].Count != 1 {
		t.Fatalf("_type and _since: %+v", m2.Output)
	}
	if p := download(t, admin, m2)["Patient"]; p[0]["id"] != late {
		t.Errorf("since %s: %v", since, p[0]["id"])
	}

	// The practice's resources when _type asks, at any level; a Patient
	// export without _type holds charts only.
	sp := kickOff(t, admin, "/fhir/R4/Patient/$export?_type=Location,Practitioner")
	f.env.RunBulkExport(t)
	var spTypes []string
	for _, o := range manifest(t, admin, sp).Output {
		spTypes = append(spTypes, o.Type)
	}
	if !slices.Equal(spTypes, []string{"Practitioner", "Location"}) {
		t.Errorf("Patient/$export?_type=Location,Practitioner wrote %v", spTypes)
	}
	sq := kickOff(t, admin, "/fhir/R4/Patient/$export")
	f.env.RunBulkExport(t)
	for _, o := range manifest(t, admin, sq).Output {
		if slices.Contains([]string{"Practitioner", "PractitionerRole", "Organization", "Location", "Schedule"}, o.Type) {
			t.Errorf("Patient/$export without _type wrote %s", o.Type)
		}
	}

	// A practitioner's group: the chart with an encounter with them.
	s3 := kickOff(t, admin, "/fhir/R4/Group/"+x.practitioner+"/$export?_type=Patient")
	f.env.RunBulkExport(t)
	if p := download(t, admin, manifest(t, admin, s3))["Patient"]; len(p) != 1 || p[0]["id"] != x.patient {
		t.Errorf("group of the practitioner: %v", p)
	}

	// DELETE cancels: before it runs (the job then does nothing), and
	// after (the files go).
	s4 := kickOff(t, admin, "/fhir/R4/$export")
	want(t, admin.Do("DELETE", s4, nil), http.StatusAccepted)
	wantOutcome(t, admin.Do("GET", s4, nil), http.StatusNotFound, "not-found")
	f.env.RunBulkExport(t)
	want(t, admin.Do("DELETE", status, nil), http.StatusAccepted)
	wantOutcome(t, admin.Do("GET", strings.TrimPrefix(m.Output[0].URL, admin.Base), nil), http.StatusNotFound, "not-found")
	if n := f.query(t, `SELECT count(*)::text FROM bulk_export_files WHERE export_id = $1`, strings.TrimPrefix(status, "/fhir/R4/bulkstatus/"))[0]; n != "0" {
		t.Errorf("%s files left after the cancel", n)
	}

	// An export that errs is retried, and fails on its last attempt with a
	// reason that names no internals.
	s6 := kickOff(t, admin, "/fhir/R4/Patient/$export")
	job := medic.BulkExportJob{PracticeID: f.A.ID, ExportID: strings.TrimPrefix(s6, "/fhir/R4/bulkstatus/")}
	broken := app.ExportEncoder{Chart: func(context.Context, *app.PatientRecord) ([]app.ExportResource, error) {
		return nil, errors.New("disk full")
	}}
	if err := f.env.App.RunBulkExport(t.Context(), job, false, broken); err == nil {
		t.Error("an early attempt's error is not returned for a retry")
	}
	if err := f.env.App.RunBulkExport(t.Context(), job, true, broken); err != nil {
		t.Errorf("final attempt: %v", err)
	}
	if r := wantOutcome(t, admin.Do("GET", s6, nil), http.StatusInternalServerError, "exception"); bytes.Contains(r.Body, []byte("disk")) {
		t.Errorf("failure leaks its cause: %s", r)
	}
	f.env.RunBulkExport(t) // the queued job finds it finished

	// A requester who leaves the practice before the job runs gets nothing.
	s7 := kickOff(t, f.tokens["nurse"], "/fhir/R4/$export")
	nurse := f.query(t, `SELECT m.id::text FROM members m JOIN users u ON u.id = m.user_id WHERE u.email = 'nurse@alpha.example'`)[0]
	want(t, f.env.Login(t, "admin@alpha.example", pw).Do("DELETE", "/api/v1/practices/alpha/members/"+nurse, nil), http.StatusNoContent)
	f.env.RunBulkExport(t)
	if st := f.query(t, `SELECT status || ' ' || (SELECT count(*) FROM bulk_export_files WHERE export_id = e.id) FROM bulk_exports e WHERE id = $1`,
		strings.TrimPrefix(s7, "/fhir/R4/bulkstatus/"))[0]; st != "failed 0" {
		t.Errorf("the export of a member who left: %s", st)
	}

	// A role that reads no clinical records exports charts only.
	s5 := kickOff(t, f.tokens["receptionist"], "/fhir/R4/$export")
	f.env.RunBulkExport(t)
	for _, o := range manifest(t, f.tokens["receptionist"], s5).Output {
		if !slices.Contains([]string{"Patient", "Appointment", "Practitioner", "PractitionerRole", "Organization", "Location", "Schedule"}, o.Type) {
			t.Errorf("the receptionist's export holds %s", o.Type)
		}
	}
}
