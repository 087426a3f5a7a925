package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"medic"
)

func TestPublicBookingPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise Family Practice")
	e.mustLocation(p, "Main Street Clinic")
	other := e.mustPractice("harbour", "Harbour")
	e.mustLocation(other, "Harbour Site")
	c := e.client()

	r := c.get("/book/sunrise")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Sunrise Family Practice", "Main Street Clinic", "Online booking opens soon")
	wantNotContains(t, r, "Harbour Site")

	r = c.getNoFollow("/book?practice=sunrise")
	if r.status != http.StatusFound || r.location != "/book/sunrise" {
		t.Fatalf("/book?practice=: %d %q", r.status, r.location)
	}
	wantStatus(t, c.get("/book/nowhere"), http.StatusNotFound)
	wantStatus(t, c.get("/book"), http.StatusNotFound)

	if err := e.db.SetPracticeStatus(context.Background(), p.ID, medic.PracticeSuspended); err != nil {
		t.Fatal(err)
	}
	r = c.get("/book/sunrise")
	wantStatus(t, r, http.StatusServiceUnavailable)
	wantContains(t, r, "This practice is not available at the moment.")
	wantNotContains(t, r, "Main Street Clinic")
}

func TestDevMailboxOnlyWhenEnabled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutMailbox)
	wantStatus(t, e.client().get("/dev/mailbox"), http.StatusNotFound)
	e2 := newEnv(t)
	// The mails hold live reset links: not for visitors or members.
	wantStatus(t, e2.client().get("/dev/mailbox"), http.StatusNotFound)
	e2.mustOperator("op@example.org")
	r := e2.signIn("op@example.org").get("/dev/mailbox")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "No emails yet.")
}

func TestStaticAssetsAndPageHygiene(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	e.mustOperator("op@example.org")
	c := e.signIn("admin@sunrise.example")

	login := e.client().get("/login")
	css := regexpFind(t, login.body, `href="(/static/app\.css\?v=[0-9a-f]+)"`)
	js := regexpFind(t, login.body, `src="(/static/htmx\.min\.js\?v=[0-9a-f]+)"`)
	for _, path := range []string{css, js} {
		r := c.get(path)
		wantStatus(t, r, http.StatusOK)
		if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
	}
	// Text assets go gzipped to clients that take it, the same bytes.
	for _, path := range []string{css, js} {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "br, gzip;q=0.8")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		zipped, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("%s: Content-Encoding %q, Vary %q", path, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(zipped))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		unzipped, _ := io.ReadAll(zr)
		req, _ = http.NewRequest("GET", e.srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "identity")
		resp, err = http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(raw, unzipped) || len(zipped) >= len(raw) {
			t.Errorf("%s: identity %d bytes (%q), gzip %d bytes, unzipped equal: %v", path, len(raw), resp.Header.Get("Content-Encoding"), len(zipped), bytes.Equal(raw, unzipped))
		}
	}
	wantStatus(t, c.get("/static/nope.css"), http.StatusNotFound)
	wantStatus(t, c.get("/static/"), http.StatusNotFound)

	// Every desk page: landmark, skip link, no inline script or style
	// (the CSP forbids them), htmx without its inline indicator styles.
	op := e.signIn("op@example.org")
	pages := map[string]page{}
	for _, path := range []string{"/", "/members", "/locations", "/locations/new", "/settings", "/audit", "/account", "/notifications"} {
		pages[path] = c.get(path)
	}
	pages["/operator"] = op.get("/operator")
	pages["/login"] = login
	pages["/forgot"] = e.client().get("/forgot")
	pages["/book/sunrise"] = e.client().get("/book/sunrise")
	pages["/dev/mailbox"] = op.get("/dev/mailbox")
	inlineScript := regexpMust(`<script(?:\s[^>]*)?>\s*[^<\s]`)
	for path, r := range pages {
		if r.status != http.StatusOK {
			t.Errorf("%s: status %d", path, r.status)
			continue
		}
		for _, want := range []string{`<main id="main"`, `class="skip-link" href="#main"`, `"includeIndicatorStyles":false`, `<html lang="en">`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
		if strings.Contains(r.body, " style=") || strings.Contains(r.body, "<style") {
			t.Errorf("%s has inline styles", path)
		}
		if inlineScript.MatchString(r.body) || strings.Contains(r.body, " onclick=") || strings.Contains(r.body, "hx-on") {
			t.Errorf("%s has inline script", path)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, r.header.Get("Cache-Control"))
		}
	}
}

func TestInternalErrorPageHidesCause(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.db.Close() // every store call fails from here on
	r := e.client().post("/forgot", url.Values{"email": {"someone@example.org"}})
	wantStatus(t, r, http.StatusInternalServerError)
	wantContains(t, r, "Something went wrong", "Reference: <code>"+r.header.Get("X-Request-ID")+"</code>")
	wantNotContains(t, r, "closed", "pool", "sql", "pgx")
}
