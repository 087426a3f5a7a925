package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"medic"
	"medic/internal/app"
	"medic/internal/e2e"
	"medic/internal/server/servertest"
)

// noOverflow fails when an element of main is wider than its box
// (scrollWidth over clientWidth), outside the grids that scroll on purpose.
func noOverflow(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	var bad []string
	err := chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("main *")]
		.filter(e => !e.closest(".sched-wrap, .table-wrap") && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible")
		.map(e => e.tagName + "." + e.className + " " + e.scrollWidth + ">" + e.clientWidth)`, &bad))
	if err != nil {
		t.Fatalf("%s: overflow check: %v", what, err)
	}
	var wide bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`, &wide)); err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 || wide {
		t.Errorf("%s overflows (page wider than the window: %v): %v", what, wide, bad)
	}
}

// A receptionist books by clicking a free time in the day grid, and Today
// in another browser shows a check-in made elsewhere without a reload.
func TestDeskDayGridBookingAndLiveToday(t *testing.T) {
	for _, width := range []int{1366, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			env := servertest.New(t)
			p := env.Practice(t, "sunrise") // the clock's 08:00 UTC is 10:00 in Johannesburg
			const password = "correct horse battery"
			env.Member(t, p, env.User(t, "desk@sunrise.example", password), medic.RoleReceptionist)
			env.Member(t, p, env.User(t, "front@sunrise.example", password), medic.RoleReceptionist)
			s := seedClinic(t, env, p)

			ctx := e2e.Browser(t, width, 900)
			run := func(ctx context.Context, step string, actions ...chromedp.Action) {
				t.Helper()
				if err := chromedp.Run(ctx, actions...); err != nil {
					t.Errorf("%s: %v", step, err)
					e2e.Screenshot(t, ctx, fmt.Sprintf("desk-grid-%d-failed", width))
					t.Fatalf("%s: %v", step, err)
				}
			}
			signIn := func(ctx context.Context, email string) {
				run(ctx, "sign in "+email,
					// Headless chromium keeps windows at least 500 px wide.
					chromedp.EmulateViewport(int64(width), 900),
					chromedp.Navigate(env.URL+"/login"),
					chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
					chromedp.SendKeys(`input[name=email]`, email, chromedp.ByQuery),
					chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
					chromedp.Submit(`input[name=password]`, chromedp.ByQuery),
					chromedp.WaitVisible(`#desk-search`, chromedp.ByQuery),
					e2e.Settled(),
				)
			}
			signIn(ctx, "desk@sunrise.example")

			var text string
			start := url.QueryEscape(s.slotTime("16:00").UTC().Format("2006-01-02T15:04:05Z07:00"))
			free := `a.sched-free[href*="start=` + start + `"]`
			run(ctx, "the day grid",
				chromedp.Navigate(env.URL+"/calendar?view=day"),
				chromedp.WaitVisible(`.sched`, chromedp.ByQuery),
				e2e.Settled(),
				chromedp.ScrollIntoView(free, chromedp.ByQuery),
			)
			noOverflow(t, ctx, "the calendar")
			e2e.Axe(t, ctx, "the day grid")
			run(ctx, "click 16:00",
				chromedp.Click(free, chromedp.ByQuery),
				e2e.WaitText(`main`, "Open times on"),
				chromedp.SendKeys(`#book-pq`, "Nkosi", chromedp.ByQuery),
				chromedp.Submit(`#book-pq`, chromedp.ByQuery),
				chromedp.WaitVisible(`ul[aria-label="Patients found"] a`, chromedp.ByQuery),
				chromedp.Click(`ul[aria-label="Patients found"] a`, chromedp.ByQuery),
				e2e.WaitText(`#who-title`, "Patient"),
				chromedp.WaitVisible(`input[name=slot][value="`+s.slot("16:00")+`"]:checked`, chromedp.ByQuery),
				e2e.Settled(),
				chromedp.Click(`form[method=post][action="/appointments/new"] button[type=submit]`, chromedp.ByQuery),
				e2e.WaitText(`.notice`, "Appointment booked."),
				chromedp.Text(`main`, &text, chromedp.ByQuery),
			)
			wantText(t, "booked from the grid", text, "Thabo Nkosi", "16:00", "Dr Naidoo")

			// Today in a second browser (another context): the check-in made
			// here appears there without a reload.
			other := e2e.Browser(t, width, 900) // a browser of its own: its own cookies
			signIn(other, "front@sunrise.example")
			run(other, "today",
				chromedp.Navigate(env.URL+"/today"),
				chromedp.WaitVisible(`#today-live tbody tr`, chromedp.ByQuery),
				e2e.Settled(),
				chromedp.Evaluate(`window.notReloaded = true`, nil),
			)
			noOverflow(t, other, "Today")
			e2e.Axe(t, other, "Today")
			as, _, err := env.DB.ListAppointments(tenant(p), medic.AppointmentFilter{PatientID: s.thabo.ID}, medic.Page{Limit: 5})
			if err != nil || len(as) != 1 {
				t.Fatalf("appointments: %v, %v", as, err)
			}
			row := `#appt-` + as[0].ID
			// The first browser checks the patient in from its own Today.
			run(ctx, "check in in the first browser",
				chromedp.Navigate(env.URL+"/today"),
				chromedp.WaitVisible(row, chromedp.ByQuery),
				e2e.Settled(),
				chromedp.Click(row+` form:has(input[value="checked_in"]) button`, chromedp.ByQuery),
				e2e.WaitText(`.notice`, "Appointment updated."),
			)
			var same bool
			run(other, "the check-in shows up in the second",
				e2e.WaitText(row, "Checked in"),
				chromedp.Evaluate(`window.notReloaded === true`, &same),
			)
			if !same {
				t.Error("the second browser's Today was reloaded, not refreshed in place")
			}
		})
	}
}

