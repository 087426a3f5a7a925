package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"medic"
	"medic/internal/auth"
	"medic/internal/server/servertest"
)

// Mirrors medic.RecoveryCodeCount.
const recoveryCodeCount = 10

var recoveryCodeRE = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$`)

// postForm sends a urlencoded desk form, as a browser's same-origin POST.
func postForm(c *servertest.Client, path string, vals url.Values) *servertest.Response {
	return c.DoHeader("POST", path, vals.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// enableTwoFactor turns 2FA on through the API for the signed-in client and
// returns the TOTP secret and the recovery codes the confirmation returned.
func enableTwoFactor(t *testing.T, env *servertest.Env, c *servertest.Client) (secret string, codes []string) {
	t.Helper()
	r := want(t, c.Do("POST", "/api/v1/me/totp", nil), http.StatusCreated)
	secret = r.Str("secret")
	code, err := totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	r = want(t, c.Do("POST", "/api/v1/me/totp/confirm", map[string]string{"code": code}), http.StatusOK)
	codes = recoveryCodes(t, r)
	env.Clock.Advance(30 * time.Second) // the confirming step is used up
	return secret, codes
}

// recoveryCodes reads and checks the "recovery_codes" of a response.
func recoveryCodes(t *testing.T, r *servertest.Response) []string {
	t.Helper()
	list, _ := r.JSON["recovery_codes"].([]any)
	var codes []string
	seen := map[string]bool{}
	for _, v := range list {
		s, _ := v.(string)
		if !recoveryCodeRE.MatchString(s) || seen[s] {
			t.Fatalf("bad or repeated recovery code %q in %s", s, r)
		}
		seen[s] = true
		codes = append(codes, s)
	}
	if len(codes) != recoveryCodeCount {
		t.Fatalf("%d recovery codes, want %d: %s", len(codes), recoveryCodeCount, r)
	}
	return codes
}

func loginBody(email string, extra map[string]string) map[string]string {
	b := map[string]string{"email": email, "password": pw}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// codesLeft is the count GET /api/v1/me reports.
func codesLeft(t *testing.T, c *servertest.Client) int {
	t.Helper()
	r := want(t, c.Do("GET", "/api/v1/me", nil), http.StatusOK)
	n, ok := r.Get("user.recovery_codes_left").(float64)
	if !ok {
		t.Fatalf("no recovery_codes_left: %s", r)
	}
	return int(n)
}

// storedCodes counts the user's rows in recovery_codes (used or not).
func storedCodes(t *testing.T, env *servertest.Env, userID string) int {
	t.Helper()
	var n int
	if err := env.DB.Pool().QueryRow(context.Background(), `SELECT count(*) FROM recovery_codes WHERE user_id = $1`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRecoveryCodesAPI(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	u := env.User(t, "doc@sunrise.example", pw)
	env.Member(t, p, u, medic.RoleAdmin)
	c := env.Login(t, "doc@sunrise.example", pw)
	_, codes := enableTwoFactor(t, env, c)

	// Only hashes are stored.
	if n := storedCodes(t, env, u.ID); n != recoveryCodeCount {
		t.Fatalf("%d stored codes, want %d", n, recoveryCodeCount)
	}
	var hashed, plain int
	if err := env.DB.Pool().QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE code_hash = $1), count(*) FILTER (WHERE position($2::bytea in code_hash) > 0)
		FROM recovery_codes`, auth.HashRecoveryCode(codes[0]), []byte(codes[0])).Scan(&hashed, &plain); err != nil || hashed != 1 || plain != 0 {
		t.Fatalf("stored form of a code: %d rows hold its hash, %d the code itself (err %v)", hashed, plain, err)
	}
	if n := codesLeft(t, c); n != recoveryCodeCount {
		t.Fatalf("me: %d codes left", n)
	}

	// The password alone still asks for a second factor.
	wantProblem(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, nil)), http.StatusUnauthorized)

	// A recovery code in the totp field (any case, without the dash) signs in.
	c1 := env.Client()
	typed := strings.ToUpper(strings.ReplaceAll(codes[0], "-", ""))
	r := want(t, c1.Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"totp": typed})), http.StatusOK)
	if r.Get("user.recovery_codes_left") != float64(recoveryCodeCount-1) {
		t.Errorf("login: recovery_codes_left %v", r.Get("user.recovery_codes_left"))
	}
	want(t, c1.Do("GET", "/api/v1/me", nil), http.StatusOK)
	// ... and only once.
	r = env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"totp": codes[0]}))
	wantProblem(t, r, http.StatusUnauthorized)
	if !strings.Contains(string(r.Body), "recovery code is not right or was already used") {
		t.Errorf("reused code: %s", r)
	}
	// The explicit recovery_code field works too, also once.
	want(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": codes[1]})), http.StatusOK)
	wantProblem(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": codes[1]})), http.StatusUnauthorized)
	// Both fields at once is a client error.
	wantProblem(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"totp": "123456", "recovery_code": codes[2]})), http.StatusUnprocessableEntity)
	if n := codesLeft(t, c); n != recoveryCodeCount-2 {
		t.Fatalf("%d codes left after two uses, want %d", n, recoveryCodeCount-2)
	}

	// Audit: the platform log and the practice's log record the generation
	// and the sign-ins by recovery code, never a code.
	rows, err := env.DB.Pool().Query(context.Background(), `SELECT action, outcome, detail::text FROM platform_events WHERE actor_id = $1 ORDER BY id`, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var platform []string
	for rows.Next() {
		var action, outcome, detail string
		if err := rows.Scan(&action, &outcome, &detail); err != nil {
			t.Fatal(err)
		}
		platform = append(platform, action+" "+outcome+" "+detail)
	}
	rows.Close()
	all := strings.Join(platform, "\n")
	for _, want := range []string{
		`auth.recovery_codes_generated success {"count": "10", "reason": "2fa_enabled"}`,
		`auth.login success {"method": "recovery_code", "recovery_codes_left": "9"}`,
		`auth.login success {"method": "recovery_code", "recovery_codes_left": "8"}`,
		`auth.login_failed failure {"reason": "bad_recovery_code"}`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("platform log lacks %q:\n%s", want, all)
		}
	}
	audit := want(t, c.Do("GET", "/api/v1/practices/sunrise/audit-events?limit=200", nil), http.StatusOK)
	got := map[string]int{}
	for _, e := range audit.Items() {
		d, _ := e["detail"].(map[string]any)
		got[e["action"].(string)+"/"+str(d["method"])+str(d["reason"])]++
	}
	if got["auth.recovery_codes_generated/2fa_enabled"] != 1 || got["auth.login/recovery_code"] != 2 || got["auth.login_failed/bad_recovery_code"] < 2 {
		t.Errorf("practice log: %v", got)
	}
	for _, code := range codes {
		for _, form := range []string{code, strings.ReplaceAll(code, "-", "")} {
			if strings.Contains(all, form) || strings.Contains(string(audit.Body), form) {
				t.Errorf("a recovery code is in the audit log")
			}
		}
	}
}

