// Package e2e drives the desk in a real browser (Debian's chromium through
// chromedp) against the full stack on a real PostgreSQL.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian installs chromium (scripts/install-test-deps.sh).
const ChromiumPath = "/usr/bin/chromium"

// Browser starts a headless chromium for the test and returns its context.
// It fails the test when chromium is missing: the browser tests never skip.
func Browser(t testing.TB, width, height int) context.Context {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Fatalf("chromium is required for browser tests (%v); run scripts/install-test-deps.sh", err)
	}
	// Not t.TempDir: chromium's helpers may still be writing the profile
	// when the test ends, and a failed removal must not fail the test.
	profile, err := os.MkdirTemp("", "medic-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// Start the browser on the untimed context (a timeout here would stop
	// the browser with it), then bound the test's steps.
	if err := chromedp.Run(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(profile)
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc(); _ = os.RemoveAll(profile) })
	return tctx
}

// Screenshot saves a full-page PNG as a test artefact under
// $MEDIC_ARTIFACTS (default testdata/artifacts beside the test).
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("MEDIC_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// WaitText waits until the first element matching sel has substr in its
// text, on a settled page (see Settled).
func WaitText(sel, substr string) chromedp.Action {
	js, _ := json.Marshal(sel)
	sub, _ := json.Marshal(substr)
	return WaitJS(settled + ` && (() => { const e = document.querySelector(` + string(js) + `); return !!e && e.textContent.includes(` + string(sub) + `); })()`)
}

// Settled waits until the page has loaded, htmx runs, no htmx request,
// swap or settle is under way (the settle step can still scroll) and htmx
// has bound every element with hx- attributes (it keeps
// an initHash per processed element). A click before htmx starts is a full
// page load instead of a swap, and keys typed before an element is bound
// trigger nothing: both made steps flaky.
func Settled() chromedp.Action { return WaitJS(settled) }

const settled = `document.readyState === "complete" && !!window.htmx &&
	!document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added") &&
	[...document.querySelectorAll("[hx-get],[hx-post],[hx-trigger],[hx-boost]")].every(e => (e["htmx-internal-data"] || {}).initHash)`

// WaitJS polls the expression until it is true. Errors while the page is
// being replaced (its JavaScript context gone) are waited through; the
// last one is reported if the condition never holds.
func WaitJS(expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		deadline := time.Now().Add(20 * time.Second)
		for {
			var ok bool
			err := chromedp.Evaluate(expr, &ok).Do(ctx)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("waiting for %s: timed out (last error: %v)", expr, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond): // the next look, not a guess at timing
			}
		}
	})
}

// AxeScript is axe-core's browser bundle, installed (pinned, test-only) by
// scripts/install-test-deps.sh beside this file under testdata/node_modules.
var AxeScript = filepath.Join(sourceDir(), "testdata", "node_modules", "axe-core", "axe.min.js")

func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Dir(file)
}

var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(AxeScript)
	return string(b), err
})

// axeTags are the rules Axe runs: WCAG 2.0 and 2.1, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// AxeViolation is one rule a page breaks, with the elements that break it.
type AxeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  []any  `json:"target"` // selectors; a nested list for elements in frames or shadow roots
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// Axe checks the current page with axe-core against WCAG 2.0/2.1 A and
// AA once it has settled (see Settled) and fails the test with each
// violation, naming the page as name. It fails, never skips, when axe-core
// is not installed.
//
// The script goes in through the DevTools protocol (Runtime.evaluate),
// which the pages' Content-Security-Policy (script-src 'self') does not
// govern; the page itself is checked as served, CSP and all.
func Axe(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("axe-core is required for the accessibility checks (%v); run scripts/install-test-deps.sh", err)
	}
	if err := chromedp.Run(ctx, Settled()); err != nil {
		t.Fatalf("axe %s: %v", name, err)
	}
	tags, _ := json.Marshal(axeTags)
	run := `(async () => {
		if (!window.axe) {
			` + src + `
		}
		const r = await axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}, resultTypes: ["violations"]});
		return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary}))}));
	})()`
	var violations []AxeViolation
	err = chromedp.Run(ctx, chromedp.Evaluate(run, &violations, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	if err != nil {
		t.Fatalf("axe %s: %v", name, err)
	}
	if len(violations) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "axe: %s has %d accessibility violation(s):", name, len(violations))
	for _, v := range violations {
		fmt.Fprintf(&b, "\n- %s (%s): %s <%s>", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			target, _ := json.Marshal(n.Target)
			fmt.Fprintf(&b, "\n    %s\n      %s", target, strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
	}
	t.Error(b.String())
}