// The chart, the calendar (day and week) and Today fit the window at
// phone, laptop and desktop widths (no element wider than its box), even
// with a long email address and a booked visit in the header, and pass
// axe (contrast included) at phone and laptop widths.
func TestDeskPagesFitEveryWidth(t *testing.T) {
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	const password = "correct horse battery"
	env.Member(t, p, env.User(t, "desk@sunrise.example", password), medic.RoleReceptionist)
	s := seedClinic(t, env, p)
	s.thabo.Email = "thabo.mokoena.with.a.very.long.address@a-rather-long-mail-domain.example.org"
	s.thabo.Address = "Unit 1204, The Very Long Named Residential Estate, 123 Jan Smuts Avenue, Rosebank, Johannesburg, 2196"
	if err := env.DB.UpdatePatient(tenant(p), s.thabo); err != nil {
		t.Fatal(err)
	}
	admin := medic.WithTenant(tenant(p), medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone, Role: medic.RoleAdmin})
	for pt, hhmm := range map[*medic.Patient]string{s.thabo: "14:00", s.lerato: "10:30"} {
		if _, err := env.App.BookAppointment(admin, app.BookingRequest{PatientID: pt.ID, PractitionerID: s.pr.ID, LocationID: s.loc.ID,
			AppointmentTypeID: s.typ.ID, Start: s.slotTime(hhmm)}); err != nil {
			t.Fatal(err)
		}
	}
	pages := []struct{ name, path, ready string }{
		{"the chart", "/patients/" + s.thabo.ID, `h1`},
		{"the day grid", "/calendar?view=day", `.sched`},
		{"the week", "/calendar?view=week", `table.calendar-week`},
		{"Today", "/today", `#today-live tbody tr`},
	}
	for _, width := range []int{390, 1366, 1920} {
		ctx := e2e.Browser(t, width, 900)
		err := chromedp.Run(ctx,
			chromedp.EmulateViewport(int64(width), 900),
			chromedp.Navigate(env.URL+"/login"),
			chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=email]`, "desk@sunrise.example", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
			chromedp.Submit(`input[name=password]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#desk-search`, chromedp.ByQuery),
		)
		if err != nil {
			t.Fatalf("%d px: sign in: %v", width, err)
		}
		for _, pg := range pages {
			what := fmt.Sprintf("%s at %d px", pg.name, width)
			if err := chromedp.Run(ctx, chromedp.Navigate(env.URL+pg.path), chromedp.WaitVisible(pg.ready, chromedp.ByQuery), e2e.Settled()); err != nil {
				e2e.Screenshot(t, ctx, fmt.Sprintf("desk-pages-%d-failed", width))
				t.Fatalf("%s: %v", what, err)
			}
			var inner int
			if err := chromedp.Run(ctx, chromedp.Evaluate(`window.innerWidth`, &inner)); err != nil || inner != width {
				t.Fatalf("%s: the window is %d px wide (%v)", what, inner, err)
			}
			noOverflow(t, ctx, what)
			if width != 1920 {
				e2e.Axe(t, ctx, what)
			}
		}
	}
}

