package server_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"medic"
	"medic/internal/server"
	"medic/internal/server/servertest"
)

// Mirrors internal/app/auth.go.
const (
	maxFailuresAccount = 5
	maxFailuresIP      = 30
)

func login(c *servertest.Client, email, password string, header map[string]string) *servertest.Response {
	return c.DoHeader("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, header)
}

func wantThrottled(t *testing.T, r *servertest.Response) {
	t.Helper()
	wantProblem(t, r, http.StatusTooManyRequests)
	if r.Str("detail") != "Too many failed sign-ins. Wait 15 minutes and try again, or reset your password." {
		t.Errorf("throttle message: %s", r.Body)
	}
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("no Retry-After header")
	}
}

func TestSignInThrottlePerAccount(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "victim@sunrise.example", pw), medic.RoleDoctor)
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	c := env.Client()

	var wrong, unknown *servertest.Response
	for i := range maxFailuresAccount {
		wrong = login(c, "victim@sunrise.example", fmt.Sprintf("wrong password %d", i), nil)
		wantProblem(t, wrong, http.StatusUnauthorized)
		unknown = login(c, "nobody@sunrise.example", fmt.Sprintf("wrong password %d", i), nil)
		wantProblem(t, unknown, http.StatusUnauthorized)
	}
	if string(wrong.Body) != string(unknown.Body) {
		t.Errorf("a wrong password and an unknown account answer differently:\n%s\n%s", wrong.Body, unknown.Body)
	}
	// Even the right password is refused now, and an unknown account looks the same.
	wantThrottled(t, login(c, "victim@sunrise.example", pw, nil))
	wantThrottled(t, login(c, "VICTIM@sunrise.example ", pw, nil))
	wantThrottled(t, login(c, "nobody@sunrise.example", pw, nil))

	// Another account (same IP, well under the IP limit) is unaffected.
	env.Login(t, "admin@sunrise.example", pw)

	env.Clock.Advance(14 * time.Minute)
	wantThrottled(t, login(c, "victim@sunrise.example", pw, nil))
	env.Clock.Advance(2 * time.Minute)
	want(t, login(c, "victim@sunrise.example", pw, nil), http.StatusOK)
	want(t, c.Do("GET", "/api/v1/me", nil), http.StatusOK)

	// The practice's admins see the failures.
	admin := env.Login(t, "admin@sunrise.example", pw)
	r := want(t, admin.Do("GET", "/api/v1/practices/sunrise/audit-events?action=auth.login_failed&limit=200", nil), http.StatusOK)
	failures := 0
	for _, e := range r.Items() {
		if e["actor_email"] == "victim@sunrise.example" && e["outcome"] == "failure" {
			failures++
		}
	}
	if failures != maxFailuresAccount {
		t.Errorf("audit has %d failed sign-ins of the victim, want %d", failures, maxFailuresAccount)
	}
}

func TestSignInThrottlePerIP(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	c := env.Client()
	// Password spraying: one failure each for many accounts from one address.
	for i := range maxFailuresIP {
		wantProblem(t, login(c, fmt.Sprintf("user%d@example.org", i), "wrong password", nil), http.StatusUnauthorized)
	}
	wantThrottled(t, login(c, "admin@sunrise.example", pw, nil))
	env.Clock.Advance(16 * time.Minute)
	env.Login(t, "admin@sunrise.example", pw)
}

func TestSignInThrottleBehindProxy(t *testing.T) {
	t.Parallel()
	env := servertest.NewWithConfig(t, server.Config{TrustProxy: true})
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	env.Member(t, p, env.User(t, "victim@sunrise.example", pw), medic.RoleDoctor)
	c := env.Client()
	// The proxy appends the address it saw; anything before it is the client's say.
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }

	for range maxFailuresAccount {
		wantProblem(t, login(c, "victim@sunrise.example", "wrong password", from("203.0.113.7")), http.StatusUnauthorized)
	}
	// The account is throttled from every address...
	wantThrottled(t, login(c, "victim@sunrise.example", pw, from("198.51.100.9")))
	// ...and another account from another address is unaffected.
	want(t, login(env.Client(), "admin@sunrise.example", pw, from("198.51.100.9")), http.StatusOK)

	for i := range maxFailuresIP {
		// A forged first hop must not give each attempt a fresh address.
		forged := fmt.Sprintf("10.9.%d.%d, 203.0.113.66", i/256, i%256)
		wantProblem(t, login(c, fmt.Sprintf("user%d@example.org", i), "wrong password", from(forged)), http.StatusUnauthorized)
	}
	wantThrottled(t, login(c, "admin@sunrise.example", pw, from("203.0.113.66")))
	wantThrottled(t, login(c, "admin@sunrise.example", pw, from("1.2.3.4, 203.0.113.66")))
	want(t, login(env.Client(), "admin@sunrise.example", pw, from("198.51.100.9")), http.StatusOK)

	// The audit log records the address the proxy saw.
	admin := env.Login(t, "admin@sunrise.example", pw)
	r := want(t, admin.Do("GET", "/api/v1/practices/sunrise/audit-events?action=auth.login_failed&outcome=failure&limit=1", nil), http.StatusOK)
	if got := r.Str("items.0.ip"); got != "203.0.113.7" {
		t.Errorf("failed sign-in recorded from %q, want 203.0.113.7", got)
	}
}

// The throttle message offers a password reset as the way out: a completed
// reset lifts the account's throttle.
func TestPasswordResetLiftsThrottle(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "victim@sunrise.example", pw), medic.RoleDoctor)
	c := env.Client()
	for range maxFailuresAccount {
		wantProblem(t, login(c, "victim@sunrise.example", "wrong password", nil), http.StatusUnauthorized)
	}
	wantThrottled(t, login(c, "victim@sunrise.example", pw, nil))

	want(t, c.Do("POST", "/api/v1/auth/password-reset", map[string]string{"email": "victim@sunrise.example"}), http.StatusAccepted)
	_, token := env.Link(t, env.WaitMail(t, "victim@sunrise.example", "/reset/").Text, "/reset/")
	const next = "a fresh start passphrase"
	want(t, c.Do("POST", "/api/v1/auth/password-reset/"+token, map[string]string{"password": next}), http.StatusNoContent)
	want(t, login(c, "victim@sunrise.example", next, nil), http.StatusOK)
}

// Concurrent guesses cannot all slip past the failure count: attempts on one
// account are serialised, so only maxFailuresAccount are ever checked.
func TestSignInThrottleHoldsUnderConcurrentGuesses(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	env.Member(t, env.Practice(t, "sunrise"), env.User(t, "victim@sunrise.example", pw), medic.RoleDoctor)
	const guesses = 20
	statuses := make(chan int, guesses)
	var wg sync.WaitGroup
	for range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- login(env.Client(), "victim@sunrise.example", "wrong password", nil).Status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusUnauthorized] != maxFailuresAccount || count[http.StatusTooManyRequests] != guesses-maxFailuresAccount {
		t.Fatalf("statuses %v: want exactly %d checked (401) and the rest throttled (429)", count, maxFailuresAccount)
	}
}
