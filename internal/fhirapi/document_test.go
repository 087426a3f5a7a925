package fhirapi_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"medic/internal/fhir"
)

func TestDocumentReference(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	x := f.clinical(t)
	// The practitioner is the doctor's: prescriptions and referrals name
	// it as their author.
	member := f.query(t, `SELECT m.id::text FROM members m JOIN users u ON u.id = m.user_id WHERE u.email = 'doctor@alpha.example'`)[0]
	admin := f.env.Login(t, "admin@alpha.example", pw)
	want(t, admin.Do("PATCH", "/api/v1/practices/alpha/practitioners/"+x.practitioner, map[string]any{"member_id": member}), http.StatusOK)
	doc := f.env.Login(t, "doctor@alpha.example", pw)
	base := "/api/v1/practices/alpha"
	sickNote := func() string {
		t.Helper()
		now := f.env.Clock.Now()
		return want(t, doc.Do("POST", base+"/sick-notes", map[string]any{"encounter_id": x.encounter, "examined_at": now.Add(-time.Minute).Format(time.RFC3339),
			"basis": "examined", "from": now.Format(time.DateOnly), "to": now.AddDate(0, 0, 2).Format(time.DateOnly), "fitness": "unfit"}), http.StatusCreated).Str("id")
	}
	step := func() { f.env.Clock.Advance(10 * time.Minute) }

	note1 := "sicknote-" + sickNote()
	step()
	f.prescribe(t, x.encounter, "paracetamol%20500")
	rx := "prescription-" + want(t, doc.Do("GET", base+"/prescriptions?patient="+x.patient, nil), http.StatusOK).Str("items.0.id")
	step()
	ref := "referral-" + want(t, doc.Do("POST", base+"/encounters/"+x.encounter+"/referrals", map[string]any{"kind": "external", "to_name": "Dr P. Naidoo",
		"urgency": "routine", "reason": "Cardiology opinion"}), http.StatusCreated).Str("id")
	step()
	cancelledAt := f.env.Clock.Now()
	step()
	note2 := sickNote()
	want(t, doc.Do("POST", base+"/sick-notes/"+note2+"/cancel", map[string]any{"reason": "Wrong dates"}), http.StatusOK)
	note2 = "sicknote-" + note2
	all := []string{note2, ref, rx, note1} // newest first

	nurse := f.tokens["nurse"]
	search := func(c string, q string) []string {
		t.Helper()
		return idsOf(entries(t, want(t, f.tokens[c].Do("GET", "/fhir/R4/DocumentReference?"+q, nil), http.StatusOK)))
	}
	if got := search("nurse", "patient="+x.patient); !slices.Equal(got, all) {
		t.Errorf("by patient: %v, want %v", got, all)
	}
	var paged []string
	next := "/fhir/R4/DocumentReference?patient=Patient/" + x.patient + "&_count=3"
	for pages := 0; next != ""; pages++ {
		p := want(t, nurse.Do("GET", next, nil), http.StatusOK)
		paged = append(paged, idsOf(entries(t, p))...)
		next = link(p, "next", f.env.URL)
		if pages > 3 {
			t.Fatal("paging does not end")
		}
	}
	if !slices.Equal(paged, all) {
		t.Errorf("paged: %v, want %v", paged, all)
	}
	for q, wantIDs := range map[string][]string{
		"type=57833-6":                               {rx},
		"type=" + fhir.LOINCSystem + "|104531-9":     {note2, note1},
		"type=57133-1,57833-6":                       {ref, rx},
		"type=http://snomed.info/sct|57833-6":        nil,
		"status=entered-in-error":                    {note2},
		"status=current":                             {ref, rx, note1},
		"status=superseded":                          nil,
		"date=lt" + cancelledAt.Format(time.RFC3339): {ref, rx, note1},
		"date=ge" + cancelledAt.Format(time.RFC3339) + "&status=current": nil,
	} {
		if got := search("nurse", "patient="+x.patient+"&"+q); !slices.Equal(got, wantIDs) {
			t.Errorf("%s: %v, want %v", q, got, wantIDs)
		}
	}
	if n := want(t, nurse.Do("GET", "/fhir/R4/DocumentReference?patient="+x.patient+"&_summary=count", nil), http.StatusOK).Get("total"); n != 4.0 {
		t.Errorf("count: %v", n)
	}

	// Reads: the kind's code, the chart, the author, the visit, the PDF's
	// address; a cancelled sick note is entered-in-error.
	r := want(t, nurse.Do("GET", "/fhir/R4/DocumentReference/"+rx, nil), http.StatusOK)
	if r.Str("status") != "current" || r.Str("docStatus") != "final" || r.Str("type.coding.0.code") != "57833-6" || r.Str("subject.reference") != "Patient/"+x.patient ||
		r.Str("author.0.reference") != "Practitioner/"+x.practitioner || r.Str("context.encounter.0.reference") != "Encounter/"+x.encounter ||
		r.Str("content.0.attachment.url") != "Binary/"+rx || r.Str("content.0.attachment.contentType") != "application/pdf" || r.Header.Get("ETag") == "" {
		t.Errorf("prescription: %s", r)
	}
	if r := want(t, nurse.Do("GET", "/fhir/R4/DocumentReference/"+note2, nil), http.StatusOK); r.Str("status") != "entered-in-error" || r.Str("type.coding.0.code") != "104531-9" {
		t.Errorf("cancelled sick note: %s", r)
	}
	if r := want(t, nurse.Do("GET", "/fhir/R4/DocumentReference/"+ref, nil), http.StatusOK); r.Str("docStatus") != "preliminary" || r.Str("author.0.reference") != "Practitioner/"+x.practitioner {
		t.Errorf("draft referral: %s", r)
	}

	// Binary: the PDF itself, or as a resource; each download audited.
	downloads := func(action string) int {
		n, _ := strconv.Atoi(f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = $1`, action)[0])
		return n
	}
	before := downloads("sick_note.pdf_downloaded")
	for _, accept := range []string{"application/pdf", "*/*", ""} {
		p := nurse.DoHeader("GET", "/fhir/R4/Binary/"+note1, nil, map[string]string{"Accept": accept})
		if p.Status != http.StatusOK || p.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(p.Body, []byte("%PDF-")) ||
			p.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Accept %q: %d %v", accept, p.Status, p.Header)
		}
	}
	if n := downloads("sick_note.pdf_downloaded") - before; n != 3 {
		t.Errorf("%d audit events for 3 downloads", n)
	}
	b := want(t, nurse.DoHeader("GET", "/fhir/R4/Binary/"+rx, nil, map[string]string{"Accept": "application/fhir+json"}), http.StatusOK)
	data, err := base64.StdEncoding.DecodeString(b.Str("data"))
	if b.Str("resourceType") != "Binary" || b.Str("contentType") != "application/pdf" || err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) ||
		b.Str("securityContext.reference") != "DocumentReference/"+rx || b.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Binary as JSON: %.300s", b)
	}
	want(t, nurse.Do("GET", "/fhir/R4/Binary/"+ref+"?_format=json", nil), http.StatusOK)
	wantOutcome(t, nurse.DoHeader("GET", "/fhir/R4/Binary/"+note1, nil, map[string]string{"Accept": "text/html"}), http.StatusNotAcceptable, "not-supported")

	// _include the chart; $everything lists them.
	inc := entries(t, want(t, nurse.Do("GET", "/fhir/R4/DocumentReference?patient="+x.patient+"&_include=DocumentReference:patient", nil), http.StatusOK))
	if len(inc) != 5 || inc[4]["resourceType"] != "Patient" || inc[4]["id"] != x.patient {
		t.Errorf("_include: %v", idsOf(inc))
	}
	var inEverything []string
	for _, e := range entries(t, want(t, nurse.Do("GET", "/fhir/R4/Patient/"+x.patient+"/$everything", nil), http.StatusOK)) {
		if e["resourceType"] == "DocumentReference" {
			inEverything = append(inEverything, e["id"].(string))
		}
	}
	if !slices.Equal(inEverything, all) {
		t.Errorf("$everything: %v", inEverything)
	}

	// Roles: a receptionist reads sick notes only; billing none.
	rec := f.tokens["receptionist"]
	if got := search("receptionist", "patient="+x.patient); !slices.Equal(got, []string{note2, note1}) {
		t.Errorf("receptionist's search: %v", got)
	}
	want(t, rec.Do("GET", "/fhir/R4/DocumentReference/"+note1, nil), http.StatusOK)
	want(t, rec.DoHeader("GET", "/fhir/R4/Binary/"+note1, nil, map[string]string{"Accept": "application/fhir+json"}), http.StatusOK)
	for _, p := range []string{"DocumentReference/" + rx, "DocumentReference/" + ref, "Binary/" + rx, "Binary/" + ref, "DocumentReference?type=57833-6"} {
		wantOutcome(t, rec.Do("GET", "/fhir/R4/"+p, nil), http.StatusForbidden, "forbidden")
	}
	wantOutcome(t, f.tokens["billing"].Do("GET", "/fhir/R4/DocumentReference?patient="+x.patient, nil), http.StatusForbidden, "forbidden")

	// Another practice: 404 for each, nothing listed.
	b2 := f.tokens["adminB"]
	for _, id := range all {
		wantOutcome(t, b2.Do("GET", "/fhir/R4/DocumentReference/"+id, nil), http.StatusNotFound, "not-found")
		wantOutcome(t, b2.Do("GET", "/fhir/R4/Binary/"+id, nil), http.StatusNotFound, "not-found")
	}
	if got := search("adminB", "patient="+x.patient); len(got) != 0 {
		t.Errorf("practice B lists A's by patient: %v", got)
	}
	if got := search("adminB", ""); len(got) != 0 {
		t.Errorf("practice B lists A's: %v", got)
	}
	if n := want(t, b2.Do("GET", "/fhir/R4/DocumentReference?_summary=count", nil), http.StatusOK).Get("total"); n != 0.0 {
		t.Errorf("practice B counts A's: %v", n)
	}

	// Bad ids and searches.
	for _, id := range []string{"not-an-id", "sicknote-00000000-0000-4000-8000-000000000000", "letter-00000000-0000-4000-8000-000000000000"} {
		wantOutcome(t, nurse.Do("GET", "/fhir/R4/DocumentReference/"+id, nil), http.StatusNotFound, "not-found")
		wantOutcome(t, nurse.Do("GET", "/fhir/R4/Binary/"+id, nil), http.StatusNotFound, "not-found")
	}
	wantOutcome(t, nurse.Do("GET", "/fhir/R4/DocumentReference?status=final", nil), http.StatusBadRequest, "invalid")
	wantOutcome(t, nurse.Do("GET", "/fhir/R4/DocumentReference?date=yesterday", nil), http.StatusBadRequest, "invalid")

	// One audit event per read and per search page.
	viewed := downloads("prescription.viewed")
	want(t, nurse.Do("GET", "/fhir/R4/DocumentReference/"+rx, nil), http.StatusOK)
	if n := downloads("prescription.viewed") - viewed; n != 1 {
		t.Errorf("%d audit events for a read", n)
	}
	listed := func() int {
		n, _ := strconv.Atoi(f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = 'document.listed' AND patient_id = $1`, x.patient)[0])
		return n
	}
	before = listed()
	search("nurse", "patient="+x.patient)
	if n := listed() - before; n != 1 {
		t.Errorf("%d audit events for a search page", n)
	}
}
