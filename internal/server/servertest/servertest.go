// Package servertest runs the whole Medic HTTP stack against a fresh
// PostgreSQL database, for API scenario tests: the real store, use cases,
// job queue, audit sealer and server, wired as cmd/medic wires them, with a
// settable clock and an in-memory mail outbox.
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/app"
	"medic/internal/auth"
	"medic/internal/claimswitch"
	"medic/internal/claimswitch/switchsim"
	"medic/internal/fhirapi"
	"medic/internal/jobs"
	"medic/internal/jwks"
	"medic/internal/mail"
	"medic/internal/mail/mailtest"
	"medic/internal/postgres"
	"medic/internal/postgres/pgtest"
	"medic/internal/server"
	"medic/internal/stripe"
)

// Start is where every test clock begins: a fixed instant, so runs repeat.
var Start = time.Date(2030, time.March, 4, 8, 0, 0, 0, time.UTC)

// Clock is a settable clock shared by the store and the use cases.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Env is one running stack.
type Env struct {
	DB     *pgtest.DB
	App    *app.App
	Server *httptest.Server
	// Handler is the server under test (its route list, for route tables).
	Handler *server.Server
	Clock   *Clock
	URL     string // the server's base URL, also App.BaseURL
	Config  server.Config

	mu      sync.Mutex
	smtp    medic.Mailer // set by SetMailer: mail goes there instead
	outbox  []medic.Mail
	taken   map[int]bool  // outbox entries WaitMail returned
	arrived chan struct{} // closed and replaced when a mail is delivered

	// River works a FHIR bulk export job only when RunBulkExport opens
	// the gate for it; exportDone reports each run.
	exportGate chan struct{}
	exportDone chan error

	// Switch is the medical-aid switch simulator the app submits claims
	// to over HTTP (the real adapter). River works a claim job only when
	// RunClaimJob opens claimGate for it; claimDone reports each run.
	Switch *switchsim.Server
	// Payments is the payment provider's local twin (Stripe's wire
	// format, signed with WebhookSecret).
	Payments  *stripe.Local
	claimGate chan struct{}
	claimDone chan error
}

// WebhookSecret signs the payment twin's webhooks.
const WebhookSecret = "whsec_servertest"

// New starts the stack as production wires it, with the development mailbox on.
func New(t testing.TB) *Env {
	return NewWithConfig(t, server.Config{DevMailbox: true})
}

// NewWithConfig starts the stack with cfg as the server's configuration.
func NewWithConfig(t testing.TB, cfg server.Config) *Env {
	t.Helper()
	return NewWithOptions(t, Options{Config: cfg})
}

// Options are the less common settings of a stack.
type Options struct {
	Config server.Config
	// DatabaseVia is a host:port the app pool connects through (a proxy
	// standing for the database); "" connects directly.
	DatabaseVia string
	// ServerLog receives the HTTP server's log (default: discarded); the
	// job queue and audit sealer log nowhere.
	ServerLog *slog.Logger
	// JWKSClient fetches SMART clients' JWKS URLs (default: a plain
	// client; tests pass an httptest TLS server's).
	JWKSClient *http.Client
}

