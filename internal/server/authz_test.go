package server_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

func TestRolePermissions(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	roles := []medic.Role{medic.RoleReceptionist, medic.RoleDoctor, medic.RoleNurse, medic.RoleBilling, medic.RoleAdmin}
	clients := map[medic.Role]*servertest.Client{}
	members := map[medic.Role]*medic.Member{}
	for _, role := range roles {
		email := string(role) + "@sunrise.example"
		members[role] = env.Member(t, p, env.User(t, email, pw), role)
		clients[role] = env.Login(t, email, pw)
	}
	spare := env.Member(t, p, env.User(t, "spare@sunrise.example", pw), medic.RoleNurse)
	loc := env.Location(t, p, "Main")
	spareLoc := env.Location(t, p, "Spare")
	inv := want(t, clients[medic.RoleAdmin].Do("POST", "/api/v1/practices/sunrise/members", map[string]string{"email": "invited@example.org", "role": "nurse"}), http.StatusAccepted).Str("id")

	const base = "/api/v1/practices/sunrise"
	doctor := base + "/members/" + members[medic.RoleDoctor].ID
	type rule struct {
		method, path string
		body         any
		admin        int // the admin's status; everyone else gets 403 unless anyone is set
		anyone       bool
	}
	rules := []rule{
		{"GET", base, nil, 200, true},
		{"GET", base + "/members", nil, 200, true},
		{"GET", doctor, nil, 200, true},
		{"GET", base + "/locations", nil, 200, true},
		{"GET", base + "/locations/" + loc.ID, nil, 200, true},
		{"PATCH", base, map[string]any{"name": "Renamed Practice"}, 200, false},
		{"POST", base + "/members", map[string]any{"email": "another@example.org", "role": "doctor"}, 202, false},
		{"PATCH", doctor, map[string]any{"role": "doctor"}, 200, false},
		{"PATCH", doctor, map[string]any{"role": "superuser"}, 422, false},
		{"DELETE", base + "/members/" + spare.ID, nil, 204, false},
		{"GET", base + "/invitations", nil, 200, false},
		{"DELETE", base + "/invitations/" + inv, nil, 204, false},
		{"POST", base + "/locations", map[string]any{"name": "New Site"}, 201, false},
		{"PATCH", base + "/locations/" + loc.ID, map[string]any{"name": "Main Street"}, 200, false},
		{"DELETE", base + "/locations/" + spareLoc.ID, nil, 204, false},
		{"GET", base + "/audit-events", nil, 200, false},
	}
	// Everyone else first, so the admin's changes come last.
	for _, role := range roles {
		for _, r := range rules {
			status := r.admin
			if role != medic.RoleAdmin && !r.anyone {
				status = http.StatusForbidden
			}
			s := servertest.Scenario{Name: string(role) + " " + r.method + " " + strings.TrimPrefix(r.path, base),
				Client: clients[role], Method: r.method, Path: r.path, Body: r.body, Status: status}
			if status >= 400 {
				s.Check = func(t *testing.T, res *servertest.Response) { wantProblem(t, res, status) }
			}
			if status == http.StatusForbidden {
				s.Contains = []string{"Your role does not allow this."}
			}
			s.Run(t)
		}
		if role == medic.RoleReceptionist {
			// The refusals changed nothing.
			admin := clients[medic.RoleAdmin]
			if r := want(t, admin.Do("GET", base, nil), 200); r.Str("name") != "Practice sunrise" {
				t.Errorf("practice changed: %s", r)
			}
			if r := want(t, admin.Do("GET", base+"/members", nil), 200); len(r.Items()) != 6 {
				t.Errorf("members changed: %s", r)
			}
			if r := want(t, admin.Do("GET", base+"/invitations", nil), 200); len(r.Items()) != 1 {
				t.Errorf("invitations changed: %s", r)
			}
			if r := want(t, admin.Do("GET", base+"/locations", nil), 200); len(r.Items()) != 2 {
				t.Errorf("locations changed: %s", r)
			}
		}
	}

	// Refused attempts are in the audit log.
	r := want(t, clients[medic.RoleAdmin].Do("GET", base+"/audit-events?outcome=denied&limit=200", nil), 200)
	seen := map[string]bool{}
	for _, e := range r.Items() {
		seen[e["actor_email"].(string)+" "+e["action"].(string)] = true
	}
	for _, w := range []string{"nurse@sunrise.example practice.update", "billing@sunrise.example member.update", "doctor@sunrise.example member.invite", "receptionist@sunrise.example audit.read"} {
		if !seen[w] {
			t.Errorf("no denied audit event %q in %s", w, r.Body)
		}
	}
}

