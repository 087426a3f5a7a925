package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"medic"
	"medic/internal/app"
	"medic/internal/e2e"
	"medic/internal/server/servertest"
)

// The consultation at 1366 px, one browser passed from hand to
// hand: reception checks in today's appointment from Today; the nurse
// starts the visit at triage and records vitals; the doctor opens the
// queue, takes the patient, writes the SOAP note from a template, finds
// and adds a diagnosis with the keyboard alone, orders a lab test and
// finishes; then adds an addendum, which the chart's timeline shows with
// its author and reason. The queue, encounter and chart pages are
// axe-clean.
func TestConsultation(t *testing.T) {
	env := servertest.New(t)
	p := env.Practice(t, "sunrise") // the clock's 08:00 UTC is 10:00 in Johannesburg
	const password = "correct horse battery"
	env.Member(t, p, env.User(t, "reception@sunrise.example", password), medic.RoleReceptionist)
	env.Member(t, p, env.User(t, "nurse@sunrise.example", password), medic.RoleNurse)
	env.Member(t, p, env.User(t, "doctor@sunrise.example", password), medic.RoleDoctor) // named "doctor"
	s := seedClinic(t, env, p)
	admin := medic.WithTenant(context.Background(), medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone, Role: medic.RoleAdmin})
	ap, err := env.App.BookAppointment(admin, app.BookingRequest{PatientID: s.thabo.ID, PractitionerID: s.pr.ID, LocationID: s.loc.ID,
		AppointmentTypeID: s.typ.ID, Start: s.slotTime("10:30")})
	if err != nil {
		t.Fatal(err)
	}

	ctx := e2e.Browser(t, 1366, 1000)
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			e2e.Screenshot(t, ctx, "consultation-failed")
			t.Fatalf("%s: %v", step, err)
		}
	}
	// signIn hands the browser to another member: cookies cleared, then
	// the sign-in form.
	signIn := func(email string) {
		t.Helper()
		run("sign in "+email,
			network.ClearBrowserCookies(),
			chromedp.Navigate(env.URL+"/login"),
			chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=email]`, email, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
			chromedp.Submit(`input[name=password]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#desk-search`, chromedp.ByQuery),
			e2e.Settled(),
		)
	}
	row := `#appt-` + ap.ID
	var text string

	// Reception: check in from Today.
	signIn("reception@sunrise.example")
	run("check in from Today",
		chromedp.Navigate(env.URL+"/today"),
		chromedp.WaitVisible(row, chromedp.ByQuery),
		e2e.Settled(),
		chromedp.Click(`#act-`+ap.ID+`-checked_in`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Appointment updated."),
		e2e.WaitText(row, "Checked in"),
	)

	// The nurse starts the visit from Today (at triage) and records vitals.
	signIn("nurse@sunrise.example")
	var encounterURL string
	run("the nurse starts the visit",
		chromedp.Navigate(env.URL+"/today"),
		chromedp.WaitVisible(`#consult-`+ap.ID, chromedp.ByQuery),
		e2e.Settled(),
		chromedp.Click(`#consult-`+ap.ID, chromedp.ByQuery),
		e2e.WaitText(`h1`, "Thabo Nkosi"),
		e2e.WaitText(`.stage-current`, "Assessment"),
		chromedp.Location(&encounterURL),
	)
	encounter := encounterURL[strings.LastIndex(encounterURL, "/")+1:]
	run("the nurse records vitals at triage",
		chromedp.SendKeys(`#v-systolic_mmhg`, "152", chromedp.ByQuery),
		chromedp.SendKeys(`#v-diastolic_mmhg`, "96", chromedp.ByQuery),
		chromedp.SendKeys(`#v-pulse_bpm`, "84", chromedp.ByQuery),
		chromedp.SendKeys(`#v-temperature_c`, "36.8", chromedp.ByQuery),
		chromedp.Submit(`#v-systolic_mmhg`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Vitals recorded."),
		chromedp.Text(`#vitals .vitals-sets`, &text, chromedp.ByQuery),
	)
	wantText(t, "the recorded vitals", text, "152", "96", "84", "36.8")

	// The doctor: the queue, then the visit.
	signIn("doctor@sunrise.example")
	card := `article.queue-card a[href="/encounters/` + encounter + `"]`
	run("the doctor opens the queue",
		chromedp.Navigate(env.URL+"/queue"),
		chromedp.WaitVisible(card, chromedp.ByQuery),
		e2e.Settled(),
		chromedp.Text(`#queue-board`, &text, chromedp.ByQuery),
	)
	wantText(t, "the queue", text, "Thabo Nkosi", "Dr Naidoo")
	e2e.Axe(t, ctx, "the queue")
	run("the doctor takes the patient to consultation",
		chromedp.Click(card, chromedp.ByQuery),
		e2e.WaitText(`h1`, "Thabo Nkosi"),
		e2e.Settled(),
		chromedp.Click(`#stage-consultation`, chromedp.ByQuery),
		e2e.WaitText(`.stage-current`, "Consultation"),
		e2e.Settled(),
	)
	run("SOAP from a template",
		chromedp.SetValue(`#template-id`, templateID(t, env, p, "General consultation"), chromedp.ByQuery),
		chromedp.Click(`form[action$="/template"] button[type=submit]`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Template added to the note."),
		e2e.Settled(),
		chromedp.Value(`#note-subjective`, &text, chromedp.ByQuery),
	)
	wantText(t, "the note after the template", text, "Presenting complaint:")
	// Typed, then Alt+S: the autosave at once (its status says "Saved
	// at"; the page as loaded says "Saved"). Read back after a reload.
	run("write the assessment and save",
		chromedp.Focus(`#note-assessment`, chromedp.ByQuery),
		chromedp.KeyEvent(kb.End),
		chromedp.KeyEvent("\nEssential hypertension, poorly controlled."),
		chromedp.KeyEvent("s", chromedp.KeyModifiers(input.ModifierAlt)),
		e2e.WaitText(`#save-status`, "Saved at"),
		e2e.Settled(),
		chromedp.Reload(),
		e2e.WaitText(`h1`, "Thabo Nkosi"),
		e2e.Settled(),
		chromedp.Value(`#note-assessment`, &text, chromedp.ByQuery),
	)
	wantText(t, "the saved assessment", text, "Working diagnosis:", "Essential hypertension, poorly controlled.")

	// A diagnosis with the keyboard alone: Alt+D to the search, words,
	// Tab to the matches, arrow keys to I10, Enter.
	run("search ICD-10 from the keyboard",
		chromedp.KeyEvent("d", chromedp.KeyModifiers(input.ModifierAlt)),
		e2e.WaitJS(`document.activeElement && document.activeElement.id === "diagnosis-q"`),
		chromedp.KeyEvent("essential hypertension"),
		e2e.WaitText(`#diagnosis-options`, "I10"),
		e2e.Settled(),
	)
	var at int
	run("find I10 among the matches",
		chromedp.Evaluate(`[...document.querySelectorAll("#diagnosis-options input[type=radio]")].findIndex(r => r.value === "I10")`, &at))
	if at < 0 {
		t.Fatal("I10 is not among the matches")
	}
	keys := []chromedp.Action{chromedp.KeyEvent(kb.Tab)}
	for i := 0; i < at; i++ {
		keys = append(keys, chromedp.KeyEvent(kb.ArrowDown))
	}
	keys = append(keys,
		e2e.WaitJS(`document.activeElement && document.activeElement.value === "I10" && document.activeElement.checked`),
		chromedp.KeyEvent(kb.Enter),
		e2e.WaitText(`.notice`, "Diagnosis added."),
		e2e.Settled(),
		chromedp.Text(`#diagnoses .clinical-list`, &text, chromedp.ByQuery),
	)
	run("choose I10 and add it", keys...)
	wantText(t, "the diagnoses", text, "I10", "Primary")

	run("order a lab test",
		chromedp.SetValue(`#order-common`, "FBC", chromedp.ByQuery),
		chromedp.Submit(`#order-common`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Order placed."),
		e2e.Settled(),
		chromedp.Text(`#orders .order-list`, &text, chromedp.ByQuery),
	)
	wantText(t, "the orders", text, "FBC", "Full blood count", "Ordered")
	e2e.Axe(t, ctx, "the encounter in consultation")

	run("finish",
		chromedp.KeyEvent("f", chromedp.KeyModifiers(input.ModifierAlt)), // the confirmation box
		e2e.WaitJS(`document.activeElement && document.activeElement.name === "confirm"`),
		chromedp.KeyEvent(" "),
		chromedp.Click(`#finish-encounter`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Encounter finished and locked."),
		e2e.WaitText(`#note-title`, "Note (locked)"),
		e2e.Settled(),
	)
	run("add an addendum",
		chromedp.SendKeys(`#addendum-text`, "Patient phoned: home readings 150/95.", chromedp.ByQuery),
		chromedp.SendKeys(`#addendum-reason`, "Home BP readings after the visit", chromedp.ByQuery),
		chromedp.Submit(`#addendum-text`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Addendum added."),
		chromedp.Text(`#addenda`, &text, chromedp.ByQuery),
	)
	wantText(t, "the addenda", text, "doctor · reason: Home BP readings after the visit", "Patient phoned: home readings 150/95.")
	e2e.Axe(t, ctx, "the finished encounter with its addendum")

	// The chart: the addendum in the timeline with author and reason, the
	// lab test among the outstanding orders.
	run("the chart",
		chromedp.Navigate(env.URL+"/patients/"+s.thabo.ID),
		e2e.WaitText(`#timeline`, "Addendum by doctor (reason: Home BP readings after the visit): Patient phoned: home readings 150/95."),
		e2e.Settled(),
		chromedp.Text(`#timeline`, &text, chromedp.ByQuery),
	)
	wantText(t, "the timeline", text, "Visit with Dr Naidoo at Main Street: Working diagnosis:", "I10", "Order (lab, ordered): Full blood count (FBC)",
		"BP 152/96 mmHg")
	run("the summary", chromedp.Text(`#outstanding-orders`, &text, chromedp.ByQuery))
	wantText(t, "the outstanding orders", text, "Full blood count (FBC)", "Ordered", "ordered today")
	e2e.Axe(t, ctx, "the chart after the consultation")
	e2e.Screenshot(t, ctx, "consultation-chart")
}

// templateID is the id of the practice's SOAP template called name.
func templateID(t *testing.T, env *servertest.Env, p *medic.Practice, name string) string {
	t.Helper()
	ts, err := env.DB.ListEncounterTemplates(tenant(p), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.Name == name {
			return x.ID
		}
	}
	t.Fatalf("no template %q", name)
	return ""
}