// NewWithOptions starts the stack with opts.
func NewWithOptions(t testing.TB, opts Options) *Env {
	t.Helper()
	cfg := opts.Config
	db := pgtest.NewVia(t, opts.DatabaseVia)
	logger := slog.New(slog.DiscardHandler)
	serverLog := logger
	if opts.ServerLog != nil {
		serverLog = opts.ServerLog
	}
	e := &Env{DB: db, Clock: &Clock{now: Start}, Config: cfg, arrived: make(chan struct{}), taken: map[int]bool{},
		exportGate: make(chan struct{}), exportDone: make(chan error, 8),
		claimGate: make(chan struct{}), claimDone: make(chan error, 8)}
	e.Switch = switchsim.Start(t, e.Clock.Now)
	db.Clock = e.Clock

	var a *app.App // set below, before the queue starts
	remind := func(ctx context.Context, r medic.AppointmentReminder) error { return a.SendReminder(ctx, r) }
	checkTokens := func(ctx context.Context) (int, error) { return a.NotifyExpiringTokens(ctx) }
	sendOutbox := func(ctx context.Context, j medic.OutboxJob, final bool) error { return a.SendOutboxMail(ctx, j, final) }
	importICD10 := func(ctx context.Context, j medic.ICD10ImportJob) error { return a.RunICD10Import(ctx, j) }
	exportFHIR := func(ctx context.Context, j medic.BulkExportJob, final bool) error {
		if _, open := <-e.exportGate; !open {
			return nil // the test is over
		}
		err := a.RunBulkExport(ctx, j, final, fhirapi.ExportEncoder(a))
		e.exportDone <- err
		return err
	}
	submitClaim := func(ctx context.Context, j medic.ClaimJob) error {
		if _, open := <-e.claimGate; !open {
			return nil // the test is over
		}
		err := a.RunClaimJob(ctx, j)
		e.claimDone <- err
		return err
	}
	queue, err := jobs.New(db.Pool(), logger, jobs.Handlers{Deliver: e.deliver, Remind: remind, CheckTokens: checkTokens, SendOutbox: sendOutbox,
		ImportICD10: importICD10, ExportFHIR: exportFHIR, SubmitClaim: submitClaim})
	if err != nil {
		t.Fatalf("servertest: job queue: %v", err)
	}
	db.Enqueue = func(ctx context.Context, tx pgx.Tx, jobs ...postgres.Job) error {
		return queue.Insert(ctx, tx, jobs...)
	}

	// The audit sealer runs as in production, hash-chaining events as they come.
	sealCtx, stopSealer := context.WithCancel(context.Background())
	sealerDone := make(chan struct{})
	go func() { defer close(sealerDone); _ = db.RunSealer(sealCtx, logger, time.Minute) }()
	t.Cleanup(func() { stopSealer(); <-sealerDone })

	a = app.New(db, e.Clock, "")
	a.Mailer = medic.MailerFunc(e.deliver)
	a.JWKS = jwks.New(opts.JWKSClient, e.Clock)
	a.Switch = claimswitch.NewClient(e.Switch.URL, e.Switch.APIKey)
	e.Payments = stripe.NewLocal("", WebhookSecret, e.Clock)
	a.Payments, a.PaymentProviderName = e.Payments, "local"
	a.SessionIdle, a.SessionAbsolute = 30*time.Minute, 12*time.Hour
	srv := server.New(cfg, a, serverLog, db.Pool(), db.Ping)
	ts := httptest.NewUnstartedServer(srv)
	e.URL = "http://" + ts.Listener.Addr().String()
	a.BaseURL = e.URL
	e.Payments.BaseURL = e.URL
	// Started once a is complete: the periodic token check runs on start.
	if err := queue.Start(context.Background()); err != nil {
		t.Fatalf("servertest: start job queue: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = queue.Stop(ctx)
	})
	t.Cleanup(func() { close(e.exportGate); close(e.claimGate) }) // before the queue stops: waiting jobs end
	ts.Start()
	t.Cleanup(ts.Close)
	e.App, e.Server, e.Handler = a, ts, srv
	return e
}

// RunClaimJob lets the job queue work one waiting claim job (a first run
// or a retry River scheduled) and returns what the run returned.
func (e *Env) RunClaimJob(t testing.TB) error {
	t.Helper()
	select {
	case e.claimGate <- struct{}{}:
	case <-time.After(time.Minute):
		t.Fatal("servertest: no claim job was waiting")
	}
	select {
	case err := <-e.claimDone:
		return err
	case <-time.After(time.Minute):
		t.Fatal("servertest: the claim job did not finish")
	}
	return nil
}

// RunBulkExport lets the job queue work one waiting FHIR bulk export job
// and waits until it has.
func (e *Env) RunBulkExport(t testing.TB) {
	t.Helper()
	select {
	case e.exportGate <- struct{}{}:
	case <-time.After(time.Minute):
		t.Fatal("servertest: no bulk export job was waiting")
	}
	select {
	case err := <-e.exportDone:
		if err != nil {
			t.Fatalf("servertest: bulk export job: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("servertest: the bulk export job did not finish")
	}
}

// UseSMTP sends every mail from now on over SMTP to an in-process sink
// (the real sender, as production with MEDIC_SMTP_URL), instead of keeping
// it in memory for Mail and WaitMail.
func (e *Env) UseSMTP(t testing.TB) *mailtest.Sink {
	t.Helper()
	sink := mailtest.NewSink(t)
	sender, err := mail.NewSMTPSender(sink.URL(), "Medic <noreply@medic.example>")
	if err != nil {
		t.Fatalf("servertest: SMTP sender: %v", err)
	}
	e.SetMailer(sender)
	return sink
}

// SetMailer sends every mail from now on through m.
func (e *Env) SetMailer(m medic.Mailer) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.smtp = m
}

func (e *Env) deliver(ctx context.Context, m medic.Mail) error {
	e.mu.Lock()
	if sender := e.smtp; sender != nil {
		e.mu.Unlock()
		return sender.Deliver(ctx, m)
	}
	defer e.mu.Unlock()
	e.outbox = append(e.outbox, m)
	close(e.arrived)
	e.arrived = make(chan struct{})
	return nil
}

// Mail returns the mail delivered so far, oldest first.
func (e *Env) Mail() []medic.Mail {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.outbox)
}