func TestLastAdminStays(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	first := env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	other := env.Member(t, p, env.User(t, "doctor@sunrise.example", pw), medic.RoleDoctor)
	admin := env.Login(t, "admin@sunrise.example", pw)
	doctor := env.Login(t, "doctor@sunrise.example", pw)
	members := "/api/v1/practices/sunrise/members/"

	for _, s := range []servertest.Scenario{
		// No one changes their own role or deactivates themselves.
		{Name: "demote the last admin", Method: "PATCH", Path: members + first.ID, Body: map[string]any{"role": "doctor"}, Contains: []string{"your own role"}},
		{Name: "deactivate the last admin", Method: "PATCH", Path: members + first.ID, Body: map[string]any{"active": false}, Contains: []string{"deactivate yourself"}},
		{Name: "delete the last admin", Method: "DELETE", Path: members + first.ID, Contains: []string{"deactivate yourself"}},
	} {
		s.Client, s.Status = admin, http.StatusConflict
		s.Check = func(t *testing.T, r *servertest.Response) { wantProblem(t, r, http.StatusConflict) }
		s.Run(t)
	}
	if r := want(t, admin.Do("GET", members+first.ID, nil), 200); r.Str("role") != "admin" || r.Get("active") != true {
		t.Fatalf("the last admin changed: %s", r)
	}

	// With a second admin, the first may step down; the change holds at once
	// for the sessions already open.
	want(t, admin.Do("PATCH", members+other.ID, map[string]any{"role": "admin"}), 200)
	want(t, doctor.Do("GET", "/api/v1/practices/sunrise/audit-events", nil), 200)
	wantProblem(t, admin.Do("PATCH", members+first.ID, map[string]any{"role": "nurse"}), http.StatusConflict) // not their own
	want(t, doctor.Do("PATCH", members+first.ID, map[string]any{"role": "nurse"}), 200)
	wantProblem(t, admin.Do("PATCH", "/api/v1/practices/sunrise", map[string]any{"name": "X"}), http.StatusForbidden)
	wantProblem(t, doctor.Do("PATCH", members+other.ID, map[string]any{"role": "billing"}), http.StatusConflict)

	// A deactivated member is no longer let in at all.
	want(t, doctor.Do("DELETE", members+first.ID, nil), http.StatusNoContent)
	notFound := want(t, admin.Do("GET", "/api/v1/practices/"+newUUID(), nil), http.StatusNotFound)
	r := want(t, admin.Do("GET", "/api/v1/practices/sunrise", nil), http.StatusNotFound)
	if string(r.Body) != string(notFound.Body) {
		t.Errorf("deactivated member's 404 differs: %s vs %s", r.Body, notFound.Body)
	}
}

// Two admins demoting each other at the same moment cannot leave the
// practice without an admin: membership changes are serialised.
func TestLastAdminStaysUnderConcurrentDemotion(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	m1 := env.Member(t, p, env.User(t, "one@sunrise.example", pw), medic.RoleAdmin)
	m2 := env.Member(t, p, env.User(t, "two@sunrise.example", pw), medic.RoleAdmin)
	c1, c2 := env.Login(t, "one@sunrise.example", pw), env.Login(t, "two@sunrise.example", pw)
	members := "/api/v1/practices/sunrise/members/"
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		wg.Add(2)
		go func() {
			defer wg.Done()
			statuses[0] = c1.Do("PATCH", members+m2.ID, map[string]any{"role": "doctor"}).Status
		}()
		go func() {
			defer wg.Done()
			statuses[1] = c2.Do("PATCH", members+m1.ID, map[string]any{"role": "doctor"}).Status
		}()
		wg.Wait()
		n, err := env.DB.CountActiveAdmins(medic.WithTenant(t.Context(), medic.Tenant{PracticeID: p.ID}))
		if err != nil {
			t.Fatal(err)
		}
		if n < 1 {
			t.Fatalf("round %d: statuses %v left %d active admins", round, statuses, n)
		}
		// Restore both as admins for the next round (as the owner, outside the API).
		for _, m := range []*medic.Member{m1, m2} {
			m.Role, m.Active = medic.RoleAdmin, true
			if err := env.DB.UpdateMember(medic.WithTenant(t.Context(), medic.Tenant{PracticeID: p.ID}), m); err != nil {
				t.Fatal(err)
			}
		}
	}
}
