package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"medic"
	"medic/internal/e2e"
	"medic/internal/server/servertest"
)

// A receptionist finds a patient by typing part of the name, books an
// appointment on the desk's booking page, moves it to a later time, and
// checks the patient in on today's list; the calendar shows the result.
func TestDeskFindPatientBookRescheduleCheckIn(t *testing.T) {
	env := servertest.New(t)
	p := env.Practice(t, "sunrise") // Africa/Johannesburg: the clock's 08:00 UTC is 10:00 there
	const password = "correct horse battery"
	env.Member(t, p, env.User(t, "desk@sunrise.example", password), medic.RoleReceptionist)
	s := seedClinic(t, env, p)

	ctx := e2e.Browser(t, 1280, 1000)
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			e2e.Screenshot(t, ctx, "desk-booking-failed")
			t.Fatalf("%s: %v", step, err)
		}
	}
	var text, loc string

	run("sign in",
		chromedp.Navigate(env.URL+"/login"),
		chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "desk@sunrise.example", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
		chromedp.Submit(`input[name=password]`, chromedp.ByQuery),
		chromedp.WaitVisible(`nav.mainnav a[href="/patients"]`, chromedp.ByQuery),
		e2e.Settled(),
	)

	// Find the patient: type part of the family name; the results update as
	// one types.
	run("search for the patient",
		chromedp.Click(`nav.mainnav a[href="/patients"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#search-q`, chromedp.ByQuery),
		e2e.Settled(),
		chromedp.SendKeys(`#search-q`, "nkos", chromedp.ByQuery),
		e2e.WaitText(`#patient-results caption`, "Patients matching"),
		chromedp.Text(`#patient-results`, &text, chromedp.ByQuery),
	)
	wantText(t, "search results", text, "Nkosi, Thabo", "+27825550100")
	if strings.Contains(text, "Dlamini") {
		t.Errorf("the search for nkos also lists Dlamini: %q", text)
	}
	run("open the chart",
		chromedp.Click(`#patient-results a[href="/patients/`+s.thabo.ID+`"]`, chromedp.ByQuery),
		e2e.WaitText(`h1`, "Thabo Nkosi"),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
	)
	wantText(t, "chart", text, "Thabo Nkosi", "Book appointment")
	// Reception reads demographics and contact only (DOMAIN.md's role table).
	if strings.Contains(text, "Penicillin") || strings.Contains(text, "Allergies") {
		t.Errorf("the receptionist's chart shows the clinical part: %q", text)
	}

	// Book: the booking page lists today's open times (from 10:00, now).
	run("open the booking page",
		chromedp.Click(`main a[href="/appointments/new?patient=`+s.thabo.ID+`"]`, chromedp.ByQuery),
		e2e.WaitText(`main`, "Open times on"),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
	)
	wantText(t, "booking page", text, "Thabo Nkosi", "Dr Naidoo · Main Street", "14:00", "Book appointment")
	if strings.Contains(text, "09:30") {
		t.Errorf("the booking page offers a time already past: %q", text)
	}
	e2e.Axe(t, ctx, "the desk's booking page")
	run("book 14:00",
		chromedp.Click(slotLabel(s.slot("14:00")), chromedp.ByQuery),
		chromedp.Click(`form[method=post][action="/appointments/new"] button[type=submit]`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Appointment booked."),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
		chromedp.Location(&loc),
	)
	wantText(t, "booked appointment", text, "Thabo Nkosi", "Mon 4 Mar 2030, 14:00", "Booked", "Consultation", "Dr Naidoo", "Check in")
	e2e.Axe(t, ctx, "the appointment page")
	id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], env.URL+"/appointments/")
	if len(id) != 36 {
		t.Fatalf("after booking the browser is at %s", loc)
	}

	// Reschedule on the same page to 15:30.
	run("reschedule to 15:30",
		chromedp.Click(`#reschedule `+slotLabel(s.slot("15:30")), chromedp.ByQuery),
		chromedp.Click(`form[action$="/reschedule"] button[type=submit]`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Appointment moved."),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
	)
	wantText(t, "moved appointment", text, "Mon 4 Mar 2030, 15:30", "Booked")
	ap, err := env.DB.FindAppointment(tenant(p), id)
	if err != nil {
		t.Fatal(err)
	}
	if want := s.slotTime("15:30"); !ap.Start.Equal(want) || ap.Status != medic.StatusBooked {
		t.Fatalf("stored appointment: %s at %v, want booked at %v", ap.Status, ap.Start, want)
	}

	// Check in from today's list.
	row := `#appt-` + id
	run("today's list",
		chromedp.Click(`nav.mainnav a[href="/today"]`, chromedp.ByQuery),
		chromedp.WaitVisible(row, chromedp.ByQuery),
		e2e.Settled(),
		chromedp.Text(row, &text, chromedp.ByQuery),
	)
	wantText(t, "today's row", text, "15:30–16:00", "Thabo Nkosi", "Booked", "Check in")
	run("check in",
		chromedp.Click(row+` form:has(input[value="checked_in"]) button`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Appointment updated."),
		e2e.WaitText(row, "Checked in"),
		chromedp.Text(row, &text, chromedp.ByQuery),
	)
	wantText(t, "checked-in row", text, "Checked in", "Start")
	if strings.Contains(text, "Check in") {
		t.Errorf("a checked-in appointment still offers Check in: %q", text)
	}

	// The day calendar shows the block, with its status, linking to it.
	run("calendar",
		chromedp.Click(`nav.mainnav a[href="/calendar"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a.sched-block[href="/appointments/`+id+`"]`, chromedp.ByQuery),
		e2e.Settled(),
		chromedp.Text(`a.sched-block[href="/appointments/`+id+`"]`, &text, chromedp.ByQuery),
	)
	wantText(t, "calendar block", text, "15:30–16:00", "Thabo Nkosi", "Consultation", "Checked in")
	e2e.Screenshot(t, ctx, "desk-calendar-after-check-in")

	if ap, err = env.DB.FindAppointment(tenant(p), id); err != nil || ap.Status != medic.StatusCheckedIn {
		t.Fatalf("stored appointment after check-in: %+v, %v", ap, err)
	}
}

// seeded is the practice's schedule and patients.
type seeded struct {
	loc   *medic.Location
	pr    *medic.Practitioner
	typ   *medic.AppointmentType
	thabo *medic.Patient
	// lerato is the second patient.
	lerato *medic.Patient
	zone   *time.Location
	day    medic.Date
}

func tenant(p *medic.Practice) context.Context {
	return medic.WithTenant(context.Background(), medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
}

// seedClinic gives p a practitioner at one location working 08:00–17:00 on
// the test clock's day in 30-minute slots, a consultation type and two
// patients.
func seedClinic(t *testing.T, env *servertest.Env, p *medic.Practice) seeded {
	t.Helper()
	ctx := tenant(p)
	zone, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	s := seeded{zone: zone, day: medic.DateOf(env.Clock.Now().In(zone))}
	s.loc = env.Location(t, p, "Main Street")
	s.pr = &medic.Practitioner{Name: "Dr Naidoo", Specialty: "General practice", Status: medic.PractitionerActive,
		Assignments: []medic.LocationAssignment{{LocationID: s.loc.ID, Primary: true, StartDate: s.day.AddDays(-7)}}}
	if err := env.DB.CreatePractitioner(ctx, s.pr); err != nil {
		t.Fatal(err)
	}
	s.typ = &medic.AppointmentType{Name: "Consultation", DurationMinutes: 30, Color: "#2f7d4f", Active: true}
	if err := env.DB.CreateAppointmentType(ctx, s.typ); err != nil {
		t.Fatal(err)
	}
	rule := &medic.ScheduleRule{PractitionerID: s.pr.ID, LocationID: s.loc.ID, Weekday: s.day.Weekday(), Start: 8 * 60, End: 17 * 60,
		SlotMinutes: 30, Capacity: 1, EffectiveFrom: s.day.AddDays(-7)}
	if err := env.DB.CreateScheduleRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	for _, pt := range []*medic.Patient{
		{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: medic.NewDate(1985, 7, 14), Phone: "082 555 0100", Allergies: []string{"Penicillin"}},
		{GivenName: "Lerato", FamilyName: "Dlamini", DateOfBirth: medic.NewDate(1992, 3, 2)},
	} {
		if err := pt.Validate(s.day); err != nil {
			t.Fatal(err)
		}
		if err := env.DB.CreatePatient(ctx, pt); err != nil {
			t.Fatal(err)
		}
		if pt.GivenName == "Thabo" {
			s.thabo = pt
		} else {
			s.lerato = pt
		}
	}
	return s
}

// slotTime is hh:mm on the seeded day in the practice's zone.
func (s seeded) slotTime(hhmm string) time.Time {
	c, err := medic.ParseClockTime(hhmm)
	if err != nil {
		panic(err)
	}
	return c.On(s.day, s.zone)
}

// slot is the radio value of the practitioner's slot at hh:mm.
func (s seeded) slot(hhmm string) string {
	return s.slotTime(hhmm).UTC().Format(time.RFC3339) + "|" + s.pr.ID + "|" + s.loc.ID
}

// slotLabel selects the label a user clicks to choose the slot.
func slotLabel(value string) string {
	return `input[name=slot][value="` + value + `"] + label`
}

func wantText(t *testing.T, what, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s does not show %q; it shows:\n%s", what, s, text)
		}
	}
}
