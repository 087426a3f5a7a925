package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"medic"
)

var sickNotePath = regexp.MustCompile(`^/sick-notes/([0-9a-f-]{36})`)

// TestSickNotesAtTheDesk: a doctor writes a sick note from a visit (the
// examination time filled in), is stopped from back-dating it, issues it
// over Easter (two working days of six); the note's page shows the days,
// the code and the verification link; the chart's Sick notes tab and
// timeline list it; a receptionist reads but cannot write one; a cancel
// needs a reason, and verification then says cancelled.
func TestSickNotesAtTheDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sast := time.FixedZone("SAST", 2*60*60)
	e.clock.Set(time.Date(2031, 4, 10, 9, 15, 0, 0, sast)) // Thursday before Good Friday
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Dr Naidoo"), medic.RoleDoctor)
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Thembi Desk"), medic.RoleReceptionist)
	cl := e.mustClinic(p, "Dr Naidoo")
	pt := e.mustPatient(p, "Ayanda", "Khoza", "1979-04-02")
	doc, desk := e.signIn("doc@sunrise.example"), e.signIn("desk@sunrise.example")
	visit := doc.post("/patients/"+pt.ID+"/walk-in", url.Values{"practitioner_id": {cl.pr.ID}, "location_id": {cl.loc.ID}, "stage": {"consultation"}})
	enc := encounterID(t, visit)
	wantContains(t, visit, `href="/encounters/`+enc+`/sick-notes/new">Sick note</a>`)
	wantNotContains(t, desk.get("/encounters/"+enc), ">Sick note</a>")
	wantStatus(t, desk.get("/encounters/"+enc+"/sick-notes/new"), http.StatusForbidden)

	form := doc.get("/encounters/" + enc + "/sick-notes/new")
	wantStatus(t, form, http.StatusOK)
	wantContains(t, form, `value="2031-04-10T09:15"`, `value="2031-04-10"`, "The patient consents to the diagnosis")

	note := url.Values{"examined_at": {"2031-04-10T09:15"}, "basis": {"examined"}, "fitness": {"unfit"}, "from": {"2031-04-09"}, "to": {"2031-04-15"}}
	r := doc.post("/encounters/"+enc+"/sick-notes/new", note)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "A sick note cannot start before the examination (2031-04-10).", `value="2031-04-15"`)
	note.Set("from", "2031-04-16")
	wantContains(t, doc.post("/encounters/"+enc+"/sick-notes/new", note), "The last day cannot be before the first.")

	note.Set("from", "2031-04-10")
	r = doc.post("/encounters/"+enc+"/sick-notes/new", note)
	wantStatus(t, r, http.StatusOK)
	m := sickNotePath.FindStringSubmatch(r.url)
	if m == nil {
		t.Fatalf("not a sick note page: %s", r.url)
	}
	wantContains(t, r, "Sick note issued.", "6 calendar days, 2 working days", "Totally unfit for work", "Not shown: the patient did not consent",
		"Verification code", `href="/verify/`, "Cancel this sick note", `href="/sick-notes/`+m[1]+`/pdf"`)
	code := regexp.MustCompile(`href="/verify/([0-9A-Z]{20})"`).FindStringSubmatch(r.body)
	if code == nil {
		t.Fatal("no verification link")
	}

	// The receptionist reads it (no cancel) and finds it on the chart.
	wantContains(t, desk.get(r.url), "6 calendar days", "Download PDF")
	wantNotContains(t, desk.get(r.url), "Cancel this sick note")
	wantContains(t, desk.get("/patients/"+pt.ID+"?tab=sick-notes"), `href="/sick-notes/`+m[1]+`"`, "10 Apr 2031 to 15 Apr 2031")
	wantStatus(t, desk.post("/sick-notes/"+m[1]+"/cancel", url.Values{"reason": {"Asked by the patient"}}), http.StatusForbidden)
	wantContains(t, doc.get("/patients/"+pt.ID), "Sick note: unfit for work from 2031-04-10 to 2031-04-15 (6 days)")

	pdf := desk.get("/sick-notes/" + m[1] + "/pdf")
	wantStatus(t, pdf, http.StatusOK)
	if pdf.header.Get("Content-Type") != "application/pdf" || pdf.header.Get("Cache-Control") != "no-store" || pdf.body[:5] != "%PDF-" {
		t.Errorf("PDF download: %v", pdf.header)
	}

	// Cancel: a reason is required; the public page then says cancelled.
	wantStatus(t, doc.post("/sick-notes/"+m[1]+"/cancel", url.Values{"reason": {""}}), http.StatusUnprocessableEntity)
	r = doc.post("/sick-notes/"+m[1]+"/cancel", url.Values{"reason": {"Wrong dates"}})
	wantContains(t, r, "Sick note cancelled.", "Wrong dates")
	wantNotContains(t, r, "Cancel this sick note")
	wantContains(t, e.client().get("/verify/"+code[1]), "This sick note was cancelled", "A. K.")
}