// A receptionist moves a booked appointment on the day grid by keyboard
// alone (focus the block, arrow keys, Enter), sees it at its new time, and
// a move onto a time that is taken is refused with a visible message and
// leaves the appointment where it was.
func TestDeskRescheduleByKeyboard(t *testing.T) {
	for _, width := range []int{1366, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			env := servertest.New(t)
			p := env.Practice(t, "sunrise") // the clock's 08:00 UTC is 10:00 in Johannesburg
			const password = "correct horse battery"
			env.Member(t, p, env.User(t, "desk@sunrise.example", password), medic.RoleReceptionist)
			s := seedClinic(t, env, p)
			admin := medic.WithTenant(tenant(p), medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone, Role: medic.RoleAdmin})
			book := func(pt *medic.Patient, hhmm string) *medic.Appointment {
				t.Helper()
				ap, err := env.App.BookAppointment(admin, app.BookingRequest{PatientID: pt.ID, PractitionerID: s.pr.ID, LocationID: s.loc.ID,
					AppointmentTypeID: s.typ.ID, Start: s.slotTime(hhmm)})
				if err != nil {
					t.Fatalf("book %s: %v", hhmm, err)
				}
				return ap
			}
			thabo, taken := book(s.thabo, "14:00"), book(s.lerato, "15:00")

			ctx := e2e.Browser(t, width, 900)
			run := func(step string, actions ...chromedp.Action) {
				t.Helper()
				if err := chromedp.Run(ctx, actions...); err != nil {
					e2e.Screenshot(t, ctx, fmt.Sprintf("desk-keyboard-move-%d-failed", width))
					t.Fatalf("%s: %v", step, err)
				}
			}
			block := `a.sched-block[href="/appointments/` + thabo.ID + `"]`
			// rowOf is the grid row labelled hh:mm.
			rowOf := func(hhmm string) string {
				t.Helper()
				var row string
				run("row of "+hhmm, chromedp.AttributeValue(`.sched-time[data-label="`+hhmm+`"]`, "data-row", &row, nil, chromedp.ByQuery))
				return row
			}
			blockRow := func() string {
				t.Helper()
				var row string
				run("the block's row", chromedp.AttributeValue(block, "data-row", &row, nil, chromedp.ByQuery))
				return row
			}
			run("sign in",
				chromedp.EmulateViewport(int64(width), 900),
				chromedp.Navigate(env.URL+"/login"),
				chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
				chromedp.SendKeys(`input[name=email]`, "desk@sunrise.example", chromedp.ByQuery),
				chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
				chromedp.Submit(`input[name=password]`, chromedp.ByQuery),
				chromedp.WaitVisible(`#desk-search`, chromedp.ByQuery),
				chromedp.Navigate(env.URL+"/calendar?view=day"),
				chromedp.WaitVisible(block, chromedp.ByQuery),
				e2e.Settled(),
			)
			if got, want := blockRow(), rowOf("14:00"); got != want {
				t.Fatalf("the block is on row %s, want 14:00's %s", got, want)
			}

			// Down one row (30 minutes) and Enter: moved to 14:30.
			var said string
			run("move by keyboard",
				chromedp.Focus(block, chromedp.ByQuery),
				chromedp.KeyEvent(kb.ArrowDown),
				e2e.WaitText(`#move-status`, "Move to 14:30 with Dr Naidoo"),
				chromedp.Text(`#move-status`, &said, chromedp.ByQuery),
				chromedp.KeyEvent(kb.Enter),
				e2e.WaitText(`.notice`, "Appointment moved."),
				chromedp.WaitVisible(block, chromedp.ByQuery),
				e2e.Settled(),
			)
			if got, want := blockRow(), rowOf("14:30"); got != want {
				t.Errorf("after the move the block is on row %s, want 14:30's %s", got, want)
			}
			var text string
			run("the moved block", chromedp.Text(block, &text, chromedp.ByQuery))
			wantText(t, "the moved block", text, "14:30–15:00", "Thabo Nkosi")
			if ap, err := env.DB.FindAppointment(tenant(p), thabo.ID); err != nil || !ap.Start.Equal(s.slotTime("14:30")) || ap.Status != medic.StatusBooked {
				t.Fatalf("stored after the move: %+v, %v", ap, err)
			}

			// Down again, onto Lerato's 15:00: refused, said so, not moved.
			run("move onto a taken time",
				chromedp.Focus(block, chromedp.ByQuery),
				chromedp.KeyEvent(kb.ArrowDown),
				e2e.WaitText(`#move-status`, "Move to 15:00 with Dr Naidoo"),
				chromedp.KeyEvent(kb.Enter),
				e2e.WaitText(`.alert`, "That time was just taken."),
				chromedp.Text(`main`, &text, chromedp.ByQuery),
			)
			wantText(t, "the refused move", text, "That time was just taken. Choose another time below.", "Thabo Nkosi")
			var visible bool
			run("the message is visible", chromedp.Evaluate(`(() => { const a = document.querySelector(".alert"); const r = a.getBoundingClientRect();
				return r.width > 0 && r.height > 0 && getComputedStyle(a).visibility === "visible"; })()`, &visible))
			if !visible {
				t.Error("the refusal is in the page but not visible")
			}
			e2e.Axe(t, ctx, "the refused move")
			for id, want := range map[string]string{thabo.ID: "14:30", taken.ID: "15:00"} {
				if ap, err := env.DB.FindAppointment(tenant(p), id); err != nil || !ap.Start.Equal(s.slotTime(want)) || ap.Status != medic.StatusBooked {
					t.Errorf("stored after the refused move: %+v, %v; want booked at %s", ap, err, want)
				}
			}
		})
	}
}
