package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

// newMember starts an env with one practice and one admin.
func newMember(t *testing.T) (*servertest.Env, *medic.Practice) {
	t.Helper()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	return env, p
}

func TestSessionRotationAndLogout(t *testing.T) {
	t.Parallel()
	env, _ := newMember(t)
	c := env.Login(t, "admin@sunrise.example", pw)
	first := c.Session()
	if first == "" {
		t.Fatal("no session cookie after sign-in")
	}
	r := want(t, c.Do("POST", "/api/v1/auth/login", map[string]string{"email": "admin@sunrise.example", "password": pw}), http.StatusOK)
	second := c.Session()
	if second == "" || second == first {
		t.Fatalf("sign-in did not issue a new session token (%q then %q)", first, second)
	}
	if sc := r.Header.Get("Set-Cookie"); sc == "" || !containsAll(sc, "HttpOnly", "SameSite=Lax", "Path=/") {
		t.Errorf("session cookie attributes: %q", sc)
	}

	// Signing in again from the same browser ended the session it had.
	old := env.Client()
	old.SetSession(first)
	wantProblem(t, old.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)

	// Another browser's session is separate and ends with its own sign-out.
	other := env.Login(t, "admin@sunrise.example", pw)
	otherToken := other.Session()
	want(t, other.Do("GET", "/api/v1/me", nil), http.StatusOK)
	want(t, other.Do("POST", "/api/v1/auth/logout", nil), http.StatusNoContent)
	if other.Session() != "" {
		t.Errorf("logout did not clear the cookie")
	}

	replay := env.Client()
	replay.SetSession(otherToken)
	wantProblem(t, replay.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
	want(t, c.Do("GET", "/api/v1/me", nil), http.StatusOK) // the first browser's session lives on

	want(t, c.Do("POST", "/api/v1/auth/logout", nil), http.StatusNoContent)
	replay.SetSession(second)
	wantProblem(t, replay.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
	wantProblem(t, c.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
	// Signing out again without a session is harmless.
	want(t, c.Do("POST", "/api/v1/auth/logout", nil), http.StatusNoContent)
}

func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	env, _ := newMember(t)
	c := env.Login(t, "admin@sunrise.example", pw)
	env.Clock.Advance(29 * time.Minute)
	want(t, c.Do("GET", "/api/v1/me", nil), http.StatusOK)
	env.Clock.Advance(29 * time.Minute) // idle 29 minutes again: still alive
	want(t, c.Do("GET", "/api/v1/me", nil), http.StatusOK)
	env.Clock.Advance(31 * time.Minute)
	wantProblem(t, c.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
	// Ended for good: going back in time does not revive it.
	env.Clock.Advance(-31 * time.Minute)
	wantProblem(t, c.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	env, _ := newMember(t)
	c := env.Login(t, "admin@sunrise.example", pw)
	for elapsed := 20 * time.Minute; elapsed <= 12*time.Hour; elapsed += 20 * time.Minute {
		env.Clock.Advance(20 * time.Minute)
		if r := c.Do("GET", "/api/v1/me", nil); r.Status != http.StatusOK {
			t.Fatalf("after %s of activity: %s", elapsed, r)
		}
	}
	env.Clock.Advance(20 * time.Minute) // 12h20m after sign-in
	wantProblem(t, c.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
}

func TestSessionListAndEnd(t *testing.T) {
	t.Parallel()
	env, _ := newMember(t)
	laptop := env.Login(t, "admin@sunrise.example", pw)
	phone := env.Login(t, "admin@sunrise.example", pw)
	env.User(t, "someone@example.org", pw)
	other := env.Login(t, "someone@example.org", pw)

	r := want(t, laptop.Do("GET", "/api/v1/me/sessions", nil), http.StatusOK)
	if len(r.Items()) != 2 {
		t.Fatalf("want 2 sessions, got %s", r)
	}
	var phoneID, laptopID string
	for _, s := range r.Items() {
		if s["current"] == true {
			laptopID = s["id"].(string)
		} else {
			phoneID = s["id"].(string)
		}
		if s["ip"] != "127.0.0.1" {
			t.Errorf("session ip %v", s["ip"])
		}
	}
	if phoneID == "" || laptopID == "" {
		t.Fatalf("current session not marked: %s", r)
	}
	if b := string(r.Body); containsAll(b, laptop.Session()) || containsAll(b, phone.Session()) {
		t.Errorf("session list holds a cookie token: %s", b)
	}

	// Someone else cannot end it, and sees the same 404 as for nothing.
	wantProblem(t, other.Do("DELETE", "/api/v1/me/sessions/"+phoneID, nil), http.StatusNotFound)
	wantProblem(t, other.Do("DELETE", "/api/v1/me/sessions/not-a-uuid", nil), http.StatusNotFound)
	want(t, phone.Do("GET", "/api/v1/me", nil), http.StatusOK)

	want(t, laptop.Do("DELETE", "/api/v1/me/sessions/"+phoneID, nil), http.StatusNoContent)
	wantProblem(t, phone.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
	want(t, laptop.Do("GET", "/api/v1/me", nil), http.StatusOK)
	wantProblem(t, laptop.Do("DELETE", "/api/v1/me/sessions/"+phoneID, nil), http.StatusNotFound)
	if r := want(t, laptop.Do("GET", "/api/v1/me/sessions", nil), http.StatusOK); len(r.Items()) != 1 {
		t.Errorf("want 1 session left: %s", r)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	env, _ := newMember(t)
	laptop := env.Login(t, "admin@sunrise.example", pw)
	phone := env.Login(t, "admin@sunrise.example", pw)
	const next = "a brand new passphrase"

	r := laptop.Do("POST", "/api/v1/me/password", map[string]string{"current_password": "wrong password!", "new_password": next})
	wantProblem(t, r, http.StatusUnprocessableEntity)
	want(t, phone.Do("GET", "/api/v1/me", nil), http.StatusOK)

	want(t, laptop.Do("POST", "/api/v1/me/password", map[string]string{"current_password": pw, "new_password": next}), http.StatusNoContent)
	wantProblem(t, phone.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
	want(t, laptop.Do("GET", "/api/v1/me", nil), http.StatusOK)

	bad := env.Client().Do("POST", "/api/v1/auth/login", map[string]string{"email": "admin@sunrise.example", "password": pw})
	wantProblem(t, bad, http.StatusUnauthorized)
	env.Login(t, "admin@sunrise.example", next)
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if sub == "" || !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
