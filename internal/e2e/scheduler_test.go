package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"medic"
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

// The chart fits the window at phone, laptop and desktop widths, even with
// a long email address and a booked visit in the header.
func TestChartFitsEveryWidth(t *testing.T) {
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
	for _, width := range []int{390, 1366, 1920} {
		ctx := e2e.Browser(t, width, 900)
		err := chromedp.Run(ctx,
			chromedp.Navigate(env.URL+"/login"),
			chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=email]`, "desk@sunrise.example", chromedp.ByQuery),
			chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
			chromedp.Submit(`input[name=password]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#desk-search`, chromedp.ByQuery),
			chromedp.Navigate(env.URL+"/patients/"+s.thabo.ID),
			e2e.WaitText(`h1`, "Thabo Nkosi"),
			e2e.Settled(),
		)
		if err != nil {
			t.Fatalf("%d px: %v", width, err)
		}
		noOverflow(t, ctx, fmt.Sprintf("the chart at %d px", width))
	}
}
