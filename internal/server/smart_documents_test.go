package server_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

// SMART scopes on documents: a Binary (a document's PDF) is read with a
// Binary or DocumentReference scope; patient/ scopes reach the launch
// patient's documents and PDFs only.
func TestSMARTDocuments(t *testing.T) {
	t.Parallel()
	w := newSMARTWorld(t)
	doctor := w.d.c[medic.RoleDoctor]
	sickNote := func(patient string) string {
		enc := want(t, doctor.Do("POST", w.d.base+"/encounters", map[string]any{"patient_id": patient, "practitioner_id": w.d.practitioner,
			"location_id": w.d.loc.ID}), http.StatusCreated).Str("id")
		now := w.env.Clock.Now()
		return "sicknote-" + want(t, doctor.Do("POST", w.d.base+"/sick-notes", map[string]any{"encounter_id": enc, "examined_at": now.Add(-time.Minute).Format(time.RFC3339),
			"basis": "examined", "from": now.Format(time.DateOnly), "to": now.Format(time.DateOnly), "fitness": "unfit"}), http.StatusCreated).Str("id")
	}
	nx, ny := sickNote(w.x), sickNote(w.y)
	isPDF := func(r *servertest.Response) bool {
		return r.Status == http.StatusOK && r.Header.Get("Content-Type") == "application/pdf" && bytes.HasPrefix(r.Body, []byte("%PDF-"))
	}

	px := w.fhir(t, w.accessToken(t, doctor, "launch/patient patient/*.rs", w.x).Str("access_token"))
	want(t, px.Do("GET", "/fhir/R4/DocumentReference/"+nx, nil), http.StatusOK)
	if r := px.DoHeader("GET", "/fhir/R4/Binary/"+nx, nil, map[string]string{"Accept": "application/pdf"}); !isPDF(r) {
		t.Errorf("X's PDF with X's token: %d %.200s", r.Status, r.Body)
	}
	wantOutcome(t, px.Do("GET", "/fhir/R4/DocumentReference/"+ny, nil), http.StatusNotFound)
	wantOutcome(t, px.Do("GET", "/fhir/R4/Binary/"+ny, nil), http.StatusNotFound)
	wantOutcome(t, px.DoHeader("GET", "/fhir/R4/Binary/"+ny, nil, map[string]string{"Accept": "application/fhir+json"}), http.StatusNotFound)
	for _, path := range []string{"/fhir/R4/DocumentReference?patient=" + w.y, "/fhir/R4/DocumentReference"} {
		b := want(t, px.Do("GET", path, nil), http.StatusOK)
		if strings.Contains(string(b.Body), ny) || !strings.Contains(string(b.Body), nx) {
			t.Errorf("%s with X's token: %s", path, b.Body)
		}
	}

	// A DocumentReference scope reads the PDFs; a Patient scope neither.
	docs := w.fhir(t, w.accessToken(t, doctor, "user/DocumentReference.rs", "").Str("access_token"))
	if r := docs.Do("GET", "/fhir/R4/Binary/"+ny, nil); !isPDF(r) {
		t.Errorf("a PDF with a DocumentReference scope: %d %.200s", r.Status, r.Body)
	}
	charts := w.fhir(t, w.accessToken(t, doctor, "user/Patient.rs", "").Str("access_token"))
	wantOutcome(t, charts.Do("GET", "/fhir/R4/Binary/"+nx, nil), http.StatusForbidden)
	wantOutcome(t, charts.Do("GET", "/fhir/R4/DocumentReference/"+nx, nil), http.StatusForbidden)
}
