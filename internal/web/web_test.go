package web_test

// The desk is tested through the real stack: a fresh migrated PostgreSQL
// database, the app use cases, the server's middleware and a browser-like
// client with a cookie jar. No JavaScript runs: every flow here is what a
// browser without it does.

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/app"
	"medic/internal/auth"
	"medic/internal/postgres"
	"medic/internal/postgres/pgtest"
	"medic/internal/server"
)

const testPassword = "correct horse battery"

// env is one test's platform: database, app and HTTP server.
type env struct {
	t   *testing.T
	db  *pgtest.DB
	app *app.App
	srv *httptest.Server
	// mailReader is an operator's session: only operators see the dev mailbox.
	mailReader *client
	// clock is the app's clock: the real time until a test sets it.
	clock *testClock
}

// testClock is the real time until Set, then that instant.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		return time.Now()
	}
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

type envOption func(*server.Config)

func withoutMailbox(c *server.Config) { c.DevMailbox = false }

// envSlots bounds how many test databases (each with its own pool) are
// open at once, so parallel tests on a many-core machine stay well under
// PostgreSQL's connection limit.
var envSlots = make(chan struct{}, 4)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	envSlots <- struct{}{}
	t.Cleanup(func() { <-envSlots }) // runs last: after the database is dropped
	db := pgtest.New(t)
	// Mail goes to the development mailbox in the same transaction, so
	// tests read invitation and reset links at /dev/mailbox.
	// A practice's mail is an outbox job: sent (kept) at once, in the same
	// transaction, through the app as the job queue would.
	var a *app.App
	clock := &testClock{}
	db.Clock = clock
	db.Enqueue = func(ctx context.Context, _ pgx.Tx, jobs ...postgres.Job) error {
		for _, job := range jobs {
			var err error
			switch j := job.(type) {
			case medic.Mail:
				err = db.KeepMail(ctx, j)
			case medic.OutboxJob:
				err = a.SendOutboxMail(ctx, j, true)
			case medic.ICD10ImportJob:
				err = a.RunICD10Import(ctx, j)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	a = app.New(db.DB, clock, "http://example.test")
	a.Mailer = medic.MailerFunc(db.KeepMail)
	a.SessionIdle, a.SessionAbsolute = 30*time.Minute, 12*time.Hour
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := server.Config{DevMailbox: true}
	for _, o := range opts {
		o(&cfg)
	}
	srv := httptest.NewServer(server.New(cfg, a, logger, db.Pool(), db.Ping))
	t.Cleanup(func() {
		srv.Close()
		if t.Failed() && logs.Len() > 0 {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &env{t: t, db: db, app: a, srv: srv, clock: clock}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
func (s *syncBuffer) Len() int       { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Len() }

// --- seeding: small builders per test ---

func (e *env) mustUser(email, name string) *medic.User {
	e.t.Helper()
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	u := &medic.User{Email: email, Name: name, PasswordHash: hash}
	if err := e.db.CreateUser(context.Background(), u); err != nil {
		e.t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

func (e *env) mustOperator(email string) *medic.User {
	e.t.Helper()
	u := e.mustUser(email, "Operator")
	if err := e.db.SetOperator(context.Background(), u.ID, true); err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) mustPractice(slug, name string) *medic.Practice {
	e.t.Helper()
	p := &medic.Practice{Slug: slug, Name: name, Type: medic.PracticeClinic, TimeZone: "Africa/Johannesburg", Plan: "standard"}
	if err := e.db.CreatePractice(context.Background(), p); err != nil {
		e.t.Fatalf("create practice %s: %v", slug, err)
	}
	return p
}

func tenantCtx(p *medic.Practice) context.Context {
	return medic.WithTenant(context.Background(), medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
}

func (e *env) mustMember(p *medic.Practice, u *medic.User, role medic.Role) *medic.Member {
	e.t.Helper()
	m := &medic.Member{UserID: u.ID, Role: role, Active: true}
	if err := e.db.CreateMember(tenantCtx(p), m); err != nil {
		e.t.Fatalf("create member: %v", err)
	}
	return m
}

func (e *env) mustLocation(p *medic.Practice, name string) *medic.Location {
	e.t.Helper()
	l := &medic.Location{Name: name, Address: "1 Main Road", Active: true, Hours: medic.WeekHours{"mon": "08:00-17:00"}}
	if err := e.db.CreateLocation(tenantCtx(p), l); err != nil {
		e.t.Fatalf("create location: %v", err)
	}
	return l
}

func (e *env) locationCount(p *medic.Practice) int {
	e.t.Helper()
	ls, _, err := e.db.ListLocations(tenantCtx(p), medic.Page{Limit: 200})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ls)
}

// --- the browser ---

// client is a browser without JavaScript: a cookie jar, redirects followed.
type client struct {
	e      *env
	http   *http.Client
	noJump *http.Client // the same jar, redirects not followed
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{
		e:    e,
		http: &http.Client{Jar: jar, Timeout: 30 * time.Second},
		noJump: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
}

// page is a response read in full.
type page struct {
	status   int
	body     string
	url      string // after redirects
	location string // for an unfollowed redirect
	header   http.Header
}

func (c *client) do(hc *http.Client, method, path string, form url.Values) page {
	c.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := hc.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(b), url: resp.Request.URL.RequestURI(), location: resp.Header.Get("Location"), header: resp.Header}
}

func (c *client) get(path string) page { c.e.t.Helper(); return c.do(c.http, "GET", path, nil) }
func (c *client) post(path string, f url.Values) page {
	c.e.t.Helper()
	return c.do(c.http, "POST", path, f)
}

// postNoFollow posts and returns the redirect itself.
func (c *client) postNoFollow(path string, f url.Values) page {
	c.e.t.Helper()
	return c.do(c.noJump, "POST", path, f)
}
func (c *client) getNoFollow(path string) page {
	c.e.t.Helper()
	return c.do(c.noJump, "GET", path, nil)
}

// sessionCookie is the session token the browser holds.
func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "medic_session" {
			return ck.Value
		}
	}
	return ""
}

// signIn signs in with the test password and expects the dashboard or a
// page after it.
func (e *env) signIn(email string) *client {
	e.t.Helper()
	c := e.client()
	p := c.post("/login", url.Values{"email": {email}, "password": {testPassword}})
	if p.status != http.StatusOK || strings.HasPrefix(p.url, "/login") {
		e.t.Fatalf("sign in as %s: status %d at %s\n%s", email, p.status, p.url, p.body)
	}
	return c
}

// --- assertions ---

func wantStatus(t *testing.T, p page, status int) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status = %d, want %d (at %s)\n%s", p.status, status, p.url, p.body)
	}
}

func wantContains(t *testing.T, p page, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(p.body, s) {
			t.Fatalf("page %s does not contain %q\n%s", p.url, s, p.body)
		}
	}
}

func wantNotContains(t *testing.T, p page, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(p.body, s) {
			t.Fatalf("page %s contains %q, it must not\n%s", p.url, s, p.body)
		}
	}
}

var mailLinkRE = regexp.MustCompile(`href="http://example\.test(/[a-z]+/[A-Za-z0-9_-]+)"`)

// lastMailLink is the path of the newest link to the site in the dev mailbox
// sent to addr.
func (e *env) lastMailLink(addr string) string {
	e.t.Helper()
	if e.mailReader == nil {
		e.mustOperator("mailbox-reader@example.org")
		e.mailReader = e.signIn("mailbox-reader@example.org")
	}
	p := e.mailReader.get("/dev/mailbox")
	wantStatus(e.t, p, http.StatusOK)
	for _, art := range strings.Split(p.body, "<article")[1:] {
		if strings.Contains(art, addr) {
			if m := mailLinkRE.FindStringSubmatch(art); m != nil {
				return m[1]
			}
		}
	}
	e.t.Fatalf("no mail with a link to %s in the mailbox\n%s", addr, p.body)
	return ""
}
