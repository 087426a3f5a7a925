package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/server/servertest"
)

func TestPersonalAPITokens(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	admin := env.Login(t, "admin@sunrise.example", pw)

	created := want(t, admin.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "nightly export", "practice": "sunrise", "expires_in_days": 30}), http.StatusCreated)
	secret, id := created.Str("token"), created.Str("id")
	if !strings.HasPrefix(secret, "medic_") || id == "" || created.Str("practice_id") != p.ID {
		t.Fatalf("created token: %s", created)
	}

	bearer := env.TokenClient(t, secret)
	if r := want(t, bearer.Do("GET", "/api/v1/me", nil), http.StatusOK); r.Str("user.email") != "admin@sunrise.example" || r.Str("active_practice_id") != p.ID {
		t.Errorf("me by token: %s", r)
	}
	want(t, bearer.Do("GET", "/api/v1/practices/sunrise/members", nil), http.StatusOK)
	// Scripts send no browser origin headers: a bearer write passes CSRF.
	want(t, bearer.Do("POST", "/api/v1/practices/sunrise/locations", map[string]any{"name": "Scripted"}), http.StatusCreated)

	list := want(t, admin.Do("GET", "/api/v1/auth/tokens", nil), http.StatusOK)
	if len(list.Items()) != 1 || list.Str("items.0.id") != id || list.Str("items.0.name") != "nightly export" || list.Get("items.0.last_used_at") == nil {
		t.Errorf("token list: %s", list)
	}
	if _, has := list.Items()[0]["token"]; has || strings.Contains(string(list.Body), secret) {
		t.Errorf("token list shows the secret: %s", list)
	}

	// Validation.
	wantProblem(t, admin.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "", "practice": "sunrise"}), http.StatusUnprocessableEntity)
	for _, days := range []any{0, -1, 366, 1000, "30"} {
		r := admin.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "x", "practice": "sunrise", "expires_in_days": days})
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Str("errors.expires_in_days") == "" {
			t.Errorf("expires_in_days %v: the problem does not name the field: %s", days, r)
		}
	}
	wantProblem(t, admin.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "x", "practice": "elsewhere"}), http.StatusNotFound)
	wantProblem(t, env.Client().Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "x", "practice": "sunrise"}), http.StatusUnauthorized)

	// Someone else cannot revoke it.
	env.Member(t, p, env.User(t, "doctor@sunrise.example", pw), medic.RoleDoctor)
	wantProblem(t, env.Login(t, "doctor@sunrise.example", pw).Do("DELETE", "/api/v1/auth/tokens/"+id, nil), http.StatusNotFound)
	want(t, bearer.Do("GET", "/api/v1/me", nil), http.StatusOK)

	want(t, admin.Do("DELETE", "/api/v1/auth/tokens/"+id, nil), http.StatusNoContent)
	wantProblem(t, bearer.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
	wantProblem(t, bearer.Do("GET", "/api/v1/practices/sunrise/members", nil), http.StatusUnauthorized)
	wantProblem(t, admin.Do("DELETE", "/api/v1/auth/tokens/"+id, nil), http.StatusNotFound)
	if r := want(t, admin.Do("GET", "/api/v1/auth/tokens", nil), http.StatusOK); r.Get("items.0.revoked_at") == nil {
		t.Errorf("revoked token not marked: %s", r)
	}
	unknown := env.TokenClient(t, "medic_not-a-real-token").Do("GET", "/api/v1/me", nil)
	wantProblem(t, unknown, http.StatusUnauthorized)
	revoked := bearer.Do("GET", "/api/v1/me", nil)
	for _, r := range []*servertest.Response{unknown, revoked} {
		if strings.Contains(r.Str("detail"), "expired") {
			t.Errorf("an unknown or revoked token is told it expired: %s", r)
		}
	}

	// Expiry follows the clock, to the instant; an expired token is told so.
	short := want(t, admin.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "short", "practice": "sunrise", "expires_in_days": 1}), http.StatusCreated)
	sc := env.TokenClient(t, short.Str("token"))
	want(t, sc.Do("GET", "/api/v1/me", nil), http.StatusOK)
	env.Clock.Advance(24*time.Hour - time.Nanosecond)
	want(t, sc.Do("GET", "/api/v1/me", nil), http.StatusOK)
	env.Clock.Advance(time.Nanosecond)
	for _, path := range []string{"/api/v1/me", "/api/v1/practices/sunrise/members"} {
		r := sc.Do("GET", path, nil)
		wantProblem(t, r, http.StatusUnauthorized)
		if !strings.Contains(r.Str("detail"), "expired") {
			t.Errorf("expired token: the detail does not say it expired: %s", r)
		}
	}
	listed := false
	admin = env.Login(t, "admin@sunrise.example", pw) // the session went idle meanwhile
	for _, it := range want(t, admin.Do("GET", "/api/v1/auth/tokens", nil), http.StatusOK).Items() {
		listed = listed || it["name"] == "short" && it["expires_at"] == "2030-03-05T08:00:00Z"
	}
	if !listed {
		t.Error("the token list does not show the short token's expiry")
	}
}

