package fhirapi_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestAuditEvents: the practice's log as AuditEvent, read-only, admins
// only; the member and its API token are the agents; practice B never
// sees A's events.
func TestAuditEvents(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	doctor := f.tokens["doctor"]
	pat := want(t, doctor.Do("POST", "/fhir/R4/Patient", patientBody("Lerato", "Khumalo", "1988-02-03", "female", nil)), http.StatusCreated).Str("id")
	want(t, doctor.Do("GET", "/fhir/R4/Patient/"+pat, nil), http.StatusOK)
	doctorID := f.query(t, `SELECT id::text FROM users WHERE email = 'doctor@alpha.example'`)[0]
	tokenIDs := f.query(t, `SELECT id::text FROM api_tokens WHERE user_id = $1`, doctorID)

	admin := f.tokens["admin"]
	evs := entries(t, want(t, admin.Do("GET", "/fhir/R4/AuditEvent?patient=Patient/"+pat, nil), http.StatusOK))
	var viewed map[string]any
	subtypes := []string{}
	for _, e := range evs {
		st := e["subtype"].([]any)[0].(map[string]any)["code"].(string)
		subtypes = append(subtypes, st)
		if st == "patient.viewed" && viewed == nil {
			viewed = e
		}
	}
	if !slices.Contains(subtypes, "patient.created") || viewed == nil {
		t.Fatalf("the chart's events: %v", subtypes)
	}
	agents := viewed["agent"].([]any)
	who := agents[0].(map[string]any)["who"].(map[string]any)
	if who["identifier"].(map[string]any)["value"] != doctorID || agents[0].(map[string]any)["requestor"] != true || viewed["action"] != "R" {
		t.Errorf("the member agent: %v", viewed)
	}
	if len(agents) != 2 || !slices.Contains(tokenIDs, agents[1].(map[string]any)["who"].(map[string]any)["identifier"].(map[string]any)["value"].(string)) {
		t.Errorf("the token agent: %v (tokens %v)", agents, tokenIDs)
	}
	if what := viewed["entity"].([]any)[0].(map[string]any)["what"].(map[string]any)["reference"]; what != "Patient/"+pat {
		t.Errorf("entity: %v", viewed["entity"])
	}
	id := viewed["id"].(string)
	if r := want(t, admin.Do("GET", "/fhir/R4/AuditEvent/"+id, nil), http.StatusOK); r.Str("subtype.0.code") != "patient.viewed" || r.Str("recorded") == "" {
		t.Errorf("read: %s", r)
	}
	for q, wantSome := range map[string]bool{"subtype=patient.viewed": true, "subtype=patient.": true, "subtype=order.": false, "action=C": true,
		"action=D": false, "date=ge2000-01-01": true, "date=lt2000-01-01": false, "agent=" + doctorID: true, "agent=00000000-0000-4000-8000-000000000000": false,
		"outcome=0": true, "outcome=8": false} {
		got := entries(t, want(t, admin.Do("GET", "/fhir/R4/AuditEvent?patient="+pat+"&"+q, nil), http.StatusOK))
		if (len(got) > 0) != wantSome {
			t.Errorf("AuditEvent?%s: %d events", q, len(got))
		}
		for _, e := range got {
			st := e["subtype"].([]any)[0].(map[string]any)["code"].(string)
			if (q == "subtype=patient.viewed" && st != "patient.viewed") || (q == "action=C" && e["action"] != "C") {
				t.Errorf("AuditEvent?%s holds %s %v", q, st, e["action"])
			}
		}
	}
	// Keyset pages: one event a page, newest first, no repeats.
	var seen []string
	next := "/fhir/R4/AuditEvent?patient=" + pat + "&_count=1"
	for next != "" && len(seen) < 10 {
		r := want(t, admin.Do("GET", next, nil), http.StatusOK)
		for _, id := range idsOf(entries(t, r)) {
			if slices.Contains(seen, id) {
				t.Fatalf("page repeats %s", id)
			}
			seen = append(seen, id)
		}
		next = link(r, "next", f.env.URL)
	}
	if len(seen) != len(evs) {
		t.Errorf("paged %d events, searched %d", len(seen), len(evs))
	}

	// Only admins read the log.
	for _, who := range []string{"doctor", "nurse", "receptionist", "billing"} {
		wantOutcome(t, f.tokens[who].Do("GET", "/fhir/R4/AuditEvent", nil), http.StatusForbidden, "forbidden")
		wantOutcome(t, f.tokens[who].Do("GET", "/fhir/R4/AuditEvent/"+id, nil), http.StatusForbidden, "forbidden")
	}
	// Practice B: A's event is 404, and none of its events is A's.
	b := f.tokens["adminB"]
	wantOutcome(t, b.Do("GET", "/fhir/R4/AuditEvent/"+id, nil), http.StatusNotFound, "not-found")
	if got := entries(t, want(t, b.Do("GET", "/fhir/R4/AuditEvent?patient="+pat, nil), http.StatusOK)); len(got) != 0 {
		t.Errorf("B sees A's chart's events: %v", idsOf(got))
	}
	aIDs := f.query(t, `SELECT id::text FROM audit_events WHERE practice_id = $1`, f.A.ID)
	for _, e := range entries(t, want(t, b.Do("GET", "/fhir/R4/AuditEvent?_count=200", nil), http.StatusOK)) {
		if slices.Contains(aIDs, e["id"].(string)) {
			t.Errorf("B sees A's event %s", e["id"])
		}
	}
}
