package e2e_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"medic"
	"medic/internal/e2e"
	"medic/internal/server/servertest"
)

// A patient on a phone (390 px wide), a laptop (1366) or a desktop (1920)
// books on the practice's public page: picks the kind of visit, a day and
// a time, fills in the details, reads the code from the email, confirms,
// and sees the confirmation. Every step (choose, slot, details, code,
// done, manage) fits the window with no element wider than its box, and
// passes axe (contrast included) on the phone and the laptop. The desk
// then holds the appointment, marked as booked online.
func TestPublicBooking(t *testing.T) {
	for _, width := range []int{390, 1366, 1920} {
		t.Run(fmt.Sprint(width), func(t *testing.T) { publicBooking(t, width) })
	}
}

func publicBooking(t *testing.T, width int) {
	env := servertest.New(t)
	p := env.Practice(t, "sunrise") // the clock: Mon 4 Mar 2030, 10:00 in Johannesburg
	zone, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	ctx := tenant(p)
	// Changes online close 12 hours ahead (not the default day), so that
	// tomorrow's booking can still be moved or cancelled on the manage page.
	p.Booking.CancellationWindowMinutes = 12 * 60
	// A pale brand colour: the accessibility checks see the page in the
	// practice's colours, darkened only as far as the theme does.
	p.Branding.PrimaryColor, p.Branding.AccentColor = "#5bc0eb", "#fde74c"
	if err := env.DB.UpdatePractice(ctx, p); err != nil {
		t.Fatal(err)
	}
	today := medic.DateOf(env.Clock.Now().In(zone))
	day := today.AddDays(1) // the practitioner works on Tuesdays
	loc := env.Location(t, p, "Main Street Clinic")
	pr := &medic.Practitioner{Name: "Dr Naidoo", Specialty: "General practice", Status: medic.PractitionerActive,
		Assignments: []medic.LocationAssignment{{LocationID: loc.ID, Primary: true, StartDate: today.AddDays(-7)}}}
	if err := env.DB.CreatePractitioner(ctx, pr); err != nil {
		t.Fatal(err)
	}
	consult := &medic.AppointmentType{Name: "Consultation", DurationMinutes: 30, Color: "#2f7d4f", Active: true, OnlineBookable: true}
	checkup := &medic.AppointmentType{Name: "Chronic medication check", DurationMinutes: 30, Color: "#1a6fb0", Active: true, OnlineBookable: true}
	for _, ty := range []*medic.AppointmentType{consult, checkup} {
		if err := env.DB.CreateAppointmentType(ctx, ty); err != nil {
			t.Fatal(err)
		}
	}
	rule := &medic.ScheduleRule{PractitionerID: pr.ID, LocationID: loc.ID, Weekday: day.Weekday(), Start: 8 * 60, End: 12 * 60,
		SlotMinutes: 30, Capacity: 1, EffectiveFrom: today.AddDays(-7)}
	if err := env.DB.CreateScheduleRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	nineThirty, err := medic.ParseClockTime("09:30")
	if err != nil {
		t.Fatal(err)
	}
	start := nineThirty.On(day, zone)
	slot := start.UTC().Format(time.RFC3339) + "|" + pr.ID + "|" + loc.ID

	bctx := e2e.Browser(t, width, 844)
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(bctx, actions...); err != nil {
			t.Logf("%s: %v", step, err)
			e2e.Screenshot(t, bctx, fmt.Sprintf("public-booking-%d-failed", width))
			t.Fatalf("%s: %v", step, err)
		}
	}
	// check: the step fits the window (the page and every element in
	// it) and, but on the desktop, passes axe.
	check := func(page string) {
		t.Helper()
		var sw int
		run("measure "+page, chromedp.Evaluate(`document.documentElement.scrollWidth`, &sw))
		if sw > width {
			t.Errorf("%s scrolls sideways at %d px: scrollWidth %d", page, width, sw)
		}
		noOverflow(t, bctx, fmt.Sprintf("%s at %d px", page, width))
		if width != 1920 {
			e2e.Axe(t, bctx, fmt.Sprintf("%s at %d px", page, width))
		}
	}
	var text string

	// Choose the kind of visit: the day picker and times appear in place.
	run("open the page",
		// Headless chromium keeps windows at least 500 px wide: emulate the
		// viewport instead.
		chromedp.EmulateViewport(int64(width), 844),
		chromedp.Navigate(env.URL+"/book/sunrise"),
		e2e.WaitText(`h1`, "Practice sunrise"),
		e2e.WaitText(`#slot-inner`, "Choose what the visit is for"),
	)
	check("the first step")
	run("choose the type",
		chromedp.Click(`label[for="type-`+consult.ID+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#day-`+day.String(), chromedp.ByQuery),
		e2e.WaitText(`#slot-inner`, "No open times on Monday 4 March"), // today: no rule
	)
	// Choose Tuesday from the day picker: its times replace today's.
	run("choose the day",
		chromedp.Click(`#day-`+day.String(), chromedp.ByQuery),
		chromedp.WaitVisible(`button[name=slot][value="`+slot+`"]`, chromedp.ByQuery),
		e2e.WaitText(`#slot-status`, "8 open times on Tuesday 5 March"),
		chromedp.Text(`#slot-inner`, &text, chromedp.ByQuery),
	)
	wantText(t, "Tuesday's times", text, "Open times on Tuesday 5 March", "08:00", "09:30", "11:30", "Main Street Clinic")
	var current string
	run("the chosen day is marked", chromedp.AttributeValue(`#day-`+day.String(), "aria-current", &current, nil, chromedp.ByQuery))
	if current != "date" {
		t.Errorf("the chosen day is not marked current: %q", current)
	}
	check("the slot page")
	e2e.Screenshot(t, bctx, fmt.Sprintf("public-booking-slots-%d", width))

	// Choose 09:30 and give the details.
	run("choose 09:30",
		chromedp.Click(`button[name=slot][value="`+slot+`"]`, chromedp.ByQuery),
		// A real page load: wait for the new page's field, not by polling.
		chromedp.WaitVisible(`#details-given_name`, chromedp.ByQuery),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
	)
	wantText(t, "details page", text, "Consultation", "Tue 5 Mar 2030, 09:30", "Dr Naidoo", "Main Street Clinic")
	check("the details page")
	const email = "naledi@example.org"
	run("fill in the details",
		chromedp.SendKeys(`#details-given_name`, "Naledi", chromedp.ByQuery),
		chromedp.SendKeys(`#details-family_name`, "Mokoena", chromedp.ByQuery),
		chromedp.SetValue(`#details-date_of_birth`, "1990-04-12", chromedp.ByQuery),
		chromedp.SendKeys(`#details-email`, email, chromedp.ByQuery),
		chromedp.SendKeys(`#details-phone`, "082 555 0199", chromedp.ByQuery),
		chromedp.SendKeys(`#details-reason`, "Sore throat", chromedp.ByQuery),
		chromedp.Click(`form[action="/book/sunrise/code"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#code-code`, chromedp.ByQuery),
		e2e.WaitText(`h1`, "Check your email"),
	)
	check("the code page")

	// The code arrives by email, delivered in-process through the job queue.
	m := env.WaitMail(t, email, "code")
	code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(m.Text)
	if code == nil {
		t.Fatalf("no 6-digit code in %q", m.Text)
	}
	run("enter the code and confirm",
		chromedp.SendKeys(`#code-code`, code[1], chromedp.ByQuery),
		chromedp.Click(`form[action="/book/sunrise/confirm"] button[type=submit]:not([formaction])`, chromedp.ByQuery),
		chromedp.WaitVisible(`#done-title`, chromedp.ByQuery),
		e2e.WaitText(`h1`, "You are booked"),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
	)
	wantText(t, "confirmation", text, "Tue 5 Mar 2030, 09:30–10:00", "Dr Naidoo", "Main Street Clinic", "Consultation", email, "move or cancel")
	check("the confirmation")
	e2e.Screenshot(t, bctx, fmt.Sprintf("public-booking-confirmed-%d", width))

	// The confirmation email links to the page where the patient moves or
	// cancels the booking.
	m = env.WaitMail(t, email, "/book/manage/")
	manage, _ := env.Link(t, m.Text, "/book/manage/")
	run("open the manage page",
		chromedp.Navigate(manage),
		e2e.WaitText(`h1`, "Tue 5 Mar 2030, 09:30"),
		e2e.WaitText(`#move-title`, "Move to another time"),
		e2e.WaitText(`#cancel-title`, "Cancel the appointment"),
	)
	check("the manage page")

	// The desk holds it: this patient, that time, booked online.
	aps, _, err := env.DB.ListAppointments(ctx, medic.AppointmentFilter{}, medic.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(aps) != 1 || aps[0].Source != medic.SourceOnline || !aps[0].Start.Equal(start) || aps[0].PatientName != "Naledi Mokoena" ||
		aps[0].Status != medic.StatusBooked || aps[0].AppointmentTypeID != consult.ID {
		t.Fatalf("stored appointments: %+v", aps)
	}
}