// TestTokenLifetime: a token lives 90 days unless asked otherwise, at most
// a year, and says when it expires when made and when listed.
func TestTokenLifetime(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	admin := env.Login(t, "admin@sunrise.example", pw)
	day := 24 * time.Hour
	for _, tc := range []struct {
		body map[string]any
		want time.Time
	}{
		{map[string]any{"name": "default", "practice": "sunrise"}, servertest.Start.Add(90 * day)},
		{map[string]any{"name": "a year", "practice": "sunrise", "expires_in_days": 365}, servertest.Start.Add(365 * day)},
		{map[string]any{"name": "a day", "practice": "sunrise", "expires_in_days": 1}, servertest.Start.Add(day)},
	} {
		r := want(t, admin.Do("POST", "/api/v1/auth/tokens", tc.body), http.StatusCreated)
		if got, err := time.Parse(time.RFC3339, r.Str("expires_at")); err != nil || !got.Equal(tc.want) {
			t.Errorf("%v: expires_at %q, want %v", tc.body["name"], r.Str("expires_at"), tc.want)
		}
	}
	list := want(t, admin.Do("GET", "/api/v1/auth/tokens", nil), http.StatusOK)
	for _, it := range list.Items() {
		if it["expires_at"] == nil {
			t.Errorf("listed token without expiry: %v", it)
		}
	}
}

