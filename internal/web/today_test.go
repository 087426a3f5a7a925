package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"medic"
)

// figures reads the day's figures a page shows (the dayFigures partial):
// expected, and the count per status.
func figures(t *testing.T, p page) map[string]int {
	t.Helper()
	out := map[string]int{}
	m := regexp.MustCompile(`data-figure="expected"><strong>(\d+)</strong>`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no expected figure on %s\n%s", p.url, p.body)
	}
	out["expected"], _ = strconv.Atoi(m[1])
	for _, m := range regexp.MustCompile(`data-status="([a-z_]+)">.*?<strong>(\d+)</strong>`).FindAllStringSubmatch(p.body, -1) {
		out[m[1]], _ = strconv.Atoi(m[2])
	}
	if len(out) != 1+len(medic.AppointmentStatuses) {
		t.Fatalf("figures on %s: %v", p.url, out)
	}
	return out
}

// setStatus moves an appointment through the use case, as a member would.
func (e *env) setStatus(p *medic.Practice, id string, to medic.AppointmentStatus, reason string) {
	e.t.Helper()
	if _, err := e.app.SetAppointmentStatus(adminCtx(p), id, to, reason); err != nil {
		e.t.Fatalf("%s: %v", to, err)
	}
}

func TestDashboardAndTodayCountTheSame(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	cl := e.mustClinic(p, "Dr Naidoo")
	e.clock.Set(cl.at("07:00")) // the clinic's day, before opening
	var ids []string
	for i, hhmm := range []string{"08:00", "08:30", "09:00", "09:30", "10:00"} {
		ids = append(ids, e.mustBook(p, cl, e.mustPatient(p, "Patient", "Number"+strconv.Itoa(i), "1980-01-01"), hhmm).ID)
	}
	e.setStatus(p, ids[0], medic.StatusCheckedIn, "")
	e.setStatus(p, ids[1], medic.StatusNoShow, "")
	e.setStatus(p, ids[2], medic.StatusCancelled, "Travelling")
	// Tomorrow's appointment counts on neither page today.
	c := e.signIn("desk@sunrise.example")
	dash, list := c.get("/"), c.get("/today")
	wantStatus(t, dash, http.StatusOK)
	wantStatus(t, list, http.StatusOK)
	got, want := figures(t, list), map[string]int{"expected": 3, "booked": 2, "checked_in": 1, "in_progress": 0, "completed": 0, "cancelled": 1, "no_show": 1}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("Today %s = %d, want %d (%v)", k, got[k], n, got)
		}
	}
	onDash := figures(t, dash)
	for k, n := range got {
		if onDash[k] != n {
			t.Errorf("dashboard %s = %d, Today says %d", k, onDash[k], n)
		}
	}
	wantContains(t, list, "of 5 booked for the day")
	wantContains(t, dash, "of 5 booked for the day")
}

func TestArrivalOnlyOnTheAppointmentsDay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	cl := e.mustClinic(p, "Dr Naidoo")
	e.clock.Set(cl.at("09:00").Add(-24 * time.Hour)) // the day before
	ap := e.mustBook(p, cl, e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14"), "09:00")
	c := e.signIn("desk@sunrise.example")
	r := c.get("/appointments/" + ap.ID)
	wantStatus(t, r, http.StatusOK)
	wantNotContains(t, r, ">Check in<", ">No-show<")
	r = c.post("/appointments/"+ap.ID+"/status", url.Values{"to": {"checked_in"}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "it can only be checked in on that day")
	if got := e.appointment(p, ap.ID); got.Status != medic.StatusBooked {
		t.Fatalf("a refused check-in changed the status to %s", got.Status)
	}
	// On the day, after its time, it can still be checked in.
	e.clock.Set(cl.at("11:30"))
	c = e.signIn("desk@sunrise.example")
	wantContains(t, c.get("/appointments/"+ap.ID), ">Check in<")
	r = c.post("/appointments/"+ap.ID+"/status", url.Values{"to": {"checked_in"}, "next": {"/today"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Appointment updated.", "Checked in")
}

func TestTodayShowsMyDayFirstAndRefreshesItsList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	doctor := e.mustMember(p, e.mustUser("doctor@sunrise.example", "Dr Naidoo"), "doctor")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	mine, theirs := e.mustClinic(p, "Dr Naidoo"), e.mustClinic(p, "Dr Patel")
	mine.pr.MemberID = doctor.ID
	if err := e.db.UpdatePractitioner(tenantCtx(p), mine.pr); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(mine.at("07:00"))
	a := e.mustBook(p, mine, e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14"), "08:00")
	e.mustBook(p, theirs, e.mustPatient(p, "Lerato", "Dlamini", "1992-03-02"), "08:30")

	doc := e.signIn("doctor@sunrise.example")
	r := doc.get("/today")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Thabo Nkosi", `aria-current="page">My day<`)
	wantNotContains(t, r, "Lerato Dlamini")
	all := doc.get("/today?practitioner=")
	wantContains(t, all, "Thabo Nkosi", "Lerato Dlamini", `aria-current="page">Everyone<`)
	// A receptionist is no practitioner: everyone's day, no toggle.
	desk := e.signIn("desk@sunrise.example")
	r = desk.get("/today")
	wantContains(t, r, "Thabo Nkosi", "Lerato Dlamini", `hx-trigger="every 12s"`)
	wantNotContains(t, r, "My day")

	// The page polls its live part with the version it shows: unchanged,
	// the answer is empty (204); after a check-in elsewhere, the new list.
	version := regexpFind(t, r.body, `id="today-version" name="version" value="([^"]+)"`)
	live := regexpFind(t, r.body, `id="today-live" hx-get="([^"]+)"`)
	live = regexp.MustCompile(`&amp;`).ReplaceAllString(live, "&")
	poll := desk.get(live + "&version=" + url.QueryEscape(version))
	wantStatus(t, poll, http.StatusNoContent)
	if poll.body != "" {
		t.Fatalf("an unchanged poll answered %q", poll.body)
	}
	if _, err := e.app.SetAppointmentStatus(adminCtx(p), a.ID, medic.StatusCheckedIn, ""); err != nil {
		t.Fatal(err)
	}
	poll = desk.get(live + "&version=" + url.QueryEscape(version))
	wantStatus(t, poll, http.StatusOK)
	wantContains(t, poll, "Checked in", `id="today-version"`, "data-figure=\"expected\"")
	wantNotContains(t, poll, "<html", "<nav")
}