func str(v any) string { s, _ := v.(string); return s }

func TestRecoveryCodeWebSignIn(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	u := env.User(t, "doc@sunrise.example", pw)
	env.Member(t, p, u, medic.RoleDoctor)
	_, codes := enableTwoFactor(t, env, env.Login(t, u.Email, pw))

	passwordStep := func() *servertest.Client {
		c := env.Client()
		r := postForm(c, "/login", url.Values{"email": {u.Email}, "password": {pw}, "next": {"/patients"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login/2fa?next=%2Fpatients" {
			t.Fatalf("password step: %s", r)
		}
		return c
	}

	// The second step offers a recovery code.
	c := passwordStep()
	r := want(t, c.Do("GET", "/login/2fa", nil), http.StatusOK)
	if !strings.Contains(string(r.Body), `name="recovery_code"`) {
		t.Fatalf("no recovery code field: %s", r)
	}
	pending := c.Session()
	r = postForm(c, "/login/2fa", url.Values{"recovery_code": {" " + codes[3] + " "}, "next": {"/patients"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/patients" {
		t.Fatalf("recovery code step: %s", r)
	}
	if c.Session() == pending {
		t.Error("the session token was not replaced")
	}
	want(t, c.Do("GET", "/patients", nil), http.StatusOK)

	// The same code a second time: refused, the form says why.
	c2 := passwordStep()
	r = postForm(c2, "/login/2fa", url.Values{"recovery_code": {codes[3]}, "next": {"/patients"}})
	want(t, r, http.StatusUnauthorized)
	if !strings.Contains(string(r.Body), "That recovery code is not right or was already used.") || !strings.Contains(string(r.Body), "<details class=\"recovery-signin\" open>") {
		t.Errorf("refusal page: %s", r)
	}
	if r := c2.Do("GET", "/patients", nil); r.Status != http.StatusSeeOther {
		t.Errorf("a refused code reached the desk: %s", r)
	}
	// An empty recovery code is a form error, not an attempt.
	want(t, postForm(c2, "/login/2fa", url.Values{"recovery_code": {""}}), http.StatusUnprocessableEntity)
	// The code field takes a recovery code too.
	r = postForm(c2, "/login/2fa", url.Values{"totp": {codes[4]}, "next": {"/patients"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/patients" {
		t.Fatalf("recovery code in the code field: %s", r)
	}
}

func TestRecoveryCodeConcurrentUse(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	u := env.User(t, "doc@sunrise.example", pw)
	env.Member(t, p, u, medic.RoleDoctor)
	_, codes := enableTwoFactor(t, env, env.Login(t, u.Email, pw))

	// Through the API: of concurrent sign-ins with one code, one succeeds.
	const n = 4
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": codes[0]}))
			statuses[i] = r.Status
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusUnauthorized:
		default:
			t.Errorf("unexpected status %d", s)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent sign-ins with one code succeeded, want 1 (%v)", ok, statuses)
	}

	// At the desk's second step, from two pending sessions at once.
	pendings := make([]*servertest.Client, 2)
	for i := range pendings {
		c := env.Client()
		if r := postForm(c, "/login", url.Values{"email": {u.Email}, "password": {pw}}); r.Status != http.StatusSeeOther {
			t.Fatalf("password step: %s", r)
		}
		pendings[i] = c
	}
	results := make([]int, len(pendings))
	start = make(chan struct{})
	for i, c := range pendings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = postForm(c, "/login/2fa", url.Values{"recovery_code": {codes[1]}}).Status
		}()
	}
	close(start)
	wg.Wait()
	slices.Sort(results)
	if !slices.Equal(results, []int{http.StatusSeeOther, http.StatusUnauthorized}) {
		t.Fatalf("desk: concurrent uses of one code gave %v, want one 303 and one 401", results)
	}

	// The store alone guarantees it too, without the sign-in lock.
	hash := auth.HashRecoveryCode(codes[2])
	errs := make([]error, 8)
	start = make(chan struct{})
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = env.DB.UseRecoveryCode(context.Background(), u.ID, hash)
		}()
	}
	close(start)
	wg.Wait()
	ok = 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if medic.ErrorCode(err) != medic.EUNAUTHORIZED {
			t.Errorf("store: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("store: %d concurrent uses of one code succeeded, want 1", ok)
	}
}

func TestRecoveryCodeThrottle(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	u := env.User(t, "doc@sunrise.example", pw)
	env.Member(t, p, u, medic.RoleDoctor)
	_, codes := enableTwoFactor(t, env, env.Login(t, u.Email, pw))

	// Wrong recovery codes count as failed attempts on the account, with
	// wrong TOTP codes, through the API and the desk alike.
	for i := range maxFailuresAccount - 1 {
		wantProblem(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": "aaaaa-aaaa" + string(rune('a'+i))})), http.StatusUnauthorized)
	}
	// The right password alone (the desk's first step) does not reset the
	// count, or redoing it would allow endless code guesses.
	desk := env.Client()
	if r := postForm(desk, "/login", url.Values{"email": {u.Email}, "password": {pw}}); r.Status != http.StatusSeeOther {
		t.Fatalf("password step: %s", r)
	}
	want(t, postForm(desk, "/login/2fa", url.Values{"totp": {"000000"}}), http.StatusUnauthorized)

	// Now even a valid code is refused, and stays unused.
	wantThrottled(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": codes[0]})))
	if r := postForm(desk, "/login/2fa", url.Values{"recovery_code": {codes[0]}}); r.Status != http.StatusTooManyRequests {
		t.Fatalf("desk second step while throttled: %s", r)
	}

	env.Clock.Advance(16 * time.Minute)
	want(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": codes[0]})), http.StatusOK)
}

func TestRecoveryCodesRegenerateAndDisable(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	u := env.User(t, "doc@sunrise.example", pw)
	env.Member(t, p, u, medic.RoleAdmin)
	c := env.Login(t, u.Email, pw)
	_, old := enableTwoFactor(t, env, c)
	want(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": old[0]})), http.StatusOK)

	// A new set needs the password.
	r := c.Do("POST", "/api/v1/me/totp/recovery-codes", map[string]any{"password": "not the password"})
	wantProblem(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.Body), "The password is not right.") {
		t.Errorf("wrong password: %s", r)
	}
	r = want(t, c.Do("POST", "/api/v1/me/totp/recovery-codes", map[string]any{"password": pw}), http.StatusCreated)
	fresh := recoveryCodes(t, r)
	if n := storedCodes(t, env, u.ID); n != recoveryCodeCount {
		t.Fatalf("%d stored codes after regenerating, want %d (the old set replaced)", n, recoveryCodeCount)
	}
	if n := codesLeft(t, c); n != recoveryCodeCount {
		t.Fatalf("%d codes left after regenerating", n)
	}
	// Every old code is dead, a new one works.
	wantProblem(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": old[1]})), http.StatusUnauthorized)
	want(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": fresh[0]})), http.StatusOK)

	// The generation is in the practice's log, without codes.
	audit := want(t, c.Do("GET", "/api/v1/practices/sunrise/audit-events?action=auth.recovery_codes_generated", nil), http.StatusOK)
	if items := audit.Items(); len(items) != 2 {
		t.Errorf("%d generation events, want 2: %s", len(items), audit)
	}

	// Turning 2FA off deletes the codes; the password then suffices.
	want(t, c.Do("POST", "/api/v1/me/totp/disable", map[string]string{"password": pw}), http.StatusNoContent)
	if n := storedCodes(t, env, u.ID); n != 0 {
		t.Fatalf("%d codes left in the database after turning 2FA off", n)
	}
	if r := want(t, c.Do("GET", "/api/v1/me", nil), http.StatusOK); r.Get("user.recovery_codes_left") != nil {
		t.Errorf("2FA off but recovery_codes_left reported: %s", r)
	}
	audit = want(t, c.Do("GET", "/api/v1/practices/sunrise/audit-events?action=auth.recovery_codes_deleted", nil), http.StatusOK)
	if items := audit.Items(); len(items) != 1 || str(items[0]["detail"].(map[string]any)["unused"]) != "9" {
		t.Errorf("deletion event: %s", audit)
	}
	// New codes need 2FA on.
	wantProblem(t, c.Do("POST", "/api/v1/me/totp/recovery-codes", map[string]any{"password": pw}), http.StatusUnprocessableEntity)

	// Turned on again: a new set, none of the earlier codes works.
	_, again := enableTwoFactor(t, env, c)
	for _, code := range append(old[2:3], fresh[1]) {
		wantProblem(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": code})), http.StatusUnauthorized)
	}
	want(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": again[0]})), http.StatusOK)
}

var pageCodeRE = regexp.MustCompile(`<li><code class="secret">([0-9a-z]{5}-[0-9a-z]{5})</code></li>`)

func TestRecoveryCodesAccountPage(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	u := env.User(t, "doc@sunrise.example", pw)
	env.Member(t, p, u, medic.RoleDoctor)
	c := env.Login(t, u.Email, pw)

	// Enrol at the desk: confirming shows the codes on the answer itself.
	want(t, postForm(c, "/account/2fa", nil), http.StatusSeeOther)
	r := want(t, c.Do("GET", "/account", nil), http.StatusOK)
	m := regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`).FindStringSubmatch(string(r.Body))
	if m == nil {
		t.Fatalf("no secret on the page: %s", r)
	}
	code, _ := totp.GenerateCode(m[1], env.Clock.Now())
	r = want(t, postForm(c, "/account/2fa/confirm", url.Values{"code": {code}}), http.StatusOK)
	body := string(r.Body)
	var codes []string
	for _, m := range pageCodeRE.FindAllStringSubmatch(body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != recoveryCodeCount {
		t.Fatalf("%d codes on the page, want %d:\n%s", len(codes), recoveryCodeCount, body)
	}
	for _, want := range []string{"Two-factor sign-in is on.", "shown only this once", strings.Join(codes, "\n"), "Generate new recovery codes"} {
		if !strings.Contains(body, want) {
			t.Errorf("confirmation page lacks %q", want)
		}
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q on the page with codes", cc)
	}

	// Once: the page never shows them again, only how many are left.
	r = want(t, c.Do("GET", "/account", nil), http.StatusOK)
	if strings.Contains(string(r.Body), codes[0]) {
		t.Fatal("the account page shows a code again")
	}
	if !strings.Contains(string(r.Body), "10 unused recovery codes left.") || strings.Contains(string(r.Body), `id="recovery-low"`) {
		t.Errorf("count: %s", r)
	}

	// Use codes down to 2: the page warns.
	for _, code := range codes[:8] {
		want(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": code})), http.StatusOK)
	}
	r = want(t, c.Do("GET", "/account", nil), http.StatusOK)
	if !strings.Contains(string(r.Body), "Only 2 recovery codes are left.") {
		t.Errorf("no warning at 2 left: %s", r)
	}

	// A new set at the desk needs the password, and is shown once.
	r = postForm(c, "/account/2fa/recovery-codes", url.Values{"password": {"not the password"}})
	want(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.Body), "The password is not right.") || pageCodeRE.MatchString(string(r.Body)) {
		t.Errorf("wrong password: %s", r)
	}
	r = want(t, postForm(c, "/account/2fa/recovery-codes", url.Values{"password": {pw}}), http.StatusOK)
	fresh := pageCodeRE.FindAllStringSubmatch(string(r.Body), -1)
	if len(fresh) != recoveryCodeCount || !strings.Contains(string(r.Body), "The old ones no longer work.") {
		t.Fatalf("new set page: %s", r)
	}
	wantProblem(t, env.Client().Do("POST", "/api/v1/auth/login", loginBody(u.Email, map[string]string{"recovery_code": codes[8]})), http.StatusUnauthorized)
	r = want(t, c.Do("GET", "/account", nil), http.StatusOK)
	if !strings.Contains(string(r.Body), "10 unused recovery codes left.") || strings.Contains(string(r.Body), fresh[0][1]) {
		t.Errorf("after a new set: %s", r)
	}

	// Off at the desk: no codes, no count.
	r = postForm(c, "/account/2fa/disable", url.Values{"password": {pw}})
	want(t, r, http.StatusSeeOther)
	if n := storedCodes(t, env, u.ID); n != 0 {
		t.Fatalf("%d codes stored after turning 2FA off", n)
	}
	r = want(t, c.Do("GET", "/account", nil), http.StatusOK)
	if strings.Contains(string(r.Body), "recovery codes left") {
		t.Errorf("count shown with 2FA off")
	}
}
