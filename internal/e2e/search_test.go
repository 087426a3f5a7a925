package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"medic"
	"medic/internal/e2e"
	"medic/internal/server/servertest"
)

// From any desk page, "/" puts the cursor in the top bar's search; typing
// a misspelt name or a date of birth (two ways of writing it) lists the
// chart while one types, and the arrow key and Enter open it. The full
// results page passes axe and fits the window.
func TestDeskSearchFromTheTopBar(t *testing.T) {
	for _, width := range []int{1366, 390} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			env := servertest.New(t)
			p := env.Practice(t, "sunrise")
			const password = "correct horse battery"
			env.Member(t, p, env.User(t, "desk@sunrise.example", password), medic.RoleReceptionist)
			s := seedClinic(t, env, p) // Thabo Nkosi, born 14 July 1985; Lerato Dlamini

			ctx := e2e.Browser(t, width, 900)
			run := func(step string, actions ...chromedp.Action) {
				t.Helper()
				if err := chromedp.Run(ctx, actions...); err != nil {
					e2e.Screenshot(t, ctx, fmt.Sprintf("desk-search-%d-failed", width))
					t.Fatalf("%s: %v", step, err)
				}
			}
			run("sign in and open Today",
				chromedp.EmulateViewport(int64(width), 900),
				chromedp.Navigate(env.URL+"/login"),
				chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
				chromedp.SendKeys(`input[name=email]`, "desk@sunrise.example", chromedp.ByQuery),
				chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
				chromedp.Submit(`input[name=password]`, chromedp.ByQuery),
				chromedp.WaitVisible(`#desk-search`, chromedp.ByQuery),
				chromedp.Navigate(env.URL+"/today"),
				chromedp.WaitVisible(`#today-live`, chromedp.ByQuery),
				e2e.Settled(),
			)
			hit := `#search-results a.search-hit[href="/patients/` + s.thabo.ID + `"]`
			for _, q := range []string{"Nkozi", "14/07/1985", "1985-07-14"} {
				var focused bool
				var text string
				run("search for "+q,
					// Away from any field, "/" goes to the search box.
					chromedp.Evaluate(`document.activeElement && document.activeElement.blur(); true`, nil),
					chromedp.KeyEvent("/"),
					chromedp.Evaluate(`document.activeElement === document.getElementById("desk-search")`, &focused),
				)
				if !focused {
					t.Fatalf("%q: / did not focus the search box", q)
				}
				run("type "+q,
					chromedp.Evaluate(`document.getElementById("desk-search").value = ""; document.getElementById("search-results").innerHTML = ""; true`, nil),
					chromedp.KeyEvent(q),
					chromedp.WaitVisible(hit, chromedp.ByQuery),
					e2e.Settled(),
					chromedp.Text(`#search-results`, &text, chromedp.ByQuery),
				)
				wantText(t, "results for "+q, text, "Nkosi, Thabo")
				if strings.Contains(text, "Dlamini") {
					t.Errorf("%q also lists Lerato Dlamini: %q", q, text)
				}
			}
			// Down to the first result, Enter: the chart.
			var active string
			run("down to the result",
				chromedp.KeyEvent(kb.ArrowDown),
				chromedp.Evaluate(`document.activeElement.getAttribute("href")`, &active),
			)
			if active != "/patients/"+s.thabo.ID {
				t.Fatalf("the down arrow focused %q, want the chart's link", active)
			}
			run("Enter opens the chart",
				chromedp.KeyEvent(kb.Enter),
				e2e.WaitText(`h1`, "Thabo Nkosi"),
				e2e.Settled(),
			)

			// The results page itself (the box's form without script).
			run("the results page",
				chromedp.Navigate(env.URL+"/search?q=nkozi"),
				chromedp.WaitVisible(`main a[href="/patients/`+s.thabo.ID+`"]`, chromedp.ByQuery),
				e2e.Settled(),
			)
			noOverflow(t, ctx, fmt.Sprintf("the search results at %d px", width))
			e2e.Axe(t, ctx, fmt.Sprintf("the search results at %d px", width))
		})
	}
}
