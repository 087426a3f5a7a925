package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

var secretRE = regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`)

func TestTwoFactorEnrolAndSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Doc"), "doctor")
	c := e.signIn("doc@sunrise.example")

	acc := c.get("/account")
	wantContains(t, acc, "Set up two-factor sign-in")
	acc = c.post("/account/2fa", nil)
	wantStatus(t, acc, http.StatusOK)
	wantContains(t, acc, `<img class="qr" src="/account/2fa/qr.png"`)
	m := secretRE.FindStringSubmatch(acc.body)
	if m == nil {
		t.Fatalf("no secret on the page\n%s", acc.body)
	}
	secret := m[1]
	qr := c.get("/account/2fa/qr.png")
	wantStatus(t, qr, http.StatusOK)
	if qr.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.body, "\x89PNG") {
		t.Fatalf("qr: %s", qr.header.Get("Content-Type"))
	}

	r := c.post("/account/2fa/confirm", url.Values{"code": {"000000"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "That code is not right.")
	now := time.Now()
	code, _ := totp.GenerateCode(secret, now)
	r = c.post("/account/2fa/confirm", url.Values{"code": {code}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Two-factor sign-in is on.")

	// Sign in again: the password leads to the second step.
	c2 := e.client()
	r = c2.postNoFollow("/login", url.Values{"email": {"doc@sunrise.example"}, "password": {testPassword}, "next": {"/members"}})
	if r.status != http.StatusSeeOther || r.location != "/login/2fa?next=%2Fmembers" {
		t.Fatalf("password step: %d %q", r.status, r.location)
	}
	pending := c2.sessionCookie()
	// With the code still owed, the desk is closed.
	if r := c2.getNoFollow("/members"); r.location != "/login/2fa?next=%2Fmembers" {
		t.Fatalf("pending session reached the desk: %d %q", r.status, r.location)
	}
	r = c2.post("/login/2fa", url.Values{"totp": {"123456"}, "next": {"/members"}})
	wantStatus(t, r, http.StatusUnauthorized)
	wantContains(t, r, "That code is not right.")
	next, _ := totp.GenerateCode(secret, now.Add(30*time.Second)) // a step not used yet
	r = c2.post("/login/2fa", url.Values{"totp": {next}, "next": {"/members"}})
	wantStatus(t, r, http.StatusOK)
	if r.url != "/members" {
		t.Fatalf("after the code: at %s", r.url)
	}
	if c2.sessionCookie() == pending {
		t.Fatal("the session token was not replaced after the second step")
	}

	// Turning it off needs the password.
	r = c.post("/account/2fa/disable", url.Values{"password": {"wrong password!"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "The password is not right.")
	r = c.post("/account/2fa/disable", url.Values{"password": {testPassword}})
	wantContains(t, r, "Two-factor sign-in is off.")
}

func TestAccountNamePasswordSessionsTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("rec@sunrise.example", "Rec"), "receptionist")
	c := e.signIn("rec@sunrise.example")
	other := e.signIn("rec@sunrise.example")

	r := c.post("/account/name", url.Values{"name": {"  "}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter a name.")
	r = c.post("/account/name", url.Values{"name": {"Rita Reception"}})
	wantContains(t, r, "Your name is saved.", `value="Rita Reception"`)

	// Sessions: both listed, this one marked.
	acc := c.get("/account")
	if n := strings.Count(acc.body, `/end"`); n != 2 {
		t.Fatalf("%d sessions listed, want 2", n)
	}
	wantContains(t, acc, "This session")

	// Tokens: created for the current practice, shown once.
	r = c.post("/account/tokens", url.Values{"name": {""}, "expires_in_days": {"30"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Give the token a name")
	for days, msg := range map[string]string{"0": "a token lives at most a year", "366": "a token lives at most a year", "many": "Enter a whole number of days"} {
		r = c.post("/account/tokens", url.Values{"name": {"too long"}, "expires_in_days": {days}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantContains(t, r, msg, `aria-invalid="true"`)
	}
	r = c.post("/account/tokens", url.Values{"name": {"nightly export"}, "expires_in_days": {"30"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "It expires on")
	m := regexp.MustCompile(`value="(medic_[^"]+)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("the new token is not shown\n%s", r.body)
	}
	plain := m[1]
	acc = c.get("/account")
	wantContains(t, acc, "nightly export", "Sunrise")
	wantNotContains(t, acc, plain)
	// The token works on the JSON API.
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+plain)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token on the API: %v %v", err, resp)
	}
	resp.Body.Close()
	id := regexp.MustCompile(`/account/tokens/([0-9a-f-]{36})/revoke`).FindStringSubmatch(acc.body)
	if id == nil {
		t.Fatal("no revoke button")
	}
	r = c.post("/account/tokens/"+id[1]+"/revoke", nil)
	wantContains(t, r, "The token is revoked.", "Revoked")

	// Password change: wrong current password, mismatch, then success
	// ending the other session.
	r = c.post("/account/password", url.Values{"current_password": {"nope nope nope"}, "new_password": {"a brand new password"}, "new_password_confirm": {"a brand new password"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "The current password is not right.")
	r = c.post("/account/password", url.Values{"current_password": {testPassword}, "new_password": {"a brand new password"}, "new_password_confirm": {"something else entirely"}})
	wantContains(t, r, "The two new passwords are not the same.")
	r = c.post("/account/password", url.Values{"current_password": {testPassword}, "new_password": {"a brand new password"}, "new_password_confirm": {"a brand new password"}})
	wantContains(t, r, "Your password is changed.")
	if r := other.getNoFollow("/"); r.status != http.StatusSeeOther {
		t.Fatalf("the other session survived a password change: %d", r.status)
	}

	// Ending the current session signs out.
	acc = c.get("/account")
	cur := regexp.MustCompile(`/account/sessions/([0-9a-f-]{36})/end"[^>]*>\s*<button[^>]*>End \(sign out\)`).FindStringSubmatch(acc.body)
	if cur == nil {
		t.Fatalf("no end button for this session\n%s", acc.body)
	}
	r = c.post("/account/sessions/"+cur[1]+"/end", nil)
	if !strings.HasPrefix(r.url, "/login") {
		t.Fatalf("ending this session left us at %s", r.url)
	}
}

func TestInvitationFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise Family Practice")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	other := e.mustPractice("harbour", "Harbour")
	existing := e.mustUser("both@example.org", "Both")
	e.mustMember(other, existing, "doctor")
	admin := e.signIn("admin@sunrise.example")

	r := admin.post("/members/invite", url.Values{"email": {"bad"}, "role": {"nurse"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter a valid email address.", `value="bad"`)
	r = admin.post("/members/invite", url.Values{"email": {"new.nurse@sunrise.example"}, "role": {"nurse"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Invitation sent.", "new.nurse@sunrise.example", "Open invitations")
	admin.post("/members/invite", url.Values{"email": {"both@example.org"}, "role": {"receptionist"}})

	// A new person: name and password, then signed in to the practice.
	link := e.lastMailLink("new.nurse@sunrise.example")
	c := e.client()
	form := c.get(link)
	wantStatus(t, form, http.StatusOK)
	wantContains(t, form, "Join Sunrise Family Practice", "Nurse", "Your full name")
	r = c.post(link, url.Values{"name": {"Nina Nurse"}, "password": {"short"}, "password_confirm": {"short"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "at least 10 characters", `value="Nina Nurse"`)
	r = c.post(link, url.Values{"name": {"Nina Nurse"}, "password": {"a good long password"}, "password_confirm": {"a good long password"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "<h1>Sunrise Family Practice</h1>", "Nurse")
	// Used once only.
	wantStatus(t, e.client().get(link), http.StatusNotFound)

	// An existing account proves itself with its password and lands in
	// the practice it was invited to.
	link = e.lastMailLink("both@example.org")
	c = e.client()
	form = c.get(link)
	wantContains(t, form, "already have a Medic account")
	r = c.post(link, url.Values{"password": {"wrong password here"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	r = c.post(link, url.Values{"password": {testPassword}})
	wantContains(t, r, "<h1>Sunrise Family Practice</h1>", "Receptionist")

	// The admin sees both; a revoked invitation link is dead.
	wantContains(t, admin.get("/members"), "Nina Nurse", "both@example.org")
	admin.post("/members/invite", url.Values{"email": {"late@sunrise.example"}, "role": {"billing"}})
	late := e.lastMailLink("late@sunrise.example")
	mp := admin.get("/members")
	inv := regexp.MustCompile(`/invitations/([0-9a-f-]{36})/revoke`).FindStringSubmatch(mp.body)
	if inv == nil {
		t.Fatal("no revoke button for the invitation")
	}
	wantContains(t, admin.post("/invitations/"+inv[1]+"/revoke", nil), "Invitation revoked.")
	r = e.client().get(late)
	wantStatus(t, r, http.StatusNotFound)
	wantContains(t, r, "Invitation not valid")
}

func TestMemberRoleAndDeactivation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	admin := e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	doc := e.mustMember(p, e.mustUser("doc@sunrise.example", "Doc"), "doctor")
	c := e.signIn("admin@sunrise.example")

	r := c.post("/members/"+doc.ID, url.Values{"role": {"nurse"}})
	wantContains(t, r, "Member updated.")
	m, _ := e.db.FindMember(tenantCtx(p), doc.ID)
	if m.Role != "nurse" {
		t.Fatalf("role = %s", m.Role)
	}
	r = c.post("/members/"+doc.ID, url.Values{"active": {"false"}})
	wantContains(t, r, "Deactivated", "Reactivate")
	// No action on your own row: none offered, and the use case refuses it.
	r = c.get("/members")
	wantNotContains(t, r, `action="/members/`+admin.ID+`"`)
	wantContains(t, r, "Another admin can change your role.")
	for _, f := range []url.Values{{"role": {"doctor"}}, {"active": {"false"}}} {
		r = c.post("/members/"+admin.ID, f)
		wantStatus(t, r, http.StatusConflict)
		wantContains(t, r, "ask another admin")
	}
	if m, _ := e.db.FindMember(tenantCtx(p), admin.ID); m.Role != "admin" || !m.Active {
		t.Fatalf("the admin changed themselves: %+v", m)
	}
	// A deactivated member no longer gets in.
	r = e.signIn("doc@sunrise.example").get("/members")
	wantContains(t, r, "not a member of a practice")
	wantNotContains(t, r, `href="/members"`)
}

func TestForgotAndResetPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Doc"), "doctor")
	c := e.client()

	known := c.post("/forgot", url.Values{"email": {"doc@sunrise.example"}})
	unknown := c.post("/forgot", url.Values{"email": {"nobody@sunrise.example"}})
	wantStatus(t, known, http.StatusOK)
	if known.body != unknown.body {
		t.Fatal("the forgot page answers differently for unknown emails")
	}
	wantContains(t, known, "If an account exists")

	link := e.lastMailLink("doc@sunrise.example")
	wantStatus(t, c.get(link), http.StatusOK)
	r := c.post(link, url.Values{"password": {"a fresh password!"}, "password_confirm": {"not the same one"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "not the same")
	r = c.post(link, url.Values{"password": {"a fresh password!"}, "password_confirm": {"a fresh password!"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Sign in with the new one.")
	r = c.get(link)
	wantStatus(t, r, http.StatusNotFound)
	wantContains(t, r, "Reset link not valid")
	r = c.post("/login", url.Values{"email": {"doc@sunrise.example"}, "password": {"a fresh password!"}})
	wantContains(t, r, "<h1>Sunrise</h1>")
}
