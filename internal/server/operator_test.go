package server_test

import (
	"net/http"
	"slices"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

func TestMeListsMembershipsAndPermissions(t *testing.T) {
	t.Parallel()
	x := newTenants(t)
	r := want(t, x.both.Do("GET", "/api/v1/me", nil), http.StatusOK)
	if r.Str("user.email") != "both@example.org" || r.Get("user.is_operator") != false {
		t.Errorf("user: %s", r.Body)
	}
	for _, k := range []string{"password_hash", "totp_secret", "PasswordHash"} {
		if containsAll(string(r.Body), k) {
			t.Errorf("/me leaks %s: %s", k, r.Body)
		}
	}
	got := map[string]map[string]any{}
	for _, m := range r.Get("memberships").([]any) {
		m := m.(map[string]any)
		got[m["practice_slug"].(string)] = m
	}
	for slug, role := range map[string]medic.Role{"alpha": medic.RoleDoctor, "bravo": medic.RoleAdmin} {
		m := got[slug]
		if m == nil || m["role"] != string(role) || m["active"] != true || m["practice_status"] != "active" {
			t.Errorf("%s membership: %v", slug, m)
			continue
		}
		var perms []medic.Permission
		for _, p := range m["permissions"].([]any) {
			perms = append(perms, medic.Permission(p.(string)))
		}
		if !slices.Equal(perms, role.Permissions()) {
			t.Errorf("%s permissions %v, want %v", slug, perms, role.Permissions())
		}
	}
	if slices.Contains(got["alpha"]["permissions"].([]any), any("members.manage")) {
		t.Errorf("a doctor holds members.manage")
	}
	wantProblem(t, x.env.Client().Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
}

func TestOperatorSuspendsPractice(t *testing.T) {
	t.Parallel()
	x := newTenants(t)
	env := x.env
	env.Operator(t, "op@example.org", pw)
	op := env.Login(t, "op@example.org", pw)

	// Only the operator sees the operator API; others get a plain 404.
	notFound := want(t, x.adminA.Do("GET", "/api/v1/practices/"+newUUID(), nil), http.StatusNotFound)
	for _, c := range []*servertest.Client{x.adminA, x.both} {
		for _, s := range []servertest.Scenario{
			{Method: "GET", Path: "/api/v1/operator/practices"},
			{Method: "POST", Path: "/api/v1/operator/practices", Body: map[string]string{"name": "Evil", "slug": "evil", "admin_email": "evil@example.org"}},
			{Method: "POST", Path: "/api/v1/operator/practices/" + x.A.ID + "/suspend"},
			{Method: "POST", Path: "/api/v1/operator/practices/" + x.A.ID + "/reactivate"},
		} {
			s.Client, s.Status = c, http.StatusNotFound
			s.Check = func(t *testing.T, r *servertest.Response) {
				if string(r.Body) != string(notFound.Body) {
					t.Errorf("operator 404 differs: %s", r.Body)
				}
			}
			s.Run(t)
		}
	}
	wantProblem(t, env.Client().Do("GET", "/api/v1/operator/practices", nil), http.StatusUnauthorized)
	if r := want(t, op.Do("GET", "/api/v1/operator/practices", nil), http.StatusOK); len(r.Items()) != 2 {
		t.Fatalf("operator list: %s", r)
	}
	want(t, x.adminA.Do("GET", "/api/v1/practices/alpha", nil), http.StatusOK) // not suspended by the refused attempt

	want(t, op.Do("POST", "/api/v1/operator/practices/"+x.A.ID+"/suspend", nil), http.StatusNoContent)
	for _, path := range []string{"/api/v1/practices/alpha", "/api/v1/practices/" + x.A.ID + "/members", "/api/v1/practices/alpha/locations"} {
		for _, c := range []*servertest.Client{x.adminA, x.both} {
			r := c.Do("GET", path, nil)
			wantProblem(t, r, http.StatusForbidden)
			if !containsAll(r.Str("detail"), "suspended") {
				t.Errorf("suspension message: %s", r.Body)
			}
		}
	}
	// A non-member still sees a plain 404: suspension does not reveal the practice.
	if r := want(t, x.adminB.Do("GET", "/api/v1/practices/alpha", nil), http.StatusNotFound); string(r.Body) != string(notFound.Body) {
		t.Errorf("non-member of a suspended practice: %s", r.Body)
	}
	// Their other practice works.
	want(t, x.both.Do("GET", "/api/v1/practices/bravo/members", nil), http.StatusOK)
	me := want(t, x.both.Do("GET", "/api/v1/me", nil), http.StatusOK)
	for _, m := range me.Get("memberships").([]any) {
		m := m.(map[string]any)
		perms := m["permissions"].([]any)
		switch m["practice_slug"] {
		case "alpha":
			if m["practice_status"] != "suspended" || len(perms) != 0 {
				t.Errorf("suspended membership in /me: %v", m)
			}
		case "bravo":
			if m["practice_status"] != "active" || len(perms) == 0 {
				t.Errorf("active membership in /me: %v", m)
			}
		}
	}
	// A token bound to the suspended practice stops working there too.
	wantProblem(t, x.adminA.Do("POST", "/api/v1/auth/tokens", map[string]string{"name": "x", "practice": "alpha"}), http.StatusForbidden)

	want(t, op.Do("POST", "/api/v1/operator/practices/"+x.A.ID+"/reactivate", nil), http.StatusNoContent)
	want(t, x.adminA.Do("GET", "/api/v1/practices/alpha", nil), http.StatusOK)
	want(t, x.both.Do("GET", "/api/v1/practices/alpha/members", nil), http.StatusOK)

	// The practice's log shows both operator actions.
	r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/audit-events?action=practice.", nil), http.StatusOK)
	var actions []string
	for _, e := range r.Items() {
		actions = append(actions, e["action"].(string))
	}
	if !slices.Contains(actions, "practice.suspended") || !slices.Contains(actions, "practice.reactivated") {
		t.Errorf("audit actions %v", actions)
	}
	wantProblem(t, op.Do("POST", "/api/v1/operator/practices/"+newUUID()+"/suspend", nil), http.StatusNotFound)
	wantProblem(t, op.Do("POST", "/api/v1/operator/practices/alpha/suspend", nil), http.StatusNotFound)
}

func TestOperatorCreatesPracticeAndInvitesAdmin(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	env.Operator(t, "op@example.org", pw)
	op := env.Login(t, "op@example.org", pw)
	r := want(t, op.Do("POST", "/api/v1/operator/practices", map[string]string{"name": "Harbour Clinic", "slug": "harbour", "admin_email": "boss@harbour.example"}), http.StatusCreated)
	if r.Str("slug") != "harbour" || r.Str("status") != "active" {
		t.Errorf("created: %s", r)
	}
	m := env.WaitMail(t, "boss@harbour.example", "/invite/")
	env.Link(t, m.Text, "/invite/")
	wantProblem(t, op.Do("POST", "/api/v1/operator/practices", map[string]string{"name": "Again", "slug": "harbour", "admin_email": "x@harbour.example"}), http.StatusConflict)
	// The operator is not a member: the practice's own API is closed to them.
	wantProblem(t, op.Do("GET", "/api/v1/practices/harbour/members", nil), http.StatusNotFound)
}
