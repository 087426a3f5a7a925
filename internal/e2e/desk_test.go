package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"medic"
	"medic/internal/e2e"
	"medic/internal/server/servertest"
)

// A user who works in two practices signs in, sees the first practice's
// members only, switches practice and sees only the second's.
func TestDeskSignInSwitchPracticeSeesOnlyThatPractice(t *testing.T) {
	env := servertest.New(t)
	sunrise := env.Practice(t, "sunrise")
	harbour := env.Practice(t, "harbour")
	both := env.User(t, "both@example.org", "correct horse battery")
	env.Member(t, sunrise, both, medic.RoleDoctor)
	env.Member(t, harbour, both, medic.RoleAdmin)
	env.Member(t, sunrise, env.User(t, "nurse@sunrise.example", "correct horse battery"), medic.RoleNurse)
	env.Member(t, harbour, env.User(t, "billing@harbour.example", "correct horse battery"), medic.RoleBilling)

	ctx := e2e.Browser(t, 1280, 900)
	var heading, members string
	err := chromedp.Run(ctx,
		chromedp.Navigate(env.URL+"/"),
		chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery), // signed out: the desk sends us to /login
		chromedp.SendKeys(`input[name=email]`, "both@example.org", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, "correct horse battery", chromedp.ByQuery),
		chromedp.Submit(`input[name=password]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#switch-practice`, chromedp.ByQuery),
		chromedp.Text(`main`, &heading, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	first := sunrise
	second := harbour
	if !strings.Contains(heading, sunrise.Name) {
		first, second = harbour, sunrise
	}
	if !strings.Contains(heading, first.Name) {
		t.Fatalf("dashboard does not name the practice; main text: %q", heading)
	}

	err = chromedp.Run(ctx,
		chromedp.Navigate(env.URL+"/members"),
		chromedp.WaitVisible(`table`, chromedp.ByQuery),
		chromedp.Text(`main`, &members, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("members page: %v", err)
	}
	checkMembers(t, members, first == sunrise)
	e2e.Axe(t, ctx, "the members page") // its "Active" badges: the green on green was 4.47:1

	// Switch with the switcher in the header, as a user would.
	err = chromedp.Run(ctx,
		chromedp.SetValue(`#switch-practice`, second.ID, chromedp.ByQuery),
		chromedp.Submit(`#switch-practice`, chromedp.ByQuery),
		chromedp.WaitVisible(`#switch-practice`, chromedp.ByQuery),
		chromedp.Navigate(env.URL+"/members"),
		chromedp.WaitVisible(`table`, chromedp.ByQuery),
		chromedp.Text(`main`, &members, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("switch practice: %v", err)
	}
	checkMembers(t, members, second == sunrise)
	e2e.Screenshot(t, ctx, "desk-members-after-switch")
}

func checkMembers(t *testing.T, page string, sunrise bool) {
	t.Helper()
	own, foreign := "nurse@sunrise.example", "billing@harbour.example"
	if !sunrise {
		own, foreign = foreign, own
	}
	if !strings.Contains(page, own) || !strings.Contains(page, "both@example.org") {
		t.Errorf("members page lacks the practice's own members (%s); got %q", own, page)
	}
	if strings.Contains(page, foreign) {
		t.Errorf("members page shows %s from the other practice", foreign)
	}
}
