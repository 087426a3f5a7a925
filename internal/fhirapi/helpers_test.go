package fhirapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/server/servertest"
)

const pw = "correct horse battery staple"

// fx is two practices with a member of each role in A, an admin in B and
// a bearer-token client for each.
type fx struct {
	env    *servertest.Env
	A, B   *medic.Practice
	tokens map[string]*servertest.Client // "admin", "doctor", "nurse", "receptionist", "billing" (A), "adminB"
	locA   *medic.Location
	locB   *medic.Location
}

func newFx(t *testing.T) *fx {
	t.Helper()
	env := servertest.New(t)
	f := &fx{env: env, A: env.Practice(t, "alpha"), B: env.Practice(t, "bravo"), tokens: map[string]*servertest.Client{}}
	for _, role := range medic.Roles {
		email := string(role) + "@alpha.example"
		env.Member(t, f.A, env.User(t, email, pw), role)
		f.tokens[string(role)] = f.token(t, email, "alpha")
	}
	env.Member(t, f.B, env.User(t, "admin@bravo.example", pw), medic.RoleAdmin)
	f.tokens["adminB"] = f.token(t, "admin@bravo.example", "bravo")
	f.locA = env.Location(t, f.A, "Alpha Main")
	f.locB = env.Location(t, f.B, "Bravo Main")
	return f
}

// token signs in and creates a personal API token for the practice.
func (f *fx) token(t *testing.T, email, practice string) *servertest.Client {
	t.Helper()
	c := f.env.Login(t, email, pw)
	r := c.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "fhir", "practice": practice})
	if r.Status != http.StatusCreated {
		t.Fatalf("token for %s: %s", email, r)
	}
	return f.env.TokenClient(t, r.Str("token"))
}

// want fails unless r has the status; FHIR responses are fhir+json.
func want(t *testing.T, r *servertest.Response, status int) *servertest.Response {
	t.Helper()
	if r.Err != nil || r.Status != status {
		t.Fatalf("want %d, got %s", status, r)
	}
	if strings.HasPrefix(r.Path, "/fhir/") && len(r.Body) > 0 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/fhir+json") {
		t.Fatalf("%s %s: Content-Type %q", r.Method, r.Path, r.Header.Get("Content-Type"))
	}
	return r
}

// wantOutcome checks r is an OperationOutcome with the status and issue code.
func wantOutcome(t *testing.T, r *servertest.Response, status int, code string) *servertest.Response {
	t.Helper()
	want(t, r, status)
	if r.Str("resourceType") != "OperationOutcome" || r.Str("issue.0.code") != code || r.Str("issue.0.severity") != "error" {
		t.Fatalf("%s %s: want an OperationOutcome with %s: %s", r.Method, r.Path, code, r)
	}
	for _, leak := range []string{"json:", "pgx", "SQLSTATE", "goroutine", ".go:"} {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("%s %s: outcome leaks internals (%q): %s", r.Method, r.Path, leak, r.Body)
		}
	}
	return r
}

// entries returns the resources of a searchset.
func entries(t *testing.T, r *servertest.Response) []map[string]any {
	t.Helper()
	if r.Str("resourceType") != "Bundle" || r.Str("type") != "searchset" {
		t.Fatalf("not a searchset: %s", r)
	}
	es, _ := r.JSON["entry"].([]any)
	out := make([]map[string]any, len(es))
	for i, e := range es {
		out[i] = e.(map[string]any)["resource"].(map[string]any)
	}
	return out
}

func idsOf(es []map[string]any) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i], _ = e["id"].(string)
	}
	return out
}

// link returns the bundle's link of a relation ("" if none), as a path.
func link(r *servertest.Response, rel, base string) string {
	ls, _ := r.JSON["link"].([]any)
	for _, l := range ls {
		m := l.(map[string]any)
		if m["relation"] == rel {
			return strings.TrimPrefix(m["url"].(string), base)
		}
	}
	return ""
}

// query runs a query as the database owner (past RLS) and returns the
// first column of each row as text.
func (f *fx) query(t *testing.T, sql string, args ...any) []string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), f.env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
