package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/auth"
	"medic/internal/demo"
	"medic/internal/mail/mailtest"
	"medic/internal/postgres"
	"medic/internal/postgres/pgtest"
)

// syncBuffer is an output the server writes to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// result is one finished run.
type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut syncBuffer
	code := run(t.Context(), append([]string{"medic"}, args...), env(vars), strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func TestVersion(t *testing.T) {
	r := runCmd(t, nil, "", "version")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"medic ", "commit ", "go1."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
	}{
		{nil, exitUsage},
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"help"}, exitOK},
		{[]string{"version", "-h"}, exitOK},
		{[]string{"version", "extra"}, exitUsage},
		{[]string{"migrate", "extra"}, exitUsage},
		{[]string{"serve", "-no-such-flag"}, exitUsage},
		{[]string{"admin"}, exitUsage},
		{[]string{"admin", "create-operator", "--password-stdin"}, exitUsage},          // no email
		{[]string{"admin", "create-operator", "--email", "op@example.org"}, exitUsage}, // no --password-stdin
		{[]string{"admin", "create-operator", "--email", "not-an-email", "--password-stdin"}, exitUsage}, // bad email
		{[]string{"audit"}, exitUsage},
		{[]string{"audit", "check"}, exitUsage},
	} {
		if r := runCmd(t, nil, "", tt.args...); r.code != tt.code {
			t.Errorf("medic %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), r.code, tt.code, r.stderr)
		}
	}
}

