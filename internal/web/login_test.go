package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignInShowsDashboard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise Family Practice")
	u := e.mustUser("admin@sunrise.example", "Ada Admin")
	e.mustMember(p, u, "admin")

	c := e.client()
	// Signed out, the desk sends you to sign in.
	r := c.getNoFollow("/members")
	if r.status != http.StatusSeeOther || r.location != "/login?next=%2Fmembers" {
		t.Fatalf("signed-out /members: %d %q", r.status, r.location)
	}
	login := c.get("/login")
	wantStatus(t, login, http.StatusOK)
	wantContains(t, login, `<label for="login-email">Email address`, `<main id="main"`, `class="skip-link"`)

	r = c.postNoFollow("/login", url.Values{"email": {"admin@sunrise.example"}, "password": {testPassword}})
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("sign in: %d to %q", r.status, r.location)
	}
	first := c.sessionCookie()
	if first == "" {
		t.Fatal("no session cookie after sign-in")
	}
	dash := c.get("/")
	wantStatus(t, dash, http.StatusOK)
	wantContains(t, dash, "Sunrise Family Practice", "Administrator", `href="/settings"`, `href="/audit"`)
	wantNotContains(t, dash, `action="/switch"`) // a member of one practice has nothing to switch to

	// Signing in again gives a new token.
	c.post("/logout", nil)
	if c.sessionCookie() != "" {
		t.Fatal("cookie kept after sign-out")
	}
	r = c.getNoFollow("/")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
		t.Fatalf("after sign-out /: %d %q", r.status, r.location)
	}
	c2 := e.signIn("admin@sunrise.example")
	if c2.sessionCookie() == first {
		t.Fatal("second sign-in reused the session token")
	}
}

func TestSignInWrongPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustUser("doc@sunrise.example", "Doc")
	c := e.client()
	r := c.post("/login", url.Values{"email": {"doc@sunrise.example"}, "password": {"not the password"}})
	wantStatus(t, r, http.StatusUnauthorized)
	wantContains(t, r, "The email or password is not right.", `value="doc@sunrise.example"`)
	wantNotContains(t, r, "not the password")
	if c.sessionCookie() != "" {
		t.Fatal("a failed sign-in set a cookie")
	}
	// Empty fields are explained per field, without an attempt counted.
	r = c.post("/login", url.Values{"email": {""}, "password": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter your email address.", "Enter your password.", `aria-invalid="true"`)
}

func TestSignInThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustUser("nurse@sunrise.example", "Nurse")
	c := e.client()
	for i := 0; i < 5; i++ {
		c.post("/login", url.Values{"email": {"nurse@sunrise.example"}, "password": {"wrong-password-" + string(rune('a'+i))}})
	}
	r := c.post("/login", url.Values{"email": {"nurse@sunrise.example"}, "password": {testPassword}})
	wantStatus(t, r, http.StatusTooManyRequests)
	wantContains(t, r, "Too many failed sign-ins", `role="alert"`)
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the throttled answer")
	}
}

func TestSignInNextIsLocalOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("a@sunrise.example", "A"), "admin")
	for next, want := range map[string]string{
		"/members":             "/members",
		"/locations?cursor=x":  "/locations?cursor=x",
		"//evil.example/x":     "/",
		"https://evil.example": "/",
		"/\\evil.example":      "/",
		"javascript:alert(1)":  "/",
		"/login":               "/",
	} {
		c := e.client()
		r := c.postNoFollow("/login", url.Values{"email": {"a@sunrise.example"}, "password": {testPassword}, "next": {next}})
		if r.status != http.StatusSeeOther || r.location != want {
			t.Errorf("next=%q: %d to %q, want %q", next, r.status, r.location, want)
		}
	}
	// The next page survives the trip through the form.
	c := e.client()
	form := c.get("/login?next=%2Fmembers")
	wantContains(t, form, `name="next" value="/members"`)
}

func TestUnknownPathIs404Page(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.client().get("/no/such/page")
	wantStatus(t, r, http.StatusNotFound)
	wantContains(t, r, "Page not found", `<main id="main"`)
}
