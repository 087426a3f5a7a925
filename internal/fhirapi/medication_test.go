package fhirapi_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"medic/internal/fhir"
)

// prescribe issues a prescription as A's doctor at the encounter, of the
// starter medicines found by the words, and returns its item ids.
func (f *fx) prescribe(t *testing.T, encounter string, words ...string) []string {
	t.Helper()
	doc := f.env.Login(t, "doctor@alpha.example", pw)
	base := "/api/v1/practices/alpha"
	var items []map[string]any
	for _, q := range words {
		id := want(t, doc.Do("GET", base+"/medicines?q="+q, nil), http.StatusOK).Str("items.0.id")
		items = append(items, map[string]any{"medicine_id": id, "dose": "500 mg", "route": "oral", "frequency": "tds", "duration_days": 5,
			"quantity": "15 tablets", "repeats": 1, "override_reason": "Reviewed with the patient."})
	}
	rx := want(t, doc.Do("POST", base+"/prescriptions", map[string]any{"encounter_id": encounter, "items": items}), http.StatusCreated)
	var out []string
	for i := range items {
		out = append(out, rx.Str("items."+strconv.Itoa(i)+".id"))
	}
	return out
}

func TestMedicationRequest(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	x := f.clinical(t)
	// The practitioner is the doctor's: the requester is a reference.
	member := f.query(t, `SELECT m.id::text FROM members m JOIN users u ON u.id = m.user_id WHERE u.email = 'doctor@alpha.example'`)[0]
	admin := f.env.Login(t, "admin@alpha.example", pw)
	want(t, admin.Do("PATCH", "/api/v1/practices/alpha/practitioners/"+x.practitioner, map[string]any{"member_id": member}), http.StatusOK)

	first := f.prescribe(t, x.encounter, "paracetamol%20500", "metformin")
	f.env.Clock.Advance(time.Hour)
	second := f.prescribe(t, x.encounter, "ibuprofen%20400")
	nurse := f.tokens["nurse"]

	r := want(t, nurse.Do("GET", "/fhir/R4/MedicationRequest/"+first[0], nil), http.StatusOK)
	if r.Str("status") != "active" || r.Str("intent") != "order" || r.Str("subject.reference") != "Patient/"+x.patient ||
		r.Str("encounter.reference") != "Encounter/"+x.encounter || r.Str("requester.reference") != "Practitioner/"+x.practitioner ||
		r.Str("medicationCodeableConcept.coding.0.system") != fhir.ATCSystem || r.Str("medicationCodeableConcept.coding.0.code") == "" ||
		r.Get("dispenseRequest.numberOfRepeatsAllowed") != 1.0 || r.Get("dispenseRequest.expectedSupplyDuration.value") != 5.0 ||
		r.Get("dosageInstruction.0.timing.repeat.frequency") != 3.0 || r.Header.Get("ETag") == "" {
		t.Errorf("read: %s", r)
	}

	// Search: newest first, items in order, paged by _count with next links.
	search := func(q string) []string {
		t.Helper()
		return idsOf(entries(t, want(t, nurse.Do("GET", "/fhir/R4/MedicationRequest?"+q, nil), http.StatusOK)))
	}
	all := append(append([]string{}, second...), first...)
	if got := search("patient=" + x.patient); !slices.Equal(got, all) {
		t.Errorf("by patient: %v, want %v", got, all)
	}
	var paged []string
	next := "/fhir/R4/MedicationRequest?patient=" + x.patient + "&_count=2"
	for next != "" {
		p := want(t, nurse.Do("GET", next, nil), http.StatusOK)
		paged = append(paged, idsOf(entries(t, p))...)
		next = link(p, "next", f.env.URL)
	}
	if !slices.Equal(paged, all) {
		t.Errorf("paged: %v, want %v", paged, all)
	}
	if got := search("encounter=" + x.encounter + "&status=active"); len(got) != 3 {
		t.Errorf("active at the encounter: %v", got)
	}
	if n := want(t, nurse.Do("GET", "/fhir/R4/MedicationRequest?patient="+x.patient+"&_summary=count", nil), http.StatusOK).Get("total"); n != 3.0 {
		t.Errorf("count: %v", n)
	}

	// Cancelled with the prescription; completed after the last day (5
	// days, one repeat).
	rxID := r.Str("groupIdentifier.value")
	want(t, f.env.Login(t, "doctor@alpha.example", pw).Do("POST", "/api/v1/practices/alpha/prescriptions/"+rxID+"/cancel", map[string]any{"reason": "Wrong dose"}), http.StatusOK)
	if got := search("patient=" + x.patient + "&status=cancelled"); !slices.Equal(got, first) {
		t.Errorf("cancelled: %v, want %v", got, first)
	}
	f.env.Clock.Advance(11 * 24 * time.Hour)
	if got := search("patient=" + x.patient + "&status=completed"); !slices.Equal(got, second) {
		t.Errorf("completed: %v, want %v", got, second)
	}
	if got := search("patient=" + x.patient + "&status=active"); len(got) != 0 {
		t.Errorf("active after the last day: %v", got)
	}

	// _include the chart; $everything lists them.
	inc := want(t, nurse.Do("GET", "/fhir/R4/MedicationRequest?patient="+x.patient+"&_include=MedicationRequest:patient", nil), http.StatusOK)
	if es := entries(t, inc); len(es) != 4 || es[3]["resourceType"] != "Patient" {
		t.Errorf("_include: %v", idsOf(es))
	}
	rev := entries(t, want(t, nurse.Do("GET", "/fhir/R4/Patient?_id="+x.patient+"&_revinclude=MedicationRequest:patient", nil), http.StatusOK))
	if got := idsOf(rev[1:]); len(rev) != 4 || rev[0]["id"] != x.patient || !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(all))) {
		t.Errorf("_revinclude on the chart: %v", idsOf(rev))
	}
	var inEverything []string
	for _, e := range entries(t, want(t, nurse.Do("GET", "/fhir/R4/Patient/"+x.patient+"/$everything", nil), http.StatusOK)) {
		if e["resourceType"] == "MedicationRequest" {
			inEverything = append(inEverything, e["id"].(string))
		}
	}
	if slices.Sort(inEverything); !slices.Equal(inEverything, slices.Sorted(slices.Values(all))) {
		t.Errorf("$everything: %v", inEverything)
	}

	// Bad searches; roles; another practice.
	wantOutcome(t, nurse.Do("GET", "/fhir/R4/MedicationRequest", nil), http.StatusBadRequest, "invalid")
	wantOutcome(t, nurse.Do("GET", "/fhir/R4/MedicationRequest?patient="+x.patient+"&status=on-hold", nil), http.StatusBadRequest, "invalid")
	wantOutcome(t, f.tokens["receptionist"].Do("GET", "/fhir/R4/MedicationRequest/"+first[0], nil), http.StatusForbidden, "forbidden")
	wantOutcome(t, f.tokens["adminB"].Do("GET", "/fhir/R4/MedicationRequest/"+first[0], nil), http.StatusNotFound, "not-found")
	if got := idsOf(entries(t, want(t, f.tokens["adminB"].Do("GET", "/fhir/R4/MedicationRequest?patient="+x.patient, nil), http.StatusOK))); len(got) != 0 {
		t.Errorf("practice B lists A's: %v", got)
	}
	wantOutcome(t, nurse.Do("GET", "/fhir/R4/MedicationRequest/not-an-id", nil), http.StatusNotFound, "not-found")

	// One audit event per read and per search page.
	before := f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = 'prescription.viewed'`)[0]
	want(t, nurse.Do("GET", "/fhir/R4/MedicationRequest/"+second[0], nil), http.StatusOK)
	if after := f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = 'prescription.viewed'`)[0]; after == before {
		t.Error("read not audited")
	}
	listed := func() int {
		n, _ := strconv.Atoi(f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = 'prescription.listed' AND patient_id = $1`, x.patient)[0])
		return n
	}
	before2 := listed()
	search("patient=" + x.patient)
	if after := listed(); after != before2+1 {
		t.Errorf("search audit: %d -> %d events", before2, after)
	}
}
