package e2e_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"medic"
	"medic/internal/e2e"
	"medic/internal/server/servertest"
)

// A doctor records a severe allergy on the chart (the banner appears) and
// adds a problem from the keyboard alone: type words, Tab to the matches,
// arrow down, Enter. The chart page is axe-clean with the banner and forms.
func TestChartAllergyBannerAndProblemByKeyboard(t *testing.T) {
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	const password = "correct horse battery"
	env.Member(t, p, env.User(t, "dr@sunrise.example", password), medic.RoleDoctor)
	seedClinic(t, env, p)
	lerato := &medic.Patient{GivenName: "Lerato", FamilyName: "Mokoena", DateOfBirth: medic.NewDate(1990, 1, 2)}
	if err := env.DB.CreatePatient(tenant(p), lerato); err != nil {
		t.Fatal(err)
	}

	ctx := e2e.Browser(t, 1366, 1000)
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			e2e.Screenshot(t, ctx, "chart-lists-failed")
			t.Fatalf("%s: %v", step, err)
		}
	}
	var text string
	run("sign in and open the chart",
		chromedp.Navigate(env.URL+"/login"),
		chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "dr@sunrise.example", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
		chromedp.Submit(`input[name=password]`, chromedp.ByQuery),
		chromedp.WaitVisible(`nav.mainnav a[href="/patients"]`, chromedp.ByQuery),
		chromedp.Navigate(env.URL+"/patients/"+lerato.ID),
		e2e.WaitText(`#allergies`, "Not yet asked"),
		e2e.Settled(),
	)
	run("record a severe allergy",
		chromedp.SendKeys(`#allergy-substance`, "Penicillin", chromedp.ByQuery),
		chromedp.SendKeys(`#allergy-reaction`, "Anaphylaxis", chromedp.ByQuery),
		chromedp.SetValue(`#allergy-severity`, "severe", chromedp.ByQuery),
		chromedp.Submit(`#allergy-substance`, chromedp.ByQuery),
		e2e.WaitText(`.allergy-banner`, "Severe allergy: Penicillin"),
		e2e.Settled(),
	)
	run("add a problem from the keyboard",
		chromedp.Focus(`#condition-q`, chromedp.ByQuery),
		chromedp.SendKeys(`#condition-q`, "diabetes type 2", chromedp.ByQuery),
		e2e.WaitText(`#condition-options`, "E11.9"),
		e2e.Settled(),
		chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.Enter),
		e2e.WaitText(`.notice`, "Problem added to the list."),
		chromedp.Text(`#problems`, &text, chromedp.ByQuery),
	)
	wantText(t, "problem list", text, "Type 2 diabetes mellitus")
	e2e.Axe(t, ctx, "the chart with its allergy banner, allergies and problem list")
}
