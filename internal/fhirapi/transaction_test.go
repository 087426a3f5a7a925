package fhirapi_test

import (
	"net/http"
	"strings"
	"testing"
)

func transactionBody(entries ...map[string]any) map[string]any {
	es := make([]any, len(entries))
	for i, e := range entries {
		es[i] = e
	}
	return map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": es}
}

func txEntry(fullURL, typ string, res map[string]any) map[string]any {
	e := map[string]any{"resource": res, "request": map[string]any{"method": "POST", "url": typ}}
	if fullURL != "" {
		e["fullUrl"] = fullURL
	}
	return e
}

// apptFor is an Appointment whose patient is referenced as ref (a
// urn:uuid of the same Bundle).
func apptFor(ref, practitioner, location, typ, start string) map[string]any {
	b := appointmentBody("x", practitioner, location, typ, start)
	b["participant"].([]any)[0].(map[string]any)["actor"] = map[string]any{"reference": ref}
	return b
}

// TestTransaction: a Bundle of a new Patient and its Appointment commits
// both or neither: a full slot rolls the new chart back; urn:uuid
// references resolve; another practice's ids are not found.
func TestTransaction(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	pr, typ := f.scheduling(t)
	c := f.tokens["receptionist"]
	charts := func(family string) string {
		t.Helper()
		return f.query(t, `SELECT count(*)::text FROM patients WHERE family_name = $1`, family)[0]
	}
	const uuid = "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"

	// The appointment first in the Bundle, its patient after: resolved all the same.
	r := want(t, c.Do("POST", "/fhir/R4", transactionBody(
		txEntry("", "Appointment", apptFor(uuid, pr, f.locA.ID, typ, "2030-03-07T09:00:00+02:00")),
		txEntry(uuid, "Patient", patientBody("Sipho", "Transact", "1980-04-04", "male", nil)),
	)), http.StatusOK)
	if r.Str("type") != "transaction-response" || r.Str("entry.0.response.status") != "201 Created" || r.Str("entry.1.response.status") != "201 Created" {
		t.Fatalf("response: %s", r)
	}
	patient := r.Str("entry.1.resource.id")
	if !strings.HasPrefix(r.Str("entry.1.response.location"), "Patient/"+patient+"/_history/") || r.Str("entry.1.response.etag") == "" {
		t.Errorf("patient entry: %s", r)
	}
	appt := want(t, c.Do("GET", "/fhir/R4/"+strings.Split(r.Str("entry.0.response.location"), "/_history/")[0], nil), http.StatusOK)
	if appt.Str("participant.0.actor.reference") != "Patient/"+patient {
		t.Errorf("the appointment's patient: %s", appt)
	}
	want(t, c.Do("GET", "/fhir/R4/Patient/"+patient, nil), http.StatusOK)

	// The same slot again (capacity 1) with a new chart: 409, and the chart
	// is not kept.
	wantOutcome(t, c.Do("POST", "/fhir/R4", transactionBody(
		txEntry(uuid, "Patient", patientBody("Thabo", "Rollback", "1981-05-05", "male", nil)),
		txEntry("", "Appointment", apptFor(uuid, pr, f.locA.ID, typ, "2030-03-07T09:00:00+02:00")),
	)), http.StatusConflict, "conflict")
	if n := charts("Rollback"); n != "0" {
		t.Errorf("the full slot left %s charts behind", n)
	}
	if n := f.query(t, `SELECT count(*)::text FROM resource_versions WHERE snapshot->>'family_name' = 'Rollback'`)[0]; n != "0" {
		t.Errorf("the full slot left %s chart versions behind", n)
	}
	// An invalid appointment after a valid patient: nothing kept either.
	bad := apptFor(uuid, pr, f.locA.ID, typ, "2030-03-07T09:30:00+02:00")
	bad["status"] = "fulfilled"
	wantOutcome(t, c.Do("POST", "/fhir/R4", transactionBody(
		txEntry(uuid, "Patient", patientBody("Lindiwe", "Rollback", "1982-06-06", "female", nil)), txEntry("", "Appointment", bad),
	)), http.StatusUnprocessableEntity, "invalid")
	if n := charts("Rollback"); n != "0" {
		t.Errorf("an invalid appointment left %s charts behind", n)
	}
	// Practice B cannot book A's practitioner, and its new chart goes too.
	wantOutcome(t, f.tokens["adminB"].Do("POST", "/fhir/R4", transactionBody(
		txEntry(uuid, "Patient", patientBody("Bheki", "Crossing", "1983-07-07", "male", nil)),
		txEntry("", "Appointment", apptFor(uuid, pr, f.locA.ID, typ, "2030-03-07T10:00:00+02:00")),
	)), http.StatusUnprocessableEntity, "invalid") // as a create: "Choose a practitioner of this practice."
	if n := charts("Crossing"); n != "0" {
		t.Errorf("B's failed transaction left %s charts", n)
	}
	// Only Patient and Appointment creates; a batch is not a transaction.
	wantOutcome(t, c.Do("POST", "/fhir/R4", transactionBody(txEntry("", "Encounter", map[string]any{"resourceType": "Encounter"}))), http.StatusBadRequest, "invalid")
	wantOutcome(t, c.Do("POST", "/fhir/R4", map[string]any{"resourceType": "Bundle", "type": "batch"}), http.StatusBadRequest, "invalid")
	wantOutcome(t, c.Do("POST", "/fhir/R4", transactionBody(txEntry("", "Patient", map[string]any{"resourceType": "Patient", "nickname": "x"}))), http.StatusBadRequest, "invalid")
	// Roles still apply inside: billing may not create charts.
	wantOutcome(t, f.tokens["billing"].Do("POST", "/fhir/R4", transactionBody(txEntry("", "Patient", patientBody("Bill", "Rollback", "1984-08-08", "male", nil)))), http.StatusForbidden, "forbidden")
	if n := charts("Rollback"); n != "0" {
		t.Errorf("%s charts", n)
	}
	if !strings.Contains(string(want(t, c.Do("GET", "/fhir/R4/metadata", nil), http.StatusOK).Body), `"interaction":[{"code":"transaction"`) {
		t.Error("metadata lists no transaction")
	}
}
