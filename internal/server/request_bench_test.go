package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/server/servertest"
)

// BenchmarkTenantRequest measures what every signed-in tenant request pays
// before its handler does real work: authentication (session cookie or
// bearer token) and entering the practice, through the real handler and a
// real PostgreSQL. The route is a cheap tenant read; the clock stands still,
// so the session's once-a-minute visit write never happens.
//
//	go test -run xxx -bench TenantRequest -benchtime 3s ./internal/server/
func BenchmarkTenantRequest(b *testing.B) {
	env := servertest.New(b)
	p := env.Practice(b, "bench")
	env.Member(b, p, env.User(b, "doctor@bench.example", pw), medic.RoleDoctor)
	c := env.Login(b, "doctor@bench.example", pw)
	created := c.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "bench", "practice": "bench"})
	if created.Status != http.StatusCreated {
		b.Fatalf("create token: %s", created)
	}
	path := "/api/v1/practices/bench/appointment-types"
	h := env.Server.Config.Handler

	run := func(b *testing.B, header, value string) {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set(header, value)
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req.Clone(req.Context()))
			if w.Code != http.StatusOK {
				b.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
			}
		}
	}
	b.Run("session", func(b *testing.B) {
		run(b, "Cookie", env.Config.CookieName()+"="+c.Session())
	})
	b.Run("token", func(b *testing.B) {
		run(b, "Authorization", "Bearer "+created.Str("token"))
	})
}

// TestTenantRequestEntry pins what the folded per-request lookups (session
// or token with its user, practice with the membership) must still decide:
// exact idle expiry with the injected clock, disabled users, inactive and
// missing memberships (404 like a missing practice), practice refs by id
// and slug, tokens bound to one practice, require-2FA and suspended
// practices.
func TestTenantRequestEntry(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	a, b := env.Practice(t, "alpha"), env.Practice(t, "beta")
	u := env.User(t, "doctor@alpha.example", pw)
	env.Member(t, a, u, medic.RoleDoctor)
	env.Member(t, b, u, medic.RoleNurse)
	ou := env.User(t, "doctor@beta.example", pw)
	env.Member(t, a, ou, medic.RoleAdmin)
	c := env.Login(t, "doctor@alpha.example", pw)
	created := want(t, c.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "script", "practice": "alpha"}), http.StatusCreated)
	tok := env.TokenClient(t, created.Str("token"))
	other := env.Login(t, "doctor@beta.example", pw)
	owner := func(sql string, args ...any) {
		t.Helper()
		conn, err := pgx.Connect(context.Background(), env.DB.OwnerURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	types := func(ref string) string { return "/api/v1/practices/" + ref + "/appointment-types" }
	missing := wantProblemBody(t, c.Do("GET", types("nowhere"), nil), http.StatusNotFound)

	for _, ref := range []string{"alpha", a.ID, strings.ToUpper(a.ID)} {
		want(t, c.Do("GET", types(ref), nil), http.StatusOK)
		want(t, tok.Do("GET", types(ref), nil), http.StatusOK)
	}
	want(t, c.Do("GET", types("beta"), nil), http.StatusOK)
	for _, ref := range []string{"beta", b.ID} {
		// The token is bound to alpha; the other user is no member of beta.
		if got := wantProblemBody(t, tok.Do("GET", types(ref), nil), http.StatusNotFound); got != missing {
			t.Errorf("token outside its practice: %s, want %s", got, missing)
		}
		if got := wantProblemBody(t, other.Do("GET", types(ref), nil), http.StatusNotFound); got != missing {
			t.Errorf("non-member: %s, want %s", got, missing)
		}
	}
	wantProblemBody(t, c.Do("GET", types(newUUID()), nil), http.StatusNotFound)

	// An inactive membership is no membership.
	owner(`UPDATE members SET active = false WHERE practice_id = $1 AND user_id = $2`, b.ID, u.ID)
	if got := wantProblemBody(t, c.Do("GET", types("beta"), nil), http.StatusNotFound); got != missing {
		t.Errorf("inactive member: %s, want %s", got, missing)
	}

	// Require-2FA: refused until the user has 2FA, by session and by token.
	owner(`UPDATE practices SET require_2fa = true WHERE id = $1`, a.ID)
	wantProblemBody(t, c.Do("GET", types("alpha"), nil), http.StatusForbidden)
	wantProblemBody(t, tok.Do("GET", types(a.ID), nil), http.StatusForbidden)
	owner(`UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_enabled = true WHERE id = $1`, u.ID)
	want(t, c.Do("GET", types("alpha"), nil), http.StatusOK)
	want(t, tok.Do("GET", types("alpha"), nil), http.StatusOK)

	// Suspended: 403 for its members, still 404 for everyone else.
	owner(`UPDATE practices SET status = 'suspended' WHERE id = $1`, b.ID)
	owner(`UPDATE members SET active = true WHERE practice_id = $1 AND user_id = $2`, b.ID, u.ID)
	wantProblemBody(t, c.Do("GET", types("beta"), nil), http.StatusForbidden)
	if got := wantProblemBody(t, other.Do("GET", types("beta"), nil), http.StatusNotFound); got != missing {
		t.Errorf("non-member of a suspended practice: %s, want %s", got, missing)
	}

	// Idle expiry to the nanosecond: exactly the idle time is alive (and
	// records the visit), a nanosecond more is not, and stays ended.
	env.Clock.Advance(30 * time.Minute)
	want(t, c.Do("GET", types("alpha"), nil), http.StatusOK)
	env.Clock.Advance(30*time.Minute + time.Nanosecond)
	wantProblemBody(t, c.Do("GET", types("alpha"), nil), http.StatusUnauthorized)
	env.Clock.Advance(-time.Hour)
	wantProblemBody(t, c.Do("GET", types("alpha"), nil), http.StatusUnauthorized)

	// A disabled user is refused by session and by token alike.
	other = env.Login(t, "doctor@beta.example", pw)
	want(t, other.Do("GET", "/api/v1/me", nil), http.StatusOK)
	want(t, tok.Do("GET", types("alpha"), nil), http.StatusOK)
	owner(`UPDATE users SET status = 'disabled' WHERE id IN ($1, $2)`, u.ID, ou.ID)
	wantProblemBody(t, tok.Do("GET", types("alpha"), nil), http.StatusUnauthorized)
	wantProblemBody(t, other.Do("GET", "/api/v1/me", nil), http.StatusUnauthorized)
}

// wantProblemBody is wantProblem returning the body, for comparisons.
func wantProblemBody(t *testing.T, r *servertest.Response, status int) string {
	t.Helper()
	wantProblem(t, r, status)
	return string(r.Body)
}
