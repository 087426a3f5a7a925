package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/auth"
	"medic/internal/demo"
	"medic/internal/postgres/pgtest"
)

var clock = medic.ClockFunc(func() time.Time { return time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) })

// snapshot is every demo table's content as text, owner-side (no RLS), so
// two snapshots differ if a load changed anything at all.
func snapshot(t *testing.T, conn *pgx.Conn) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range []string{"practices", "users", "members", "locations", "audit_events", "platform_events"} {
		var s string
		err := conn.QueryRow(context.Background(), `SELECT coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '') FROM `+table+` t`).Scan(&s)
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		out[table] = s
	}
	return out
}

func count(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestLoadIsIdempotent(t *testing.T) {
	db := pgtest.New(t)
	ctx := t.Context()
	owner, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())

	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatalf("first load: %v", err)
	}
	first := snapshot(t, owner)
	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatalf("second load: %v", err)
	}
	if second := snapshot(t, owner); len(second) != len(first) {
		t.Fatal("snapshots differ in shape")
	} else {
		for table := range first {
			if first[table] != second[table] {
				t.Errorf("the second load changed %s", table)
			}
		}
	}

	// 5 staff in each of 2 practices, both@, and the operator.
	if n := count(t, owner, `SELECT count(*) FROM practices`); n != 2 {
		t.Errorf("practices = %d, want 2", n)
	}
	if n := count(t, owner, `SELECT count(*) FROM users`); n != 12 {
		t.Errorf("users = %d, want 12", n)
	}
	if n := count(t, owner, `SELECT count(*) FROM users WHERE is_operator`); n != 1 {
		t.Errorf("operators = %d, want 1", n)
	}
	for _, slug := range []string{"sunrise", "harbour"} {
		if n := count(t, owner, `SELECT count(*) FROM members m JOIN practices p ON p.id = m.practice_id WHERE p.slug = $1 AND m.active`, slug); n != 6 {
			t.Errorf("%s: %d active members, want 6", slug, n)
		}
		if n := count(t, owner, `SELECT count(*) FROM locations l JOIN practices p ON p.id = l.practice_id WHERE p.slug = $1`, slug); n != 2 {
			t.Errorf("%s: %d locations, want 2", slug, n)
		}
		if n := count(t, owner, `SELECT count(*) FROM audit_events a JOIN practices p ON p.id = a.practice_id WHERE p.slug = $1 AND a.action = 'demo.loaded'`, slug); n != 1 {
			t.Errorf("%s: %d demo.loaded events, want 1", slug, n)
		}
	}
	if n := count(t, owner, `SELECT count(*) FROM platform_events WHERE action = 'demo.loaded'`); n != 1 {
		t.Errorf("platform demo.loaded events = %d, want 1", n)
	}

	// Through the store (app role, RLS): every account signs in with the
	// demo password and holds the roles the sign-in help promises.
	for _, a := range demo.Accounts() {
		u, err := db.FindUserByEmail(ctx, a.Email)
		if err != nil {
			t.Fatalf("%s: %v", a.Email, err)
		}
		if ok, err := auth.CheckPassword(u.PasswordHash, demo.DefaultPassword); !ok || err != nil {
			t.Errorf("%s: the demo password does not check (%v)", a.Email, err)
		}
		if u.IsOperator != a.Operator {
			t.Errorf("%s: is_operator = %v", a.Email, u.IsOperator)
		}
		ms, err := db.MembershipsOfUser(medic.WithActor(ctx, medic.Actor{UserID: u.ID}), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]medic.Role{}
		for _, m := range ms {
			got[m.PracticeSlug] = m.Role
		}
		if len(got) != len(a.Roles) {
			t.Errorf("%s: memberships %v, want %v", a.Email, got, a.Roles)
		}
		for slug, role := range a.Roles {
			if got[slug] != role {
				t.Errorf("%s at %s: role %q, want %q", a.Email, slug, got[slug], role)
			}
		}
	}
	both := demo.Accounts()[10]
	if both.Email != "both@example.org" || both.Describe() != "doctor at sunrise, admin at harbour" {
		t.Errorf("both@ = %s: %s", both.Email, both.Describe())
	}

	p, err := db.FindPracticeByRef(ctx, "sunrise")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Sunrise Family Practice" || p.TimeZone != "Africa/Johannesburg" {
		t.Errorf("sunrise = %q in %q", p.Name, p.TimeZone)
	}
	ls, _, err := db.ListLocations(medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID}), medic.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Address == "" || l.Phone == "" || l.Hours["mon"] == "" || l.Hours["sun"] != "" {
			t.Errorf("location %s: address %q phone %q hours %v", l.Name, l.Address, l.Phone, l.Hours)
		}
	}
}

// A visitor who changed a demo password or role gets the demo back on the
// next load, and the repair is audited.
func TestLoadRepairsChanges(t *testing.T) {
	db := pgtest.New(t)
	ctx := t.Context()
	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	u, err := db.FindUserByEmail(ctx, "doctor@sunrise.example")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := auth.HashPassword("something-else-entirely")
	if err := db.SetPassword(ctx, u.ID, other); err != nil {
		t.Fatal(err)
	}
	p, err := db.FindPracticeByRef(ctx, "sunrise")
	if err != nil {
		t.Fatal(err)
	}
	tctx := medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID})
	m, err := db.FindMemberByUser(tctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	m.Role, m.Active = medic.RoleNurse, false
	if err := db.UpdateMember(tctx, m); err != nil {
		t.Fatal(err)
	}

	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	u, _ = db.FindUserByEmail(ctx, u.Email)
	if ok, _ := auth.CheckPassword(u.PasswordHash, demo.DefaultPassword); !ok {
		t.Error("password not put back")
	}
	m, _ = db.FindMemberByUser(tctx, u.ID)
	if m.Role != medic.RoleDoctor || !m.Active {
		t.Errorf("member = %s active=%v, want an active doctor", m.Role, m.Active)
	}
	evs, _, err := db.ListAuditEvents(tctx, medic.AuditFilter{Action: "demo.loaded"}, medic.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Errorf("sunrise has %d demo.loaded events, want 2 (load, repair)", len(evs))
	}
}

func TestLoadRefusesAWeakPassword(t *testing.T) {
	if err := demo.Load(t.Context(), nil, "short", clock); err == nil {
		t.Fatal("a password shorter than the policy was accepted")
	}
}
