package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "doctor@sunrise.example", pw), medic.RoleDoctor)
	session := env.Login(t, "doctor@sunrise.example", pw)
	anon := env.Client()

	known := want(t, anon.Do("POST", "/api/v1/auth/password-reset", map[string]string{"email": "doctor@sunrise.example"}), http.StatusAccepted)
	unknown := want(t, anon.Do("POST", "/api/v1/auth/password-reset", map[string]string{"email": "nobody@sunrise.example"}), http.StatusAccepted)
	if string(known.Body) != string(unknown.Body) || known.Header.Get("Content-Type") != unknown.Header.Get("Content-Type") {
		t.Errorf("known and unknown emails answer differently:\n%s\n%s", known.Body, unknown.Body)
	}
	if r := want(t, anon.Do("POST", "/api/v1/auth/password-reset", map[string]string{}), http.StatusAccepted); string(r.Body) != string(known.Body) {
		t.Errorf("empty email answers differently: %s", r.Body)
	}

	m := env.WaitMail(t, "doctor@sunrise.example", "/reset/")
	_, token := env.Link(t, m.Text, "/reset/")
	for _, mail := range env.Mail() {
		if strings.Contains(strings.Join(mail.To, ","), "nobody@") {
			t.Errorf("mail went to an unknown address: %+v", mail)
		}
	}

	const next = "my new long passphrase"
	wantProblem(t, anon.Do("POST", "/api/v1/auth/password-reset/"+token, map[string]string{"password": "short"}), http.StatusUnprocessableEntity)
	want(t, session.Do("GET", "/api/v1/me", nil), http.StatusOK) // a refused attempt uses nothing up
	want(t, anon.Do("POST", "/api/v1/auth/password-reset/"+token, map[string]string{"password": next}), http.StatusNoContent)
	wantProblem(t, anon.Do("POST", "/api/v1/auth/password-reset/"+token, map[string]string{"password": "yet another passphrase"}), http.StatusNotFound)
	wantProblem(t, anon.Do("POST", "/api/v1/auth/password-reset/r_made-up", map[string]string{"password": "yet another passphrase"}), http.StatusNotFound)

	wantProblem(t, session.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
	wantProblem(t, env.Client().Do("POST", "/api/v1/auth/login", map[string]string{"email": "doctor@sunrise.example", "password": pw}), http.StatusUnauthorized)
	env.Login(t, "doctor@sunrise.example", next)

	// A link works for an hour only.
	want(t, anon.Do("POST", "/api/v1/auth/password-reset", map[string]string{"email": "doctor@sunrise.example"}), http.StatusAccepted)
	_, second := env.Link(t, env.WaitMail(t, "doctor@sunrise.example", "/reset/").Text, "/reset/")
	if second == token {
		t.Fatal("the second reset link reuses the first token")
	}
	env.Clock.Advance(time.Hour + time.Second)
	wantProblem(t, anon.Do("POST", "/api/v1/auth/password-reset/"+second, map[string]string{"password": "too late passphrase"}), http.StatusNotFound)
}
