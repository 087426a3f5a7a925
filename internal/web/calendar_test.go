package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"medic"
)

func TestCalendarDayGridBooksByClickingAFreeTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	naidoo, patel := e.mustClinic(p, "Dr Naidoo"), e.mustClinic(p, "Dr Patel")
	e.clock.Set(naidoo.at("09:40")) // the clinics' day: 08:00-12:00 in 30-minute slots
	thabo := e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14")
	long := e.mustBook(p, naidoo, thabo, "10:00")
	gone := e.mustBook(p, patel, e.mustPatient(p, "Lerato", "Dlamini", "1992-03-02"), "11:00")
	e.setStatus(p, gone.ID, medic.StatusCancelled, "Travelling")

	c := e.signIn("desk@sunrise.example")
	r := c.get("/calendar?view=day&date=" + naidoo.day.String())
	wantStatus(t, r, http.StatusOK)
	// A column per practitioner working that day, rows of 30 minutes from
	// 07:00 (row 2) to 18:00.
	wantContains(t, r, `class="sched cols-2"`, `sched-head gc-2 gr-1" data-col="2" data-practitioner="`+naidoo.pr.ID+`" data-location="`+naidoo.loc.ID+`">Dr Naidoo<`,
		`sched-head gc-3 gr-1" data-col="3" data-practitioner="`+patel.pr.ID+`" data-location="`+patel.loc.ID+`">Dr Patel<`, "30 minutes rows")
	// Closed before 08:00, free after; a block sized by its duration.
	wantContains(t, r, `sched-cell sched-closed gc-2 gr-2"`, `sched-cell sched-closed gc-2 gr-3"`)
	wantContains(t, r, `class="sched-block appt-booked gc-2 gr-8 gs-1" href="/appointments/`+long.ID+`"`)
	wantContains(t, r, `class="sched-block appt-cancelled gc-3 gr-10 gs-1" href="/appointments/`+gone.ID+`"`)
	// The booked time offers no link; the cancelled one is free again.
	wantNotContains(t, r, `sched-free gc-2 gr-8"`)
	wantContains(t, r, `sched-free gc-3 gr-10"`)
	// The now line, at 09:40 (row of 09:30).
	wantContains(t, r, `class="sched-now gr-7"`)
	// Past times are not offered (08:00, row 4); 11:30 is.
	wantNotContains(t, r, `sched-free gc-2 gr-4"`)
	free := regexpFind(t, r.body, `class="sched-cell sched-free gc-2 gr-11" href="([^"]+)"`)
	free = html.UnescapeString(free)
	u, err := url.Parse(free)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("practitioner") != naidoo.pr.ID || q.Get("location") != naidoo.loc.ID || q.Get("start") != naidoo.at("11:30").UTC().Format(time.RFC3339) {
		t.Fatalf("free time link %s", free)
	}
	// The booking page comes with that time chosen: pick the patient, book.
	r = c.get(free + "&patient=" + thabo.ID)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `value="`+slotValue(naidoo, "11:30")+`" checked`)
	r = c.post("/appointments/new", url.Values{"patient": {thabo.ID}, "type": {naidoo.typ.ID}, "date": {naidoo.day.String()}, "slot": {slotValue(naidoo, "11:30")}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Appointment booked.")
	r = c.get("/calendar?view=day&date=" + naidoo.day.String())
	if strings.Count(r.body, `class="sched-block appt-`) != 3 {
		t.Fatalf("after booking from the grid:\n%s", r.body)
	}
	// Filtered to one location: only who works there.
	wantNotContains(t, c.get("/calendar?view=day&date="+naidoo.day.String()+"&location="+naidoo.loc.ID), `gr-1">Dr Patel<`)
}

func TestChartHeaderShowsAgeNextAndLastVisit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	cl := e.mustClinic(p, "Dr Naidoo")
	e.clock.Set(cl.at("07:00"))
	pt := &medic.Patient{GivenName: "Thabo", FamilyName: "Mokoena", DateOfBirth: cl.day.AddDate(-34, 0, -1),
		Email: "thabo.mokoena.with.a.very.long.address@a-rather-long-mail-domain.example.org"}
	if err := pt.Validate(cl.day); err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreatePatient(tenantCtx(p), pt); err != nil {
		t.Fatal(err)
	}
	c := e.signIn("desk@sunrise.example")
	r := c.get("/patients/" + pt.ID)
	wantContains(t, r, "<strong>34 years</strong>", "Next: none booked", "Last visit: none yet")

	seen := e.mustBook(p, cl, pt, "08:00")
	e.clock.Set(cl.at("08:05"))
	for _, s := range []medic.AppointmentStatus{medic.StatusCheckedIn, medic.StatusInProgress, medic.StatusCompleted} {
		e.setStatus(p, seen.ID, s, "")
	}
	next := e.mustBook(p, cl, pt, "11:00")
	c = e.signIn("desk@sunrise.example")
	r = c.get("/patients/" + pt.ID)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `Next: <a href="/appointments/`+next.ID+`">`, "11:00</a> with Dr Naidoo",
		`Last visit: <a href="/appointments/`+seen.ID+`">`+cl.day.Time().Format("Mon 2 Jan 2006")+`</a> with Dr Naidoo`)
}

