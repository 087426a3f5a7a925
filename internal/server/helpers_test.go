package server_test

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

const pw = "correct horse battery staple"

// newUUID returns a random UUID that names nothing.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// want fails the test unless r has the status.
func want(t *testing.T, r *servertest.Response, status int) *servertest.Response {
	t.Helper()
	if r.Err != nil || r.Status != status {
		t.Fatalf("want %d, got %s", status, r)
	}
	return r
}

// wantProblem checks r is a problem+json document with the status, free of
// Go error text.
func wantProblem(t *testing.T, r *servertest.Response, status int) {
	t.Helper()
	want(t, r, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s %s: Content-Type %q, want application/problem+json", r.Method, r.Path, ct)
	}
	if r.JSON == nil || r.JSON["status"] != float64(status) || r.Str("title") == "" {
		t.Errorf("%s %s: not a problem document: %s", r.Method, r.Path, r.Body)
	}
	for _, leak := range []string{"json:", "invalid character", "http:", "pgx", "sql", "SQLSTATE", "unexpected EOF", "medic error", "goroutine", ".go:"} {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("%s %s: problem leaks internals (%q): %s", r.Method, r.Path, leak, r.Body)
		}
	}
}

// tenants is two practices with their admins, a doctor in A, a user in
// both, a location in each and an open invitation in A.
type tenants struct {
	env            *servertest.Env
	A, B           *medic.Practice
	adminA, adminB *servertest.Client
	both           *servertest.Client // doctor at A, admin at B
	doctorA        *medic.Member
	adminAMember   *medic.Member
	bothA, bothB   *medic.Member
	locA, locB     *medic.Location
	invitationA    string
}

func newTenants(t *testing.T) *tenants {
	t.Helper()
	env := servertest.New(t)
	x := &tenants{env: env, A: env.Practice(t, "alpha"), B: env.Practice(t, "bravo")}
	x.adminAMember = env.Member(t, x.A, env.User(t, "a@alpha.example", pw), medic.RoleAdmin)
	env.Member(t, x.B, env.User(t, "b@bravo.example", pw), medic.RoleAdmin)
	x.doctorA = env.Member(t, x.A, env.User(t, "doc@alpha.example", pw), medic.RoleDoctor)
	both := env.User(t, "both@example.org", pw)
	x.bothA = env.Member(t, x.A, both, medic.RoleDoctor)
	x.bothB = env.Member(t, x.B, both, medic.RoleAdmin)
	x.locA = env.Location(t, x.A, "Alpha Main")
	x.locB = env.Location(t, x.B, "Bravo Main")
	x.adminA = env.Login(t, "a@alpha.example", pw)
	x.adminB = env.Login(t, "b@bravo.example", pw)
	x.both = env.Login(t, "both@example.org", pw)
	r := want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/members", map[string]string{"email": "new@alpha.example", "role": "nurse"}), http.StatusAccepted)
	x.invitationA = r.Str("id")
	return x
}