// WaitMail waits (up to 15 seconds) for the next delivered mail to the
// address whose text contains substr, and returns it; each mail is returned
// once. Delivery is asynchronous: it goes through the job queue as in
// production.
func (e *Env) WaitMail(t testing.TB, to, substr string) medic.Mail {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	for {
		e.mu.Lock()
		arrived := e.arrived
		for i, m := range e.outbox {
			if !e.taken[i] && slices.Contains(m.To, to) && strings.Contains(m.Text, substr) {
				e.taken[i] = true
				e.mu.Unlock()
				return m
			}
		}
		e.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("servertest: no mail to %s containing %q arrived; outbox: %+v", to, substr, e.Mail())
		}
	}
}

// Link returns the first URL in text under BaseURL+prefix (e.g. "/reset/"),
// and the token that follows the prefix.
func (e *Env) Link(t testing.TB, text, prefix string) (link, token string) {
	t.Helper()
	start := strings.Index(text, e.URL+prefix)
	if start < 0 {
		t.Fatalf("servertest: no %s%s link in %q", e.URL, prefix, text)
	}
	link = text[start:]
	if end := strings.IndexAny(link, " \r\n\t"); end >= 0 {
		link = link[:end]
	}
	return link, strings.TrimPrefix(link, e.URL+prefix)
}

func (e *Env) ctx() context.Context { return context.Background() }

// Practice creates an active practice with the given slug.
func (e *Env) Practice(t testing.TB, slug string) *medic.Practice {
	t.Helper()
	p := &medic.Practice{Slug: slug, Name: "Practice " + slug, TimeZone: medic.DefaultTimeZone}
	if err := p.Validate(); err != nil {
		t.Fatalf("servertest: practice %s: %v", slug, err)
	}
	if err := e.DB.CreatePractice(e.ctx(), p); err != nil {
		t.Fatalf("servertest: create practice %s: %v", slug, err)
	}
	return p
}

// User creates an active user with the password.
func (e *Env) User(t testing.TB, email, password string) *medic.User {
	t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	u := &medic.User{Email: email, Name: strings.Split(email, "@")[0], PasswordHash: hash}
	if err := e.DB.CreateUser(e.ctx(), u); err != nil {
		t.Fatalf("servertest: create user %s: %v", email, err)
	}
	return u
}

// Operator creates a platform operator.
func (e *Env) Operator(t testing.TB, email, password string) *medic.User {
	t.Helper()
	u := e.User(t, email, password)
	if err := e.DB.SetOperator(e.ctx(), u.ID, true); err != nil {
		t.Fatalf("servertest: operator %s: %v", email, err)
	}
	u.IsOperator = true
	return u
}

func (e *Env) tenant(p *medic.Practice) context.Context {
	return medic.WithTenant(e.ctx(), medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name})
}

// Member makes u an active member of p with role.
func (e *Env) Member(t testing.TB, p *medic.Practice, u *medic.User, role medic.Role) *medic.Member {
	t.Helper()
	m := &medic.Member{UserID: u.ID, Role: role, Active: true, Email: u.Email, Name: u.Name}
	if err := e.DB.CreateMember(e.tenant(p), m); err != nil {
		t.Fatalf("servertest: member %s of %s: %v", u.Email, p.Slug, err)
	}
	return m
}

// Location adds a location to p.
func (e *Env) Location(t testing.TB, p *medic.Practice, name string) *medic.Location {
	t.Helper()
	l := &medic.Location{Name: name, Active: true}
	if err := e.DB.CreateLocation(e.tenant(p), l); err != nil {
		t.Fatalf("servertest: location %s of %s: %v", name, p.Slug, err)
	}
	return l
}

// Client is an HTTP client for the Env's server: a cookie jar (the browser
// session) or a bearer token, and default headers.
type Client struct {
	HTTP   *http.Client
	Base   string
	Header http.Header // sent with every request
	cookie string      // session cookie name
}

// Client returns a signed-out client with an empty cookie jar.
func (e *Env) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{
		HTTP:   &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Base:   e.URL,
		Header: http.Header{},
		cookie: e.Config.CookieName(),
	}
}