func TestCalendarWeekCollapsesClosedDays(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	cl := e.mustClinic(p, "Dr Naidoo") // works on the clinic's day only
	e.clock.Set(cl.at("07:00").Add(-24 * time.Hour))
	c := e.signIn("desk@sunrise.example")
	r := c.get("/calendar?view=week&practitioner=" + cl.pr.ID + "&date=" + cl.day.String())
	wantStatus(t, r, http.StatusOK)
	open := cl.day.Time().Format("Mon 2 Jan")
	if got := regexpFind(t, r.body, `<th scope="col" class="([^"]*)"><a href="[^"]*">`+open+`</a>`); strings.Contains(got, "cal-closed") {
		t.Errorf("the working day %s is collapsed", open)
	}
	closed := cl.day.AddDays(1)
	if closed.Weekday() == time.Monday { // the next week: take the day before instead, today
		closed = cl.day.AddDays(-1)
	}
	regexpFind(t, r.body, `class="(cal-today)? cal-closed"><a href="/calendar\?date=`+closed.String())
}

// TestRescheduleByFormAndFromTheGrid: the grid marks booked blocks movable
// (grid.js posts what the form posts); the appointment page's form moves
// to another day, time or practitioner, refused by the same rules as the
// API (a taken slot, outside working hours); a move from the grid returns
// to the grid.
func TestRescheduleByFormAndFromTheGrid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	e.mustMember(p, e.mustUser("billing@sunrise.example", "Bills"), "billing")
	naidoo, patel := e.mustClinic(p, "Dr Naidoo"), e.mustClinic(p, "Dr Patel")
	e.clock.Set(naidoo.at("07:00"))
	thabo := e.mustBook(p, naidoo, e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14"), "09:00")
	e.mustBook(p, patel, e.mustPatient(p, "Lerato", "Dlamini", "1992-03-02"), "10:00")

	c := e.signIn("desk@sunrise.example")
	cal := "/calendar?view=day&date=" + naidoo.day.String()
	r := c.get(cal)
	wantContains(t, r, `data-move="/appointments/`+thabo.ID+`/reschedule" data-location="`+naidoo.loc.ID+`" data-col="2" data-row="6" draggable="true"`,
		`data-col="3" data-practitioner="`+patel.pr.ID+`" data-location="`+patel.loc.ID+`"`,
		`data-row="8" data-at="`+naidoo.at("10:00").UTC().Format(time.RFC3339)+`"`, `id="move-help"`, "/static/grid.js")
	// Billing reads the calendar but moves nothing.
	wantNotContains(t, e.signIn("billing@sunrise.example").get(cal), "data-move=", "grid.js")

	// The form: Dr Patel's times at his rooms (the location follows him).
	r = c.get("/appointments/" + thabo.ID + "?practitioner=" + patel.pr.ID)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `name="practitioner" value="`+patel.pr.ID+`"`, `value="`+slotValue(patel, "10:30")+`"`)
	wantNotContains(t, r, `value="`+slotValue(patel, "10:00")+`"`)
	move := func(slot string, extra ...string) page {
		f := url.Values{"slot": {slot}, "practitioner": {patel.pr.ID}, "location": {patel.loc.ID}, "date": {patel.day.String()}}
		for i := 0; i+1 < len(extra); i += 2 {
			f.Set(extra[i], extra[i+1])
		}
		return c.postNoFollow("/appointments/"+thabo.ID+"/reschedule", f)
	}
	// No double booking: Lerato has Dr Patel's 10:00.
	r = move(slotValue(patel, "10:00"))
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "That time was just taken.")
	// Inside working hours only (08:00-12:00).
	r = move(slotValue(patel, "13:00"))
	if r.status != http.StatusUnprocessableEntity && r.status != http.StatusConflict {
		t.Fatalf("outside working hours: %d", r.status)
	}
	if got := e.appointment(p, thabo.ID); !got.Start.Equal(naidoo.at("09:00")) || got.PractitionerID != naidoo.pr.ID {
		t.Fatalf("a refused move changed the appointment: %+v", got)
	}
	// From the grid (what grid.js posts): moved, back to the grid.
	r = move(slotValue(patel, "10:30"), "next", cal)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/calendar?") || !strings.Contains(loc, "m=rescheduled") {
		t.Fatalf("after a grid move: %s", loc)
	}
	got := e.appointment(p, thabo.ID)
	if !got.Start.Equal(patel.at("10:30")) || got.PractitionerID != patel.pr.ID || got.LocationID != patel.loc.ID {
		t.Fatalf("moved to %v with %s at %s", got.Start, got.PractitionerID, got.LocationID)
	}
	// Dr Naidoo's 09:00 is free again; Dr Patel's 10:30 is not.
	r = c.get(r.header.Get("Location"))
	wantContains(t, r, `sched-free gc-2 gr-6"`, "Appointment moved.")
	wantNotContains(t, r, `sched-free gc-3 gr-9"`)
	es, _, err := e.db.ListAuditEvents(tenantCtx(p), medic.AuditFilter{Action: "appointment.rescheduled"}, medic.Page{Limit: 10})
	if err != nil || len(es) != 1 || es[0].Detail["to_practitioner_id"] != patel.pr.ID {
		t.Fatalf("audit: %+v, %v", es, err)
	}
}
