package server_test

import (
	"net/http"
	"strings"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

func TestProblemDocuments(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	admin := env.Login(t, "admin@sunrise.example", pw)
	anon := env.Client()
	const practice = "/api/v1/practices/sunrise"
	tooLarge := `{"name":"` + strings.Repeat("a", 1<<20) + `"}`

	for _, s := range []servertest.Scenario{
		{Name: "bad JSON", Method: "PATCH", Path: practice, Body: `{"name":`, Status: 422, Contains: []string{"not valid JSON"}},
		{Name: "not JSON", Method: "PATCH", Path: practice, Body: `name=x`, Status: 422, Contains: []string{"not valid JSON"}},
		{Name: "empty body", Method: "PATCH", Path: practice, Body: ``, Status: 422, Contains: []string{"Send a JSON body."}},
		{Name: "array body", Method: "PATCH", Path: practice, Body: `[]`, Status: 422},
		{Name: "trailing data", Method: "PATCH", Path: practice, Body: `{"name":"a"} {"name":"b"}`, Status: 422},
		{Name: "unknown field", Method: "PATCH", Path: practice, Body: `{"nmae":"x"}`, Status: 422, Contains: []string{`"nmae":"Unknown field."`}},
		{Name: "unknown nested field", Method: "PATCH", Path: practice, Body: `{"booking":{"buffer":5}}`, Status: 422, Contains: []string{"Unknown field"}},
		{Name: "wrong type", Method: "PATCH", Path: practice, Body: `{"name":5}`, Status: 422, Contains: []string{`"name":"Has the wrong type."`}},
		{Name: "wrong nested type", Method: "PATCH", Path: practice, Body: `{"booking":{"buffer_minutes":"ten"}}`, Status: 422, Contains: []string{`"booking.buffer_minutes":"Has the wrong type."`}},
		{Name: "invalid value", Method: "PATCH", Path: practice, Body: `{"time_zone":"Mars/Olympus","branding":{"primary_color":"red"}}`, Status: 422, Contains: []string{`"time_zone"`, `"primary_color"`}},
		{Name: "too large", Method: "PATCH", Path: practice, Body: tooLarge, Status: 413, Contains: []string{"too large"}},
		{Name: "login too large", Client: anon, Method: "POST", Path: "/api/v1/auth/login", Body: tooLarge, Status: 413, Contains: []string{"too large"}},
		{Name: "login bad JSON", Client: anon, Method: "POST", Path: "/api/v1/auth/login", Body: `{"email": }`, Status: 422},
		{Name: "login wrong type", Client: anon, Method: "POST", Path: "/api/v1/auth/login", Body: `{"email": ["a"], "password": 1}`, Status: 422},
		{Name: "bad limit", Method: "GET", Path: practice + "/members?limit=0", Status: 422, Contains: []string{`"limit"`}},
		{Name: "huge limit", Method: "GET", Path: practice + "/members?limit=100000", Status: 422},
		{Name: "bad cursor", Method: "GET", Path: practice + "/locations?cursor=not-ours", Status: 422, Contains: []string{`"cursor"`}},
		{Name: "bad time filter", Method: "GET", Path: practice + "/audit-events?from=yesterday", Status: 422, Contains: []string{`"from"`}},
		{Name: "unknown API path", Method: "GET", Path: "/api/v1/nope", Status: 404},
		{Name: "unknown tenant path", Method: "GET", Path: practice + "/nope", Status: 404},
		{Name: "unknown API version", Client: anon, Method: "GET", Path: "/api/v2/me", Status: 404},
		{Name: "wrong method", Method: "PUT", Path: "/api/v1/me", Body: `{}`, Status: 404},
		{Name: "signed out", Client: anon, Method: "GET", Path: practice, Status: 401},
		// Text PostgreSQL cannot store is the user's mistake, not a 500.
		{Name: "NUL in login email", Client: anon, Method: "POST", Path: "/api/v1/auth/login", Body: `{"email":"a\u0000@x.org","password":"x"}`, Status: 422, Contains: []string{"not valid text"}},
		{Name: "NUL in reset email", Client: anon, Method: "POST", Path: "/api/v1/auth/password-reset", Body: `{"email":"a\u0000@x.org"}`, Status: 422},
		{Name: "NUL in a location name", Method: "POST", Path: practice + "/locations", Body: `{"name":"A\u0000B"}`, Status: 422},
		{Name: "NUL in a practice address", Method: "PATCH", Path: practice, Body: `{"address":"x\u0000"}`, Status: 422},
		{Name: "broken UTF-8", Method: "PATCH", Path: practice, Body: "{\"address\":\"\xff\xfe\"}", Status: 422},
	} {
		if s.Client == nil {
			s.Client = admin
		}
		status := s.Status
		s.Check = func(t *testing.T, r *servertest.Response) { wantProblem(t, r, status) }
		s.Run(t)
	}
	// A NUL in a query or path is refused before any handler runs.
	for _, path := range []string{practice + "/audit-events?action=a%00b", "/api/v1/practices/sun%00rise"} {
		if r := admin.Do("GET", path, nil); r.Status != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", path, r.Status)
		}
	}
	// None of it changed the practice.
	if r := want(t, admin.Do("GET", practice, nil), http.StatusOK); r.Str("name") != "Practice sunrise" || r.Str("time_zone") != "Africa/Johannesburg" {
		t.Errorf("practice changed: %s", r)
	}
	// Every response carries the security headers and a request id.
	r := anon.Do("GET", "/api/v1/nope", nil)
	for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy", "X-Request-ID"} {
		if r.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
}