// Login signs in through the API and returns the signed-in client.
func (e *Env) Login(t testing.TB, email, password string) *Client {
	t.Helper()
	c := e.Client()
	if r := c.Do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}); r.Status != http.StatusOK {
		t.Fatalf("servertest: sign in %s: %s", email, r)
	}
	return c
}

// TokenClient returns a client that sends a bearer token and no cookies.
func (e *Env) TokenClient(t testing.TB, token string) *Client {
	t.Helper()
	c := e.Client()
	c.HTTP.Jar = nil
	c.Header.Set("Authorization", "Bearer "+token)
	return c
}

// Session returns the session cookie's value in the jar ("" if none).
func (c *Client) Session() string {
	if c.HTTP.Jar == nil {
		return ""
	}
	u, _ := url.Parse(c.Base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == c.cookie {
			return ck.Value
		}
	}
	return ""
}

// SetSession replaces the session cookie in the jar (to replay an old one).
func (c *Client) SetSession(value string) {
	u, _ := url.Parse(c.Base)
	c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: c.cookie, Value: value, Path: "/"}})
}

// Response is a finished request. Err is set when no response came back.
type Response struct {
	Method, Path string
	Status       int
	Header       http.Header
	Body         []byte
	JSON         map[string]any // the body decoded when it is a JSON object
	Err          error
}

func (r *Response) String() string {
	if r.Err != nil {
		return fmt.Sprintf("%s %s: %v", r.Method, r.Path, r.Err)
	}
	body := string(r.Body)
	if len(body) > 2000 {
		body = body[:2000] + "..."
	}
	return fmt.Sprintf("%s %s: %d %s", r.Method, r.Path, r.Status, body)
}

// Do sends a request. body is nil, a string or []byte (sent as is), or
// anything else (sent as JSON).
func (c *Client) Do(method, path string, body any) *Response {
	return c.DoHeader(method, path, body, nil)
}

// DoHeader is Do with extra request headers.
func (c *Client) DoHeader(method, path string, body any, header map[string]string) *Response {
	res := &Response{Method: method, Path: path}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			res.Err = err
			return res
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		res.Err = err
		return res
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range c.Header {
		req.Header[k] = slices.Clone(vs)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		res.Err = err
		return res
	}
	defer resp.Body.Close()
	res.Status, res.Header = resp.StatusCode, resp.Header
	res.Body, res.Err = io.ReadAll(resp.Body)
	if len(res.Body) > 0 && res.Body[0] == '{' {
		_ = json.Unmarshal(res.Body, &res.JSON)
	}
	return res
}

// Get returns the value at a dotted path in the JSON body, e.g.
// "user.email" or "items.0.id"; nil when there is none.
func (r *Response) Get(path string) any {
	var v any = r.JSON
	for _, key := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[key]
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// Str is Get as a string ("" when missing or not a string).
func (r *Response) Str(path string) string {
	s, _ := r.Get(path).(string)
	return s
}

// Items returns the "items" of a list response.
func (r *Response) Items() []map[string]any {
	var out []map[string]any
	list, _ := r.JSON["items"].([]any)
	for _, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Scenario is one API request and what must come back (after PocketBase's
// ApiScenario).
type Scenario struct {
	Name     string
	Client   *Client
	Method   string
	Path     string
	Body     any
	Header   map[string]string
	Status   int
	Contains []string // substrings the body must hold
	Absent   []string // substrings the body must not hold
	Check    func(t *testing.T, r *Response)
}

// Run runs the scenario as a subtest and returns its response.
func (s Scenario) Run(t *testing.T) *Response {
	t.Helper()
	var res *Response
	name := s.Name
	if name == "" {
		name = s.Method + " " + s.Path
	}
	t.Run(name, func(t *testing.T) {
		t.Helper()
		res = s.Client.DoHeader(s.Method, s.Path, s.Body, s.Header)
		if res.Err != nil || res.Status != s.Status {
			t.Fatalf("want status %d, got %s", s.Status, res)
		}
		for _, sub := range s.Contains {
			if !bytes.Contains(res.Body, []byte(sub)) {
				t.Errorf("body lacks %q: %s", sub, res)
			}
		}
		for _, sub := range s.Absent {
			if bytes.Contains(res.Body, []byte(sub)) {
				t.Errorf("body holds %q: %s", sub, res)
			}
		}
		if s.Check != nil {
			s.Check(t, res)
		}
	})
	return res
}
