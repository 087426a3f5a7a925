package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

func TestInvitationByMail(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	env.Member(t, p, env.User(t, "doctor@sunrise.example", pw), medic.RoleDoctor)
	admin := env.Login(t, "admin@sunrise.example", pw)
	const members = "/api/v1/practices/sunrise/members"

	inv := want(t, admin.Do("POST", members, map[string]string{"email": " New.Nurse@Example.org ", "role": "nurse"}), http.StatusAccepted)
	if inv.Str("email") != "new.nurse@example.org" || inv.Str("role") != "nurse" || inv.Str("id") == "" {
		t.Fatalf("invitation: %s", inv)
	}
	if strings.Contains(string(inv.Body), "/invite/") {
		t.Errorf("the response shows the invitation secret: %s", inv)
	}

	m := env.WaitMail(t, "new.nurse@example.org", "/invite/")
	link, token := env.Link(t, m.Text, "/invite/")
	if !strings.Contains(m.Subject, p.Name) || !strings.Contains(m.Text, "nurse") || len(token) < 40 || !strings.HasPrefix(link, env.URL) {
		t.Errorf("invitation mail: %+v", m)
	}

	list := want(t, admin.Do("GET", "/api/v1/practices/sunrise/invitations", nil), http.StatusOK)
	if len(list.Items()) != 1 || list.Str("items.0.id") != inv.Str("id") || strings.Contains(string(list.Body), token) {
		t.Errorf("pending invitations: %s", list)
	}

	for _, s := range []servertest.Scenario{
		{Name: "existing member", Body: map[string]string{"email": "doctor@sunrise.example", "role": "nurse"}, Status: http.StatusConflict},
		{Name: "bad email", Body: map[string]string{"email": "not an email", "role": "nurse"}, Status: http.StatusUnprocessableEntity, Contains: []string{`"email"`}},
		{Name: "bad role", Body: map[string]string{"email": "x@example.org", "role": "owner"}, Status: http.StatusUnprocessableEntity, Contains: []string{`"role"`}},
	} {
		s.Client, s.Method, s.Path = admin, "POST", members
		status := s.Status
		s.Check = func(t *testing.T, r *servertest.Response) { wantProblem(t, r, status) }
		s.Run(t)
	}

	want(t, admin.Do("DELETE", "/api/v1/practices/sunrise/invitations/"+inv.Str("id"), nil), http.StatusNoContent)
	if r := want(t, admin.Do("GET", "/api/v1/practices/sunrise/invitations", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Errorf("revoked invitation still listed: %s", r)
	}
	wantProblem(t, admin.Do("DELETE", "/api/v1/practices/sunrise/invitations/"+inv.Str("id"), nil), http.StatusNotFound)

	// Invitations expire after 7 days.
	want(t, admin.Do("POST", members, map[string]string{"email": "late@example.org", "role": "billing"}), http.StatusAccepted)
	env.Clock.Advance(7*24*time.Hour + time.Second)
	admin = env.Login(t, "admin@sunrise.example", pw) // the session went idle meanwhile
	if r := want(t, admin.Do("GET", "/api/v1/practices/sunrise/invitations", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Errorf("expired invitation still listed: %s", r)
	}

	r := want(t, admin.Do("GET", "/api/v1/practices/sunrise/audit-events?action=member.invit", nil), http.StatusOK)
	var actions []string
	for _, e := range r.Items() {
		actions = append(actions, e["action"].(string))
	}
	if strings.Join(actions, ",") != "member.invited,member.invitation_revoked,member.invited" {
		t.Errorf("audit actions %v", actions)
	}
}