// TestTokenExpiryNotice: the owner is emailed once a week before a token
// expires, by the periodic check, as the app's clock decides.
func TestTokenExpiryNotice(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	admin := env.Login(t, "admin@sunrise.example", pw)
	create := func(name string, days int) string {
		t.Helper()
		return want(t, admin.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": name, "practice": "sunrise", "expires_in_days": days}), http.StatusCreated).Str("id")
	}
	create("nightly export", 90)
	create("short job", 7)              // made a week or less before expiry: no notice
	revoked := create("old export", 30) // revoked: no notice
	want(t, admin.Do("DELETE", "/api/v1/auth/tokens/"+revoked, nil), http.StatusNoContent)
	check := func(want int) {
		t.Helper()
		n, err := env.App.NotifyExpiringTokens(context.Background())
		if err != nil || n != want {
			t.Fatalf("NotifyExpiringTokens: %d notices, %v; want %d", n, err, want)
		}
	}

	check(0)
	env.Clock.Advance(83*24*time.Hour - time.Nanosecond) // a week and a nanosecond before expiry
	check(0)
	env.Clock.Advance(time.Nanosecond) // exactly a week before
	check(1)
	m := env.WaitMail(t, "admin@sunrise.example", "nightly export")
	if !strings.Contains(m.Subject, "expires") || !strings.Contains(m.Text, "Sunday 2 June 2030 at 08:00 UTC") || !strings.Contains(m.Text, env.URL+"/account") {
		t.Errorf("notice: %q\n%s", m.Subject, m.Text)
	}
	check(0) // once per token, however often the check runs
	env.Clock.Advance(6 * 24 * time.Hour)
	check(0)
	for _, m := range env.Mail() {
		if strings.Contains(m.Text, "short job") || strings.Contains(m.Text, "old export") {
			t.Errorf("notice for a short or revoked token: %s", m.Text)
		}
	}
}

// TestTokenRequestsNeverWaitOnTheTokenRow: requests of one token must not
// queue on its row. Another transaction holds the row lock (as a request
// recording the token's use did for every other request before the use
// was throttled); a request by the token still completes, and the use is
// recorded at most once a minute.
func TestTokenRequestsNeverWaitOnTheTokenRow(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "doctor@sunrise.example", pw), medic.RoleDoctor)
	c := env.Login(t, "doctor@sunrise.example", pw)
	created := want(t, c.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "integration", "practice": "sunrise"}), http.StatusCreated)
	id := created.Str("id")
	tok := env.TokenClient(t, created.Str("token"))
	tok.HTTP.Timeout = 10 * time.Second // a request stuck on the lock fails the test, not hangs it
	path := "/api/v1/practices/sunrise/appointment-types"

	ctx := context.Background()
	owner, err := pgx.Connect(ctx, env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	lastUsed := func() (at *time.Time) {
		t.Helper()
		if err := owner.QueryRow(ctx, `SELECT last_used_at FROM api_tokens WHERE id = $1`, id).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	lock := func() pgx.Tx {
		t.Helper()
		tx, err := owner.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET name = name WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return tx
	}

	// Never used: the first request would record the use, but the row is
	// locked. It completes, and the use is left for a later request.
	tx := lock()
	want(t, tok.Do("GET", path, nil), http.StatusOK)
	want(t, tok.Do("GET", path, nil), http.StatusOK)
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if at := lastUsed(); at != nil {
		t.Fatalf("use recorded through a held row lock: %v", at)
	}
	want(t, tok.Do("GET", path, nil), http.StatusOK)
	first := lastUsed()
	if first == nil || !first.Equal(servertest.Start) {
		t.Fatalf("last use %v, want %v", first, servertest.Start)
	}

	// Within the minute nothing is written, even with the row free.
	env.Clock.Advance(time.Minute)
	want(t, tok.Do("GET", path, nil), http.StatusOK)
	if at := lastUsed(); !at.Equal(*first) {
		t.Fatalf("last use rewritten within the minute: %v", at)
	}

	// Past the minute the use is due; a held lock still never blocks.
	env.Clock.Advance(time.Nanosecond)
	tx = lock()
	want(t, tok.Do("GET", path, nil), http.StatusOK)
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	want(t, tok.Do("GET", path, nil), http.StatusOK)
	if at, due := lastUsed(), servertest.Start.Add(time.Minute+time.Nanosecond); !at.Equal(due.Truncate(time.Microsecond)) {
		t.Fatalf("last use %v, want %v", at, due)
	}
}

// A token request reads its practice and the membership in the same round
// trip as the token (no cache): each request sees them as they are now. A
// deactivated membership is a 404 at once, a suspended practice a 403, a
// restored one works again, and a revoked token is a 401 on the next
// request.
func TestTokenEntersItsPracticeAsItIsNow(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "now")
	u := env.User(t, "doctor@now.example", pw)
	env.Member(t, p, u, medic.RoleDoctor)
	c := env.Login(t, "doctor@now.example", pw)
	created := want(t, c.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "script", "practice": "now"}), http.StatusCreated)
	tok := env.TokenClient(t, created.Str("token"))
	own := ownerConn(t, env)
	owner := func(sql string, args ...any) {
		t.Helper()
		if _, err := own.Exec(context.Background(), sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	path := "/api/v1/practices/now/appointment-types"
	want(t, tok.Do("GET", path, nil), http.StatusOK)
	owner(`UPDATE members SET active = false WHERE practice_id = $1 AND user_id = $2`, p.ID, u.ID)
	wantProblem(t, tok.Do("GET", path, nil), http.StatusNotFound)
	owner(`UPDATE members SET active = true WHERE practice_id = $1 AND user_id = $2`, p.ID, u.ID)
	want(t, tok.Do("GET", path, nil), http.StatusOK)
	owner(`UPDATE practices SET status = 'suspended' WHERE id = $1`, p.ID)
	wantProblem(t, tok.Do("GET", path, nil), http.StatusForbidden)
	owner(`UPDATE practices SET status = 'active' WHERE id = $1`, p.ID)
	want(t, tok.Do("GET", "/api/v1/practices/"+p.ID+"/appointment-types", nil), http.StatusOK)
	want(t, c.Do("DELETE", "/api/v1/auth/tokens/"+created.Str("id"), nil), http.StatusNoContent)
	wantProblem(t, tok.Do("GET", path, nil), http.StatusUnauthorized)
}
