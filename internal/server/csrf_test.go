package server_test

import (
	"net/http"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

func TestCrossOriginRequestsRefused(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	doc := env.Member(t, p, env.User(t, "doctor@sunrise.example", pw), medic.RoleDoctor)
	admin := env.Login(t, "admin@sunrise.example", pw)
	member := "/api/v1/practices/sunrise/members/" + doc.ID

	crossSite := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	originOnly := map[string]string{"Origin": "https://evil.example"} // older browsers send no Sec-Fetch-Site
	for _, s := range []servertest.Scenario{
		{Name: "logout cross-site", Method: "POST", Path: "/api/v1/auth/logout", Header: crossSite},
		{Name: "logout foreign origin", Method: "POST", Path: "/api/v1/auth/logout", Header: originOnly},
		{Name: "member patch cross-site", Method: "PATCH", Path: member, Body: map[string]string{"role": "nurse"}, Header: crossSite},
		{Name: "member patch same-site", Method: "PATCH", Path: member, Body: map[string]string{"role": "nurse"},
			Header: map[string]string{"Origin": "https://other.sunrise.example", "Sec-Fetch-Site": "same-site"}},
		{Name: "token create cross-site", Method: "POST", Path: "/api/v1/auth/tokens", Body: map[string]string{"name": "x", "practice": "sunrise"}, Header: crossSite},
	} {
		s.Client, s.Status = admin, http.StatusForbidden
		s.Check = func(t *testing.T, r *servertest.Response) { wantProblem(t, r, http.StatusForbidden) }
		s.Run(t)
	}
	// Nothing changed: still signed in, the doctor is still a doctor, no token.
	want(t, admin.Do("GET", "/api/v1/me", nil), http.StatusOK)
	if r := want(t, admin.Do("GET", member, nil), http.StatusOK); r.Str("role") != "doctor" {
		t.Fatalf("cross-origin PATCH changed the member: %s", r)
	}
	if r := want(t, admin.Do("GET", "/api/v1/auth/tokens", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Fatalf("cross-origin POST created a token: %s", r)
	}

	// A cross-site GET is a navigation, not a state change: allowed.
	want(t, admin.DoHeader("GET", "/api/v1/me", nil, crossSite), http.StatusOK)

	// Same origin passes.
	sameOrigin := map[string]string{"Origin": env.URL, "Sec-Fetch-Site": "same-origin"}
	if r := want(t, admin.DoHeader("PATCH", member, map[string]string{"role": "nurse"}, sameOrigin), http.StatusOK); r.Str("role") != "nurse" {
		t.Fatalf("same-origin PATCH: %s", r)
	}
	want(t, admin.DoHeader("POST", "/api/v1/auth/logout", nil, sameOrigin), http.StatusNoContent)
	wantProblem(t, admin.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
}
