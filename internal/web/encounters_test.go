package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"medic"
)

// htmxPost posts a form as htmx does (the autosave, the queue's buttons).
func (c *client) htmxPost(path string, f url.Values) page {
	c.e.t.Helper()
	req, err := http.NewRequest("POST", c.e.srv.URL+path, strings.NewReader(f.Encode()))
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	resp, err := c.noJump.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(b), url: path, header: resp.Header}
}

var encounterPath = regexp.MustCompile(`^/encounters/([0-9a-f-]{36})`)

// encounterID is the encounter a page's address names.
func encounterID(t *testing.T, p page) string {
	t.Helper()
	m := encounterPath.FindStringSubmatch(p.url)
	if m == nil {
		t.Fatalf("not an encounter page: %s", p.url)
	}
	return m[1]
}

// TestEncounterDesk: a consultation at the desk, from Today's "Start
// consultation" to the addendum: autosave with its status and version
// guard, a template, finishing with a confirmation, the locked note beside
// its addenda; reception sees the queue but never the note.
func TestEncounterDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Dr Naidoo"), medic.RoleDoctor)
	e.mustMember(p, e.mustUser("nurse@sunrise.example", "Sister Dube"), medic.RoleNurse)
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), medic.RoleReceptionist)
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), medic.RoleAdmin)
	cl := e.mustClinic(p, "Dr Naidoo")
	e.clock.Set(cl.at("07:50"))
	pt := e.mustPatient(p, "Ayanda", "Khoza", "1979-04-02")
	ap := e.mustBook(p, cl, pt, "08:00")
	e.setStatus(p, ap.ID, medic.StatusCheckedIn, "")
	doc, nurse, desk, admin := e.signIn("doc@sunrise.example"), e.signIn("nurse@sunrise.example"), e.signIn("desk@sunrise.example"), e.signIn("admin@sunrise.example")

	// Today offers the consultation to clinical roles only.
	wantContains(t, nurse.get("/today"), "Start consultation", `action="/appointments/`+ap.ID+`/encounter"`)
	wantNotContains(t, desk.get("/today"), "Start consultation")
	wantContains(t, doc.get("/calendar?view=day&date="+cl.day.String()), "Start consultation")

	// The nurse starts the visit at triage.
	pg := nurse.post("/appointments/"+ap.ID+"/encounter", url.Values{})
	wantStatus(t, pg, http.StatusOK)
	id := encounterID(t, pg)
	wantContains(t, pg, "SOAP note", `hx-trigger="keyup changed delay:1s, blur changed"`, `aria-current="step">Assessment (triage)`, "<kbd>Alt</kbd>+<kbd>S</kbd>", "encounter.js")
	wantNotContains(t, pg, "Finish encounter") // nurses do not finish
	if got := e.appointment(p, ap.ID).Status; got != medic.StatusInProgress {
		t.Errorf("appointment after starting: %s", got)
	}
	// A second click opens the same visit.
	if again := doc.post("/appointments/"+ap.ID+"/encounter", url.Values{}); encounterID(t, again) != id {
		t.Errorf("second start opened %s, want %s", again.url, id)
	}

	// Autosave: the status and the new version, out of band.
	e.clock.Set(cl.at("08:03"))
	saved := nurse.htmxPost("/encounters/"+id, url.Values{"subjective": {"Cough for a week, no fever"}, "objective": {""}, "assessment": {""}, "plan": {""}, "version": {"1"}})
	wantStatus(t, saved, http.StatusOK)
	wantContains(t, saved, "Saved at 08:03", `id="note-version" value="2" hx-swap-oob="true"`, `id="finish-version" value="2"`)
	wantNotContains(t, saved, "<html")
	// Another tab still on version 1 is told, not allowed to overwrite.
	stale := doc.htmxPost("/encounters/"+id, url.Values{"subjective": {"overwritten"}, "version": {"1"}})
	wantStatus(t, stale, http.StatusOK)
	wantContains(t, stale, "changed elsewhere", "Reload")
	tooLong := nurse.htmxPost("/encounters/"+id, url.Values{"plan": {strings.Repeat("x", medic.MaxSOAPLength+1)}, "version": {"2"}})
	wantContains(t, tooLong, "Use at most 20000 characters.")

	// The doctor applies a template (empty sections only) and saves.
	tpls := doc.get("/encounters/" + id)
	wantContains(t, tpls, "Cough for a week, no fever", "General consultation", "Finish encounter")
	tplID := regexp.MustCompile(`<option value="([0-9a-f-]{36})">General consultation</option>`).FindStringSubmatch(tpls.body)
	if tplID == nil {
		t.Fatal("no General consultation template offered")
	}
	pg = doc.post("/encounters/"+id+"/template", url.Values{"template_id": {tplID[1]}, "version": {"2"}})
	wantContains(t, pg, "Template added to the note.", "Cough for a week, no fever\n\nPresenting complaint:", "Working diagnosis:")
	pg = doc.post("/encounters/"+id, url.Values{"subjective": {"Cough for a week"}, "objective": {"Chest clear"}, "assessment": {"Viral bronchitis"},
		"plan": {"Fluids, steam\nReturn if short of breath"}, "version": {"3"}})
	wantContains(t, pg, "Note saved.", "Viral bronchitis")

	// The queue: reception sees the patient, the stage, the wait; no note.
	e.clock.Set(cl.at("08:10"))
	q := desk.get("/queue?location=" + cl.loc.ID)
	wantStatus(t, q, http.StatusOK)
	wantContains(t, q, "Ayanda Khoza", `hx-trigger="every 5s"`, `Waiting <span data-since="`, `">20</span> min (since 07:50)`)
	wantNotContains(t, q, "Viral bronchitis", "Cough")
	board := desk.get("/queue?part=board&location=" + cl.loc.ID)
	wantContains(t, board, `id="queue-board"`, "Ayanda Khoza")
	wantNotContains(t, board, "<html", "<nav")
	// The board polls with the version it shows: while nobody moves, 204 and
	// no audit event (an open board polls 720 times an hour).
	poll := strings.ReplaceAll(regexpFind(t, q.body, `id="queue-board" class="queue-board" hx-get="([^"]+)"`), "&amp;", "&")
	viewed := func() int {
		es, _, err := e.db.ListAuditEvents(tenantCtx(p), medic.AuditFilter{Action: "queue.viewed"}, medic.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	before := viewed()
	for range 3 {
		wantStatus(t, desk.get(poll), http.StatusNoContent)
	}
	if n := viewed(); n != before {
		t.Errorf("unchanged polls wrote %d queue.viewed events", n-before)
	}
	// Another location's board (or a stale version) answers in full.
	wantStatus(t, desk.get(strings.Replace(poll, "version=", "version=x", 1)), http.StatusOK)
	if n := viewed(); n != before+1 {
		t.Errorf("a redraw wrote %d queue.viewed events, want 1", n-before)
	}
	// Reception may not move a visit beyond registration; it is at assessment.
	wantNotContains(t, q, `name="stage"`)
	wantStatus(t, desk.post("/encounters/"+id+"/stage", url.Values{"stage": {"consultation"}, "from": {"queue"}}), http.StatusForbidden)
	// The nurse moves it with one click from the board (htmx: the board comes back).
	moved := nurse.htmxPost("/encounters/"+id+"/stage", url.Values{"stage": {"consultation"}, "from": {"queue"}, "location": {cl.loc.ID}})
	wantStatus(t, moved, http.StatusOK)
	wantContains(t, moved, `id="queue-board"`, `">0</span> min`)
	// The board polled with the version from before the move redraws.
	wantContains(t, desk.get(poll), `id="queue-board"`, `">0</span> min`)
	// Reception never opens the note.
	denied := desk.get("/encounters/" + id)
	wantStatus(t, denied, http.StatusForbidden)
	wantNotContains(t, denied, "Viral bronchitis")
	wantStatus(t, desk.get("/patients/"+pt.ID+"?tab=encounters"), http.StatusForbidden)

	// Finishing asks for a confirmation; then the note is locked.
	pg = doc.post("/encounters/"+id+"/finish", url.Values{"version": {"5"}})
	wantStatus(t, pg, http.StatusUnprocessableEntity)
	wantContains(t, pg, "Tick the box to confirm")
	pg = doc.post("/encounters/"+id+"/finish", url.Values{"version": {"5"}, "confirm": {"on"}})
	wantStatus(t, pg, http.StatusOK)
	wantContains(t, pg, "Encounter finished and locked.", "Note (locked)", "Finished", "by Dr Naidoo", "Add an addendum")
	wantNotContains(t, pg, "<textarea id=\"note-plan\"")
	if got := e.appointment(p, ap.ID).Status; got != medic.StatusCompleted {
		t.Errorf("appointment after finishing: %s", got)
	}
	late := doc.post("/encounters/"+id, url.Values{"plan": {"changed"}, "version": {"6"}})
	wantStatus(t, late, http.StatusConflict)
	wantContains(t, late, "finished and locked")

	// An addendum: reason required, then shown beside the original.
	pg = doc.post("/encounters/"+id+"/addenda", url.Values{"text": {"Sputum culture: no growth"}})
	wantStatus(t, pg, http.StatusUnprocessableEntity)
	wantContains(t, pg, "Say why the encounter is amended.")
	pg = doc.post("/encounters/"+id+"/addenda", url.Values{"text": {"Sputum culture: no growth"}, "reason": {"Result after the visit"}})
	wantContains(t, pg, "Addendum added.", "Sputum culture: no growth", "Dr Naidoo · reason: Result after the visit", "Fluids, steam")

	// The chart lists the encounter; a walk-in starts from the last plan.
	wantContains(t, doc.get("/patients/"+pt.ID+"?tab=encounters"), "Viral bronchitis", "Walk-in visit")
	form := doc.get("/patients/" + pt.ID + "/walk-in")
	wantStatus(t, form, http.StatusOK)
	pg = doc.post("/patients/"+pt.ID+"/walk-in", url.Values{"practitioner_id": {""}, "location_id": {cl.loc.ID}, "stage": {"consultation"}})
	wantStatus(t, pg, http.StatusUnprocessableEntity)
	pg = doc.post("/patients/"+pt.ID+"/walk-in", url.Values{"practitioner_id": {cl.pr.ID}, "location_id": {cl.loc.ID}, "stage": {"consultation"}})
	walkIn := encounterID(t, pg)
	wantContains(t, pg, "Start from last plan", "walk-in")
	pg = doc.post("/encounters/"+walkIn+"/last-plan", url.Values{"version": {"1"}})
	wantContains(t, pg, "The last plan is added to the plan.", "Fluids, steam\nReturn if short of breath")

	// Template admin: admins only.
	wantStatus(t, doc.get("/encounter-templates"), http.StatusForbidden)
	list := admin.get("/encounter-templates")
	wantContains(t, list, "General consultation", "Chronic follow-up (hypertension/diabetes)", "Antenatal visit", "Well-child visit")
	pg = admin.post("/encounter-templates/new", url.Values{"name": {""}})
	wantStatus(t, pg, http.StatusUnprocessableEntity)
	wantContains(t, pg, "Enter a name.")
	pg = admin.post("/encounter-templates/new", url.Values{"name": {"Travel clinic"}, "plan": {"Vaccines given:"}})
	wantContains(t, pg, "Template added.", "Travel clinic")
}