func TestConfig(t *testing.T) {
	c, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.finishServe(); err != nil {
		t.Fatal(err)
	}
	c.listening("127.0.0.1:8080")
	if c.Addr != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.SecureCookies || !c.DevMailbox() || c.DemoPassword != "demo-password" {
		t.Errorf("defaults = %+v", c)
	}

	c, err = loadConfig(env(map[string]string{
		"MEDIC_ADDR": ":9000", "MEDIC_BASE_URL": "https://medic.example/", "MEDIC_TRUST_PROXY": "true",
		"MEDIC_SMTP_URL": "smtp://mail.example:587", "MEDIC_MAIL_FROM": "noreply@medic.example", "MEDIC_LOG_LEVEL": "debug",
		"MEDIC_DATA_DIR": "/srv/medic", "MEDIC_DB_MAX_CONNS": "7",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.finishServe(); err != nil {
		t.Fatal(err)
	}
	c.listening("[::]:9000")
	if c.BaseURL != "https://medic.example" || !c.SecureCookies || !c.TrustProxy || c.DevMailbox() || c.LogLevel.String() != "DEBUG" || c.DataDir != "/srv/medic" || c.DBMaxConns != 7 {
		t.Errorf("from env = %+v", c)
	}

	// Flags override the environment.
	c, _ = loadConfig(env(map[string]string{"MEDIC_ADDR": "127.0.0.1:1", "MEDIC_SECURE_COOKIES": "true"}))
	fs := newFlagSet("serve", "serve", io.Discard)
	c.bindServeFlags(fs)
	if err := fs.Parse([]string{"-addr", "0.0.0.0:8081", "-secure-cookies=false"}); err != nil {
		t.Fatal(err)
	}
	if err := c.finishServe(); err != nil {
		t.Fatal(err)
	}
	c.listening("0.0.0.0:8081")
	if c.Addr != "0.0.0.0:8081" || c.BaseURL != "http://localhost:8081" || c.SecureCookies {
		t.Errorf("flags = %+v", c)
	}

	for name, vars := range map[string]map[string]string{
		"bad bool":      {"MEDIC_SECURE_COOKIES": "maybe"},
		"bad level":     {"MEDIC_LOG_LEVEL": "loud"},
		"bad conns":     {"MEDIC_DB_MAX_CONNS": "0"},
		"bad addr":      {"MEDIC_ADDR": "8080"},
		"bad base":      {"MEDIC_BASE_URL": "medic.example"},
		"smtp, no from": {"MEDIC_SMTP_URL": "smtp://mail.example"},
	} {
		c, err := loadConfig(env(vars))
		if err == nil {
			err = c.finishServe()
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestResolveDatabases(t *testing.T) {
	const (
		super = "postgres://postgres@db.example:5432/medic"
		app   = "postgres://medic_app:secret@db.example:5432/medic"
		owner = "postgres://medic_owner:secret@db.example:5432/medic"
	)
	for _, tt := range []struct {
		name, url, ownerURL string
		wantOwner, wantApp  string
	}{
		{"development superuser", super, "", super, "postgres://medic_app@db.example:5432/medic"},
		{"production", app, owner, owner, app},
		{"app role only", app, "", "", app},
		{"superuser and owner", super, owner, owner, "postgres://medic_app@db.example:5432/medic"},
		{"owner only", "", owner, owner, "postgres://medic_app@db.example:5432/medic"},
	} {
		d, err := resolveDatabases(t.Context(), Config{DatabaseURL: tt.url, OwnerDatabaseURL: tt.ownerURL}, nil)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if d.owner != tt.wantOwner || d.app != tt.wantApp {
			t.Errorf("%s: owner %q app %q, want %q %q", tt.name, d.owner, d.app, tt.wantOwner, tt.wantApp)
		}
	}
	if _, err := resolveDatabases(t.Context(), Config{DatabaseURL: app, OwnerDatabaseURL: app}, nil); err == nil {
		t.Error("an owner URL logging in as medic_app was accepted")
	}
}

// testServer is a `medic serve` or `medic demo` running in the test.
type testServer struct {
	url            string
	readyLine      map[string]any
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

// startServer runs medic with args until the test ends (or stop is called)
// and waits for its "ready" log line.
func startServer(t *testing.T, vars map[string]string, args ...string) *testServer {
	t.Helper()
	vars["MEDIC_ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { s.done <- run(ctx, append([]string{"medic"}, args...), env(vars), nil, s.stdout, s.stderr) }()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(s.stderr.String()))
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == "ready" {
				s.readyLine = line
				s.url = "http://" + line["addr"].(string)
				return s
			}
		}
		select {
		case code := <-s.done:
			t.Fatalf("medic exited with %d before it was ready:\n%s", code, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("medic was not ready within 30s:\n%s", s.stderr)
	return nil
}

// stop sends the shutdown signal and expects a clean exit.
func (s *testServer) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		if code != 0 {
			t.Errorf("medic exited with %d after shutdown:\n%s", code, s.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Errorf("medic did not stop within 20s of the signal")
	}
}

func (s *testServer) post(t *testing.T, path, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(s.url+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (s *testServer) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(s.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestDemo serves the demo on a fresh database the way `medic demo` does
// (a superuser URL: migrate as it, serve as medic_app), signs in, has a mail
// kept in the development mailbox by the job queue, and shuts down cleanly.
func TestDemo(t *testing.T) {
	db := pgtest.New(t)
	s := startServer(t, map[string]string{"MEDIC_DATABASE_URL": db.OwnerURL}, "demo")

	if ms, ok := s.readyLine["startup_ms"].(float64); !ok || ms < 0 {
		t.Errorf("ready line without startup_ms: %v", s.readyLine)
	}
	out := s.stdout.String()
	for _, want := range []string{s.url + "/login", "password: demo-password", "doctor@sunrise.example", "both@example.org", "doctor at sunrise, admin at harbour", "operator@example.org"} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo banner lacks %q:\n%s", want, out)
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := s.get(t, path); code != http.StatusOK {
			t.Errorf("GET %s = %d %s", path, code, body)
		}
	}
	resp := s.post(t, "/api/v1/auth/login", `{"email":"doctor@sunrise.example","password":"demo-password"}`)
	if resp.StatusCode != http.StatusOK || len(resp.Cookies()) == 0 {
		t.Errorf("login = %d with cookies %v", resp.StatusCode, resp.Cookies())
	}

	// No SMTP configured: the reset mail is worked by River into the dev mailbox.
	if resp := s.post(t, "/api/v1/auth/password-reset", `{"email":"nurse@harbour.example"}`); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("password reset = %d", resp.StatusCode)
	}
	owner, err := pgx.Connect(t.Context(), db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	waitFor(t, "the reset mail in the dev mailbox", func() bool {
		var n int
		_ = owner.QueryRow(t.Context(), `SELECT count(*) FROM dev_mailbox WHERE recipients = 'nurse@harbour.example'`).Scan(&n)
		return n == 1
	})
	// The sealer runs: the demo's audit events get sealed.
	waitFor(t, "the demo's audit events sealed", func() bool {
		var n int
		_ = owner.QueryRow(t.Context(), `SELECT count(*) FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.practice_id = e.practice_id AND s.event_id = e.id)`).Scan(&n)
		return n == 0
	})

	// The startup check finds nothing wrong in the demo.
	waitFor(t, "the startup check", func() bool { return strings.Contains(s.stderr.String(), `"msg":"stored values valid"`) })

	s.stop(t)
	if !strings.Contains(s.stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no clean shutdown logged:\n%s", s.stderr)
	}
}

// TestServeWithSMTP runs `serve --demo` with an SMTP server: mail leaves
// through it (mail.SMTPSender.Deliver) instead of the dev mailbox.
func TestServeWithSMTP(t *testing.T) {
	db := pgtest.New(t)
	sink := mailtest.NewSink(t)
	s := startServer(t, map[string]string{
		"MEDIC_DATABASE_URL": db.OwnerURL, "MEDIC_SMTP_URL": sink.URL(), "MEDIC_MAIL_FROM": "Medic <noreply@medic.example>",
		"MEDIC_BASE_URL": "http://medic.test",
	}, "serve", "--demo")
	if code, _ := s.get(t, "/dev/mailbox"); code == http.StatusOK {
		t.Error("the dev mailbox is served although SMTP is configured")
	}
	if resp := s.post(t, "/api/v1/auth/password-reset", `{"email":"billing@sunrise.example"}`); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("password reset = %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	msgs, err := sink.WaitFor(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	if len(m.To) != 1 || m.To[0] != "billing@sunrise.example" || m.From != "noreply@medic.example" || !strings.Contains(m.Text, "http://medic.test/reset/") {
		t.Errorf("mail = to %v from %s: %q", m.To, m.From, m.Text)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestAdminCreateOperator(t *testing.T) {
	db := pgtest.New(t)
	vars := map[string]string{"MEDIC_DATABASE_URL": db.OwnerURL}
	ctx := t.Context()

	r := runCmd(t, vars, "a-long-operator-password\n", "admin", "create-operator", "--email", "Ops@Example.org", "--password-stdin")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	u, err := db.FindUserByEmail(ctx, "ops@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if !u.IsOperator {
		t.Error("not an operator")
	}
	if ok, _ := auth.CheckPassword(u.PasswordHash, "a-long-operator-password"); !ok {
		t.Error("the password from stdin does not check")
	}

	// An existing user is made operator; their password stays.
	hash, _ := auth.HashPassword("existing-password")
	existing := &medic.User{Email: "staff@example.org", Name: "Staff", PasswordHash: hash}
	if err := db.CreateUser(ctx, existing); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, vars, "another-password-here", "admin", "create-operator", "--email", "staff@example.org", "--password-stdin")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	u, _ = db.FindUserByEmail(ctx, "staff@example.org")
	if !u.IsOperator {
		t.Error("existing user not made operator")
	}
	if ok, _ := auth.CheckPassword(u.PasswordHash, "existing-password"); !ok {
		t.Error("the existing user's password changed")
	}
	// Running it again is fine.
	if r := runCmd(t, vars, "another-password-here", "admin", "create-operator", "--email", "staff@example.org", "--password-stdin"); r.code != 0 {
		t.Errorf("second run: exit %d: %s", r.code, r.stderr)
	}

	for name, stdin := range map[string]string{"weak": "short\n", "empty": ""} {
		r := runCmd(t, vars, stdin, "admin", "create-operator", "--email", "weak@example.org", "--password-stdin")
		if r.code != exitError {
			t.Errorf("%s password: exit %d, want 1", name, r.code)
		}
		if _, err := db.FindUserByEmail(ctx, "weak@example.org"); err == nil {
			t.Errorf("%s password: the user was created", name)
		}
	}
}

func TestAuditVerify(t *testing.T) {
	db := pgtest.New(t)
	vars := map[string]string{"MEDIC_DATABASE_URL": db.OwnerURL}
	ctx := t.Context()
	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, nil); err != nil {
		t.Fatal(err)
	}
	ps, err := db.ListPractices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if _, err := db.SealPractice(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SealPlatform(ctx); err != nil {
		t.Fatal(err)
	}

	r := runCmd(t, vars, "", "audit", "verify")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "audit log intact: 3 chains checked" {
		t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}

	// The owner (not the app, which may not UPDATE the log) alters an event.
	owner, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	if _, err := owner.Exec(ctx, `UPDATE audit_events SET detail = '{"summary": "nothing to see"}'
		WHERE practice_id = (SELECT id FROM practices WHERE slug = 'harbour')`); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, vars, "", "audit", "verify")
	if r.code != exitError {
		t.Fatalf("exit %d after tampering, stdout %q", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, "BROKEN practice harbour") || !strings.Contains(r.stdout, postgres.BreakHashMismatch) || strings.Contains(r.stdout, "sunrise") {
		t.Errorf("report = %q", r.stdout)
	}
}
