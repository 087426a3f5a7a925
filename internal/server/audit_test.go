package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

func TestAuditLog(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	adminUser := env.User(t, "admin@sunrise.example", pw)
	env.Member(t, p, adminUser, medic.RoleAdmin)
	doc := env.Member(t, p, env.User(t, "doctor@sunrise.example", pw), medic.RoleDoctor)
	admin := env.Login(t, "admin@sunrise.example", pw)
	const events = "/api/v1/practices/sunrise/audit-events"

	patch := want(t, admin.DoHeader("PATCH", "/api/v1/practices/sunrise/members/"+doc.ID, map[string]string{"role": "nurse"}, map[string]string{"User-Agent": "audit-test/1.0"}), http.StatusOK)
	want(t, admin.Do("DELETE", "/api/v1/practices/sunrise/members/"+doc.ID, nil), http.StatusNoContent)

	r := want(t, admin.Do("GET", events+"?action=member.", nil), http.StatusOK)
	var actions []string
	for _, e := range r.Items() {
		actions = append(actions, e["action"].(string))
	}
	if strings.Join(actions, ",") != "member.deactivated,member.role_changed" {
		t.Fatalf("member events, newest first: %v (%s)", actions, r.Body)
	}
	r = want(t, admin.Do("GET", events+"?action=member.role", nil), http.StatusOK)
	if len(r.Items()) != 1 {
		t.Fatalf("action prefix filter: %s", r)
	}
	e := r.Items()[0]
	for k, v := range map[string]any{
		"action": "member.role_changed", "actor_email": "admin@sunrise.example", "actor_id": adminUser.ID, "entity_type": "member",
		"entity_id": doc.ID, "outcome": "success", "ip": "127.0.0.1", "user_agent": "audit-test/1.0", "request_id": patch.Header.Get("X-Request-ID"),
		"occurred_at": servertest.Start.Format(time.RFC3339),
	} {
		if e[k] != v {
			t.Errorf("%s = %v, want %v", k, e[k], v)
		}
	}
	if d, _ := e["detail"].(map[string]any); d["from_role"] != "doctor" || d["to_role"] != "nurse" || d["email"] != "doctor@sunrise.example" {
		t.Errorf("detail: %v", e["detail"])
	}

	// Sign-ins, good and bad, are in the practice's log.
	env.Clock.Advance(time.Hour)
	since := env.Clock.Now().Format(time.RFC3339)
	env.Member(t, p, env.User(t, "nurse@sunrise.example", pw), medic.RoleNurse)
	wantProblem(t, env.Client().Do("POST", "/api/v1/auth/login", map[string]string{"email": "nurse@sunrise.example", "password": "not the password"}), http.StatusUnauthorized)
	env.Login(t, "nurse@sunrise.example", pw)
	wantProblem(t, env.Client().Do("POST", "/api/v1/auth/login", map[string]string{"email": "stranger@example.org", "password": "not the password"}), http.StatusUnauthorized)
	admin = env.Login(t, "admin@sunrise.example", pw) // the first session went idle

	r = want(t, admin.Do("GET", events+"?action=auth.login&from="+since, nil), http.StatusOK)
	var got []string
	for _, e := range r.Items() {
		got = append(got, e["action"].(string)+" "+e["actor_email"].(string)+" "+e["outcome"].(string))
		if e["action"] == "auth.login_failed" && e["detail"].(map[string]any)["reason"] != "bad_password" {
			t.Errorf("failure reason: %v", e["detail"])
		}
	}
	wantGot := "auth.login admin@sunrise.example success,auth.login nurse@sunrise.example success,auth.login_failed nurse@sunrise.example failure"
	if strings.Join(got, ",") != wantGot {
		t.Errorf("sign-in events:\n got %v\nwant %s", got, wantGot)
	}
	if strings.Contains(string(r.Body), "stranger@") || strings.Contains(string(r.Body), "not the password") {
		t.Errorf("the practice log holds an unknown account or a password: %s", r.Body)
	}

	// Time, actor and outcome filters, and paging.
	if r := want(t, admin.Do("GET", events+"?to="+since, nil), http.StatusOK); strings.Contains(string(r.Body), "nurse@sunrise.example") {
		t.Errorf("to filter: %s", r)
	}
	if r := want(t, admin.Do("GET", events+"?outcome=failure", nil), http.StatusOK); len(r.Items()) != 1 {
		t.Errorf("outcome filter: %s", r)
	}
	for _, e := range want(t, admin.Do("GET", events+"?actor="+adminUser.ID, nil), http.StatusOK).Items() {
		if e["actor_id"] != adminUser.ID {
			t.Errorf("actor filter let through %v", e)
		}
	}
	all := want(t, admin.Do("GET", events+"?limit=200", nil), http.StatusOK).Items()
	var paged []any
	for cursor := ""; ; {
		r := want(t, admin.Do("GET", events+"?limit=2&cursor="+cursor, nil), http.StatusOK)
		for _, e := range r.Items() {
			paged = append(paged, e["id"])
		}
		next, _ := r.Get("next_cursor").(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(paged) != len(all) || len(all) < 5 {
		t.Errorf("paging gave %d events, the full list %d", len(paged), len(all))
	}
}

// One view of the dashboard, through the API or the desk, writes exactly
// one audit event, which names every patient the page shows (today's
// appointments and the recent charts) and is found by any of them (issue
// 17: it wrote 51 rows, one per appointment and chart shown).
func TestDashboardViewIsOneAuditEvent(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "dash")
	d.rule(t, "monday", 3) // today (the clock's Monday), from 09:00
	p1, p2 := d.patient(t, "Ayanda", ""), d.patient(t, "Bongani", "")
	d.book(t, p1, "2030-03-04T11:00:00+02:00")
	d.book(t, p2, "2030-03-04T11:30:00+02:00")
	rc, admin := d.c[medic.RoleReceptionist], d.c[medic.RoleAdmin]
	mine := func(query string) []map[string]any {
		t.Helper()
		return want(t, admin.Do("GET", d.base+"/audit-events?limit=200&actor="+d.members[medic.RoleReceptionist].UserID+query, nil), http.StatusOK).Items()
	}
	for _, view := range []struct {
		name string
		path string
	}{{"api", d.base + "/dashboard"}, {"desk", "/"}} {
		before := len(mine(""))
		want(t, rc.Do("GET", view.path, nil), http.StatusOK)
		events := mine("")
		if len(events) != before+1 {
			t.Fatalf("%s: one dashboard view wrote %d audit events, want 1: %v", view.name, len(events)-before, events[:len(events)-before])
		}
		e := events[0]
		shown := map[string]bool{}
		for _, id := range e["patient_ids"].([]any) {
			shown[id.(string)] = true
		}
		if e["action"] != "dashboard.viewed" || !shown[p1] || !shown[p2] {
			t.Errorf("%s: event %v, want dashboard.viewed naming %s and %s", view.name, e, p1, p2)
		}
		for _, p := range []string{p1, p2} {
			if got := mine("&action=dashboard.viewed&patient=" + p); len(got) == 0 || got[0]["id"] != e["id"] {
				t.Errorf("%s: the view is not found by patient %s: %v", view.name, p, got)
			}
		}
	}
}
