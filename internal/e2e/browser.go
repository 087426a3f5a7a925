// Package e2e drives the desk in a real browser (Debian's chromium through
// chromedp) against the full stack on a real PostgreSQL.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

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
