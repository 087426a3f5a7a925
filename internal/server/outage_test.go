package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"medic"
	"medic/internal/postgres/pgtest"
	"medic/internal/server"
	"medic/internal/server/servertest"
)

// TestDatabaseOutage: with the database unreachable, a token request and a
// desk page answer 503 with Retry-After (never 401, 403 or 404), the cause
// is logged once at ERROR, /readyz fails; when the database is back, all
// of them work again without a restart. The outage is a proxy between the
// app pool and the shared PostgreSQL that the test cuts (refusing new
// connections and breaking open ones) and restores.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	proxy := startProxy(t, pgtestHost(t))
	logs := &syncBuffer{}
	env := servertest.NewWithOptions(t, servertest.Options{
		Config:      server.Config{DevMailbox: true},
		DatabaseVia: proxy.addr,
		ServerLog:   slog.New(slog.NewJSONHandler(logs, nil)),
	})
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "doctor@sunrise.example", pw), medic.RoleDoctor)
	desk := env.Login(t, "doctor@sunrise.example", pw)
	secret := want(t, desk.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "integration", "practice": "sunrise"}), http.StatusCreated).Str("token")
	tok := env.TokenClient(t, secret)
	anon := env.Client()
	apiPath := "/api/v1/practices/sunrise/appointment-types"
	want(t, tok.Do("GET", apiPath, nil), http.StatusOK)
	want(t, desk.Do("GET", "/", nil), http.StatusOK)
	want(t, anon.Do("GET", "/readyz", nil), http.StatusOK)

	proxy.cut()
	for _, tc := range []struct {
		name   string
		c      *servertest.Client
		path   string
		status int
	}{
		{"token request", tok, apiPath, http.StatusServiceUnavailable},
		{"token request again", tok, "/api/v1/me", http.StatusServiceUnavailable},
		{"desk page", desk, "/", http.StatusServiceUnavailable},
		{"desk page again", desk, "/patients", http.StatusServiceUnavailable},
		{"readiness", anon, "/readyz", http.StatusServiceUnavailable},
	} {
		logs.Reset()
		r := tc.c.Do("GET", tc.path, nil)
		if r.Err != nil || r.Status != tc.status {
			t.Fatalf("%s during the outage: %s", tc.name, r)
		}
		if tc.c == anon {
			continue
		}
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", tc.name)
		}
		if tc.c == tok {
			wantProblem(t, r, http.StatusServiceUnavailable)
		} else if !strings.Contains(string(r.Body), "cannot reach its database") {
			t.Errorf("%s: the page does not say what is wrong: %s", tc.name, r.Body)
		}
		// One ERROR line, with the cause and nothing secret; the request
		// line itself is a warning.
		var errorLines []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["level"] == "ERROR" {
				errorLines = append(errorLines, rec)
			}
		}
		if len(errorLines) != 1 || errorLines[0]["msg"] != "database unavailable" || errorLines[0]["error"] == "" || errorLines[0]["error"] == nil {
			t.Errorf("%s: want one ERROR line naming the cause, got %d:\n%s", tc.name, len(errorLines), logs)
		}
		if strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), desk.Session()) {
			t.Errorf("%s: a credential reached the log:\n%s", tc.name, logs)
		}
	}

	// Back: no restart. Connections the cut broke may still sit idle in
	// the pool; each is dropped by the first request that meets it (an
	// outage answer), so a bounded number of tries must succeed.
	proxy.restore()
	for _, tc := range []struct {
		c    *servertest.Client
		path string
	}{{tok, apiPath}, {desk, "/"}, {anon, "/readyz"}} {
		var r *servertest.Response
		for range 10 {
			if r = tc.c.Do("GET", tc.path, nil); r.Status != http.StatusServiceUnavailable {
				break
			}
		}
		want(t, r, http.StatusOK)
	}
}

// pgtestHost is the host:port of the test PostgreSQL.
func pgtestHost(t *testing.T) string {
	u, err := url.Parse(pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// proxy forwards TCP connections from addr to target until cut: then it
// refuses new connections and breaks open ones, until restored.
type proxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String(), target: target, conns: map[net.Conn]bool{}}
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *proxy) forward(c net.Conn) {
	d, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // cut meanwhile
		p.mu.Unlock()
		c.Close()
		d.Close()
		return
	}
	p.conns[c], p.conns[d] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(d, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, d); done <- struct{}{} }()
	<-done
	c.Close()
	d.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, d)
	p.mu.Unlock()
}

// cut closes the listener (new connections are refused) and every open
// connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// restore listens on the same address again.
func (p *proxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		panic("proxy: listen again: " + err.Error())
	}
	p.serve(ln)
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
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

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
