package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"medic"
)

// searchPart is what the top bar's box gets while one types (htmx).
func (c *client) searchPart(q string) page {
	c.e.t.Helper()
	req, err := http.NewRequest("GET", c.e.srv.URL+"/search?q="+url.QueryEscape(q), nil)
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return page{status: resp.StatusCode, body: b.String(), url: "/search?q=" + q, header: resp.Header}
}

func TestSearchFromAnywhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Doc"), "doctor")
	other := e.mustPractice("harbour", "Harbour")
	e.mustPatient(other, "Thabo", "Mokoena", "2001-02-03") // another practice's: never found

	thabo := &medic.Patient{GivenName: "Thabo", FamilyName: "Mokoena", DateOfBirth: medic.NewDate(2001, 2, 3), Phone: "082 555 0100",
		IDNumber: saID("010203500908"), Allergies: []string{"Penicillin"}}
	if err := thabo.Validate(today()); err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreatePatient(tenantCtx(p), thabo); err != nil {
		t.Fatal(err)
	}
	e.mustPatient(p, "Lerato", "Dlamini", "1992-03-02")
	cl := e.mustClinic(p, "Dr Naidoo")
	ap := e.mustBook(p, cl, thabo, "09:00")

	desk := e.signIn("desk@sunrise.example")
	// The box is on every desk page.
	for _, path := range []string{"/", "/today", "/calendar", "/members"} {
		wantContains(t, desk.get(path), `id="desk-search"`, `hx-get="/search"`, `id="shortcuts"`)
	}
	for _, q := range []string{"mokeona", "Mokoena Thab", "2001-02-03", "03/02/2001", "3 Feb 2001", "082 555 0100", "+27825550100", thabo.IDNumber, "0102035"} {
		r := desk.searchPart(q)
		wantStatus(t, r, http.StatusOK)
		wantContains(t, r, `href="/patients/`+thabo.ID+`"`, "Mokoena, Thabo")
		wantNotContains(t, r, "<html", "Dlamini", "Penicillin") // a receptionist: no clinical content
		if strings.Count(r.body, `class="search-hit"`) != 1 {
			t.Errorf("%q: the other practice's chart or another chart was listed:\n%s", q, r.body)
		}
	}
	// An appointment by its reference, as printed on the appointment.
	ref := (&medic.Appointment{ID: ap.ID}).Reference()
	wantContains(t, desk.get("/appointments/"+ap.ID), ref)
	for _, q := range []string{ref, strings.ToLower(ref), "#" + ref} {
		r := desk.searchPart(q)
		wantContains(t, r, `href="/appointments/`+ap.ID+`"`, "Appointment "+ref, "Thabo Mokoena")
	}
	wantContains(t, desk.searchPart("zzzzqqq"), "Nothing found for")
	wantContains(t, desk.searchPart("1 Jan 1900"), "read as a date of birth")
	wantContains(t, desk.searchPart(strings.Repeat("a", 101)), "at most 100 characters")

	// A doctor sees the allergy beside the name.
	wantContains(t, e.signIn("doc@sunrise.example").searchPart("mokoena"), "Allergies: Penicillin")

	// Without script, the form opens the results page.
	r := desk.get("/search?q=" + url.QueryEscape("Mokoena"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "<html", `Results for “Mokoena”`, `href="/patients/`+thabo.ID+`"`)

	// What a search shows is audited: the chart is findable in the log.
	es, _, err := e.db.ListAuditEvents(tenantCtx(p), medic.AuditFilter{PatientID: thabo.ID}, medic.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		t.Error("no audit event names the chart the search showed")
	}
}
