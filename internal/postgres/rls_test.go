package postgres_test

// Row-level security tests: the database, not the Go code, is the last wall
// between practices. Each test here fails if a piece of that wall is removed
// (a table without forced RLS, a policy gone, the app role able to bypass it,
// the practice setting outliving its transaction, a store method running
// without a practice). None of them skip: PostgreSQL is required.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"medic"
	"medic/internal/postgres"
	"medic/internal/postgres/pgtest"
)

// rlsRequiredTables are tenant tables that must exist and be found by the
// catalog query, so the query itself cannot silently match nothing.
var rlsRequiredTables = []string{"members", "locations", "audit_events"}

// rlsSeededTables are the tenant tables the isolation test must have seeded
// for both practices (on top of whatever else the catalog finds).
var rlsSeededTables = []string{"members", "locations", "practice_logos", "invitations", "api_tokens", "audit_events", "audit_seals", "booking_codes", "notifications",
	"encounters", "encounter_addenda", "encounter_templates", "encounter_vitals", "encounter_diagnoses",
	"patient_allergies", "patient_no_known_allergies", "patient_conditions", "referrals", "orders", "order_results", "sick_notes", "sick_note_codes"}

type rlsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// rlsTableInfo is one table of schema public having a practice_id column.
type rlsTableInfo struct {
	Name           string
	RowSecurity    bool
	ForceRow       bool
	Policies       int
	TenantPolicies int // policies whose USING mentions current_practice_id()
}

// rlsTenantTables lists every table (plain or partitioned) in schema public
// with a column named practice_id, straight from pg_catalog.
func rlsTenantTables(t testing.TB, q rlsQuerier) []rlsTableInfo {
	t.Helper()
	rows, err := q.Query(context.Background(), `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid),
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid
		           AND pg_get_expr(p.polqual, p.polrelid) LIKE '%current_practice_id()%')
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
		  AND a.attname = 'practice_id' AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY c.relname`)
	if err != nil {
		t.Fatalf("list tenant tables: %v", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (rlsTableInfo, error) {
		var ti rlsTableInfo
		err := r.Scan(&ti.Name, &ti.RowSecurity, &ti.ForceRow, &ti.Policies, &ti.TenantPolicies)
		return ti, err
	})
	if err != nil {
		t.Fatalf("list tenant tables: %v", err)
	}
	return out
}

func rlsTableNames(ts []rlsTableInfo) []string {
	names := make([]string, len(ts))
	for i, ti := range ts {
		names[i] = ti.Name
	}
	return names
}

func rlsIdent(name string) string { return pgx.Identifier{name}.Sanitize() }

// TestRLSCatalogForcedOnTenantTables: every table with a practice_id column
// has row-level security enabled and forced, and at least one policy.
func TestRLSCatalogForcedOnTenantTables(t *testing.T) {
	t.Parallel()
	td := pgtest.New(t)
	ctx := context.Background()
	owner := rlsOwnerConn(t, td)

	tables := rlsTenantTables(t, owner)
	if len(tables) == 0 {
		t.Fatal("the catalog query found no table with a practice_id column in schema public; the query is broken")
	}
	names := rlsTableNames(tables)
	for _, want := range rlsRequiredTables {
		if !slices.Contains(names, want) {
			t.Errorf("the catalog query did not find tenant table %q (found %v); the query is broken", want, names)
		}
	}
	for _, ti := range tables {
		if !ti.RowSecurity {
			t.Errorf("table %s has a practice_id column but row-level security is not enabled (ALTER TABLE %s ENABLE ROW LEVEL SECURITY)", ti.Name, ti.Name)
		}
		if !ti.ForceRow {
			t.Errorf("table %s has a practice_id column but row-level security is not forced (ALTER TABLE %s FORCE ROW LEVEL SECURITY)", ti.Name, ti.Name)
		}
		if ti.Policies == 0 {
			t.Errorf("table %s has a practice_id column but no policy (CREATE POLICY tenant ON %s ...)", ti.Name, ti.Name)
		}
		if ti.TenantPolicies == 0 {
			t.Errorf("table %s has no policy whose USING checks current_practice_id()", ti.Name)
		}
	}

	// Views run with their owner's rights (the migrating superuser, which
	// bypasses RLS) unless security_invoker is on; a materialized view has no
	// RLS at all. Either would show every practice's rows.
	rows, err := owner.Query(ctx, `
		SELECT c.relname, c.relkind::text, coalesce('security_invoker=true' = ANY (c.reloptions) OR 'security_invoker=on' = ANY (c.reloptions), false)
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid
		WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')
		  AND a.attname = 'practice_id' AND a.attnum > 0 AND NOT a.attisdropped`)
	if err != nil {
		t.Fatalf("list tenant views: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, kind string
		var invoker bool
		if err := rows.Scan(&name, &kind, &invoker); err != nil {
			t.Fatal(err)
		}
		switch {
		case kind == "m":
			t.Errorf("materialized view %s has a practice_id column; materialized views have no row-level security", name)
		case !invoker:
			t.Errorf("view %s has a practice_id column but not security_invoker = true, so it reads as its owner and bypasses row-level security", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestRLSIsolationAsAppRole seeds two practices with a row in every tenant
// table as the owner, then reads and writes through the app role.
func TestRLSIsolationAsAppRole(t *testing.T) {
	t.Parallel()
	td := pgtest.New(t)
	ctx := context.Background()
	owner := rlsOwnerConn(t, td)
	seed := rlsSeed(t, owner)
	a, b := seed.A, seed.B
	pool := td.DB.Pool()
	tables := seed.Tables

	t.Run("each practice sees only its own rows", func(t *testing.T) {
		for _, p := range []string{a, b} {
			for _, tb := range tables {
				var got []string
				err := rlsAppTx(ctx, pool, p, func(tx pgx.Tx) error {
					rows, err := tx.Query(ctx, `SELECT practice_id::text FROM `+rlsIdent(tb))
					if err != nil {
						return err
					}
					got, err = pgx.CollectRows(rows, pgx.RowTo[string])
					return err
				})
				if err != nil {
					t.Errorf("%s: select as practice %s: %v", tb, seed.name(p), err)
					continue
				}
				if len(got) == 0 {
					t.Errorf("%s: practice %s sees none of its own rows", tb, seed.name(p))
				}
				for _, pid := range got {
					if pid != p {
						t.Errorf("%s: practice %s sees a row of practice %s", tb, seed.name(p), seed.name(pid))
					}
				}
				if want := seed.count(t, tb, p); len(got) != want {
					t.Errorf("%s: practice %s sees %d rows, owns %d", tb, seed.name(p), len(got), want)
				}
			}
		}
	})

	t.Run("no practice set sees nothing", func(t *testing.T) {
		for _, setting := range []*string{nil, new(string)} { // never set; set to ''
			for _, tb := range tables {
				var n int
				err := rlsAppTxSetting(ctx, pool, setting, func(tx pgx.Tx) error {
					return tx.QueryRow(ctx, `SELECT count(*) FROM `+rlsIdent(tb)).Scan(&n)
				})
				if err != nil {
					t.Errorf("%s: count with no practice: %v", tb, err)
				} else if n != 0 {
					t.Errorf("%s: with no practice set (setting %s) the app role sees %d rows", tb, rlsDescribeSetting(setting), n)
				}
			}
		}
	})

	t.Run("insert with no practice set is refused", func(t *testing.T) {
		for _, tb := range tables {
			ins := seed.insertFor(t, tb, a)
			err := rlsAppTx(ctx, pool, "", func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, ins.sql, ins.args...)
				return err
			})
			rlsWantRefused(t, seed.appCan(t, tb, "INSERT"), err, tb+": insert with no practice set")
		}
	})

	t.Run("insert into another practice is refused", func(t *testing.T) {
		for _, tb := range tables {
			ins := seed.insertFor(t, tb, a)
			err := rlsAppTx(ctx, pool, b, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, ins.sql, ins.args...)
				return err
			})
			rlsWantRefused(t, seed.appCan(t, tb, "INSERT"), err, tb+": insert of a practice A row with practice B set")
		}
	})

	t.Run("insert into own practice passes row-level security", func(t *testing.T) {
		// The control for the two refusals above: the same kind of row,
		// for the practice that is set, is not refused by RLS (it may still
		// hit a unique key, checked after RLS).
		for _, tb := range tables {
			if !seed.appCan(t, tb, "INSERT") {
				continue
			}
			ins := seed.insertFor(t, tb, b)
			err := rlsAppTx(ctx, pool, b, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, ins.sql, ins.args...)
				return err
			})
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "42501" {
				t.Errorf("%s: insert of a practice B row with practice B set was refused: %v", tb, err)
			}
		}
	})

	t.Run("update and delete cannot reach or move rows across practices", func(t *testing.T) {
		for _, tb := range tables {
			if seed.appCan(t, tb, "UPDATE") {
				var n int64
				err := rlsAppTx(ctx, pool, b, func(tx pgx.Tx) error {
					tag, err := tx.Exec(ctx, `UPDATE `+rlsIdent(tb)+` SET practice_id = practice_id WHERE practice_id = $1`, a)
					n = tag.RowsAffected()
					return err
				})
				if err != nil || n != 0 {
					t.Errorf("%s: update of practice A rows with practice B set: %d rows, err %v; want 0 rows and no error", tb, n, err)
				}
				err = rlsAppTx(ctx, pool, b, func(tx pgx.Tx) error {
					_, err := tx.Exec(ctx, `UPDATE `+rlsIdent(tb)+` SET practice_id = $1 WHERE practice_id = $2`, a, b)
					return err
				})
				rlsWantRefused(t, true, err, tb+": moving a practice B row to practice A")
			}
			if seed.appCan(t, tb, "DELETE") {
				var n int64
				err := rlsAppTx(ctx, pool, b, func(tx pgx.Tx) error {
					tag, err := tx.Exec(ctx, `DELETE FROM `+rlsIdent(tb)+` WHERE practice_id = $1`, a)
					n = tag.RowsAffected()
					return err
				})
				if err != nil || n != 0 {
					t.Errorf("%s: delete of practice A rows with practice B set: %d rows, err %v; want 0 rows and no error", tb, n, err)
				}
			}
		}
		// Nothing above committed, but make sure A still has everything.
		for _, tb := range tables {
			if seed.count(t, tb, a) == 0 {
				t.Errorf("%s: practice A lost its rows", tb)
			}
		}
	})
}

// TestRLSAppRoleCannotBypass: the store's pool runs as medic_app, which is
// not a superuser, cannot bypass RLS and does not own (or belong to the
// owner of) any table.
func TestRLSAppRoleCannotBypass(t *testing.T) {
	t.Parallel()
	td := pgtest.New(t)
	ctx := context.Background()

	check := func(t *testing.T, pool *pgxpool.Pool) {
		t.Helper()
		var user string
		var super, bypass bool
		err := pool.QueryRow(ctx, `SELECT current_user::text, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&user, &super, &bypass)
		if err != nil {
			t.Fatalf("app role: %v", err)
		}
		if user != "medic_app" {
			t.Errorf("the app pool runs as %q, want medic_app", user)
		}
		if super {
			t.Errorf("the app role %s is a superuser (superusers bypass row-level security)", user)
		}
		if bypass {
			t.Errorf("the app role %s has BYPASSRLS", user)
		}

		var tables int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables == 0 {
			t.Fatal("pg_tables shows no table in schema public to the app role; the ownership check would prove nothing")
		}
		rows, err := pool.Query(ctx, `SELECT tablename::text, tableowner::text FROM pg_tables
			WHERE schemaname = 'public' AND (tableowner = current_user OR pg_has_role(current_user, tableowner, 'MEMBER'))
			ORDER BY tablename`)
		if err != nil {
			t.Fatal(err)
		}
		owned, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
			var tb, ow string
			err := r.Scan(&tb, &ow)
			return tb + " (owner " + ow + ")", err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(owned) > 0 {
			t.Errorf("the app role owns or is a member of the owner of %v; owners are exempt from non-forced RLS and can disable it", owned)
		}
	}

	t.Run("test store", func(t *testing.T) { check(t, td.DB.Pool()) })

	t.Run("serving as the owner is refused", func(t *testing.T) {
		if db, err := postgres.Open(ctx, td.OwnerURL, 1); err == nil {
			db.Close()
			t.Fatal("Open accepted a superuser connection; RLS would not apply")
		}
	})

	t.Run("connecting as the app role itself", func(t *testing.T) {
		// Production connects as medic_app directly (no SET ROLE).
		u, err := url.Parse(td.OwnerURL)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.User(postgres.AppRole)
		db, err := postgres.Open(ctx, u.String(), 2)
		if err != nil {
			t.Fatalf("open as %s: %v", postgres.AppRole, err)
		}
		defer db.Close()
		check(t, db.Pool())
		var session string
		if err := db.Pool().QueryRow(ctx, `SELECT session_user::text`).Scan(&session); err != nil {
			t.Fatal(err)
		}
		if session != postgres.AppRole {
			t.Errorf("session_user is %q, want %s", session, postgres.AppRole)
		}
	})
}

// TestRLSPoolOfOneDoesNotLeakTenant: with one connection every transaction
// reuses the same session, so a practice setting that outlived its
// transaction would show up in the next one.
func TestRLSPoolOfOneDoesNotLeakTenant(t *testing.T) {
	t.Parallel()
	td := pgtest.New(t)
	ctx := context.Background()
	owner := rlsOwnerConn(t, td)
	seed := rlsSeed(t, owner)
	a, b := seed.A, seed.B

	appURL, err := postgres.AppURL(td.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(ctx, appURL, 1)
	if err != nil {
		t.Fatalf("open pool of one: %v", err)
	}
	defer db.Close()
	pool := db.Pool()
	if got := pool.Config().MaxConns; got != 1 {
		t.Fatalf("pool MaxConns = %d, want 1", got)
	}

	for _, end := range []string{"commit", "rollback"} {
		t.Run("raw transactions, "+end, func(t *testing.T) {
			var pid1, pid2 int32
			tx, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, `SELECT set_config('app.practice_id', $1, true)`, a); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT pg_backend_pid(), (SELECT count(*) FROM locations)`).Scan(&pid1, &n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatal("practice A sees no locations with its practice set; the leak check below would prove nothing")
			}
			if end == "commit" {
				err = tx.Commit(ctx)
			} else {
				err = tx.Rollback(ctx)
			}
			if err != nil {
				t.Fatal(err)
			}

			tx2, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx2.Rollback(ctx)
			var setting *string
			if err := tx2.QueryRow(ctx, `SELECT pg_backend_pid(), current_setting('app.practice_id', true), (SELECT count(*) FROM locations)`).Scan(&pid2, &setting, &n); err != nil {
				t.Fatal(err)
			}
			if pid1 != pid2 {
				t.Fatalf("the two transactions ran on different sessions (%d, %d); a pool of one must reuse its connection", pid1, pid2)
			}
			if setting != nil && *setting != "" {
				t.Errorf("after %s app.practice_id is still %q in the next transaction", end, *setting)
			}
			if n != 0 {
				t.Errorf("after %s the next transaction with no practice sees %d locations", end, n)
			}
		})
	}

	t.Run("store calls", func(t *testing.T) {
		ctxA := medic.WithTenant(ctx, medic.Tenant{PracticeID: a})
		ctxB := medic.WithTenant(ctx, medic.Tenant{PracticeID: b})
		check := func(t *testing.T, ctx context.Context, p string) {
			t.Helper()
			ls, _, err := db.ListLocations(ctx, medic.Page{Limit: medic.MaxLimit})
			if err != nil {
				t.Fatalf("ListLocations as %s: %v", seed.name(p), err)
			}
			var got []string
			for _, l := range ls {
				if l.PracticeID != p {
					t.Errorf("ListLocations as %s returned location %s of practice %s", seed.name(p), l.ID, seed.name(l.PracticeID))
				}
				got = append(got, l.ID)
			}
			sort.Strings(got)
			want := seed.ids(t, "locations", p)
			if !slices.Equal(got, want) {
				t.Errorf("ListLocations as %s = %v, want %v", seed.name(p), got, want)
			}
		}
		check(t, ctxA, a)
		check(t, ctxB, b)
		check(t, ctxA, a)

		// One use case transaction that switches practice between calls.
		err := db.InTx(ctx, func(ctx context.Context) error {
			check(t, medic.WithTenant(ctx, medic.Tenant{PracticeID: a}), a)
			check(t, medic.WithTenant(ctx, medic.Tenant{PracticeID: b}), b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// And the session is clean afterwards.
		var setting *string
		var n int
		if err := pool.QueryRow(ctx, `SELECT current_setting('app.practice_id', true), (SELECT count(*) FROM locations)`).Scan(&setting, &n); err != nil {
			t.Fatal(err)
		}
		if (setting != nil && *setting != "") || n != 0 {
			t.Errorf("after store calls the session keeps app.practice_id = %s and sees %d locations", rlsDescribeSetting(setting), n)
		}
	})

	// A pipeline outside a use case runs without BEGIN/COMMIT, as the
	// implicit transaction of its batch: its tenant settings must end with
	// it, whether it succeeds or fails.
	t.Run("pipelines without a transaction", func(t *testing.T) {
		ctxA := medic.WithTenant(ctx, medic.Tenant{PracticeID: a})
		clean := func(t *testing.T, after string) {
			t.Helper()
			var setting *string
			var n int
			if err := pool.QueryRow(ctx, `SELECT current_setting('app.practice_id', true), (SELECT count(*) FROM locations)`).Scan(&setting, &n); err != nil {
				t.Fatal(err)
			}
			if (setting != nil && *setting != "") || n != 0 {
				t.Errorf("after %s the session keeps app.practice_id = %s and sees %d locations", after, rlsDescribeSetting(setting), n)
			}
		}
		snap, err := db.LoadSchedule(ctxA, medic.ScheduleQuery{LocationID: seed.ids(t, "locations", a)[0], From: time.Now(), To: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if snap.Practice == nil || snap.Practice.ID != a || snap.Location == nil {
			t.Fatalf("LoadSchedule as A read %+v", snap)
		}
		clean(t, "a pipeline")
		// B's location through A's tenant: not found, and nothing left set.
		snap, err = db.LoadSchedule(ctxA, medic.ScheduleQuery{LocationID: seed.ids(t, "locations", b)[0], From: time.Now(), To: time.Now().Add(time.Hour)})
		if err != nil || snap.Location != nil {
			t.Errorf("A read B's location through a pipeline: %+v, %v", snap.Location, err)
		}
		clean(t, "a pipeline that found nothing")
		if _, err := db.LoadSchedule(medic.WithTenant(ctx, medic.Tenant{PracticeID: "not-a-uuid"}), medic.ScheduleQuery{}); err == nil {
			t.Error("a pipeline with a malformed practice setting succeeded")
		}
		clean(t, "a failed pipeline")
	})
}

// TestRLSStoreWallWithoutTenant: tenant store methods refuse a context with
// no practice before any SQL runs (the first wall; RLS is the second).
func TestRLSStoreWallWithoutTenant(t *testing.T) {
	t.Parallel()
	td := pgtest.New(t)
	owner := rlsOwnerConn(t, td)
	seed := rlsSeed(t, owner)
	memberA := seed.ids(t, "members", seed.A)[0]
	userA := rlsMemberUser(t, owner, seed.A, memberA)

	contexts := map[string]context.Context{
		"background":           context.Background(),
		"empty tenant":         medic.WithTenant(context.Background(), medic.Tenant{Slug: "a", Role: medic.RoleAdmin}),
		"actor without tenant": medic.WithActor(context.Background(), medic.Actor{UserID: userA, Email: "a@example.org"}),
	}
	for name, ctx := range contexts {
		t.Run(name, func(t *testing.T) {
			if _, ok := medic.TenantFrom(ctx); ok {
				t.Fatal("the context has a tenant; the test is broken")
			}
			ls, _, err := td.DB.ListLocations(ctx, medic.Page{})
			rlsWantWall(t, "ListLocations", err)
			if len(ls) != 0 {
				t.Errorf("ListLocations without a practice returned %d locations", len(ls))
			}

			m, err := td.DB.FindMember(ctx, memberA)
			rlsWantWall(t, "FindMember", err)
			if m != nil && m.ID != "" {
				t.Errorf("FindMember without a practice returned member %s of practice %s", m.ID, seed.name(m.PracticeID))
			}

			evs, _, err := td.DB.ListAuditEvents(ctx, medic.AuditFilter{}, medic.Page{})
			rlsWantWall(t, "ListAuditEvents", err)
			if len(evs) != 0 {
				t.Errorf("ListAuditEvents without a practice returned %d events", len(evs))
			}
		})
	}
}

// rlsWantWall asserts the store refused the call itself: an error that names
// the missing practice and is not a database error (no SQL ran).
func rlsWantWall(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s without a practice in context: no error", what)
		return
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		t.Errorf("%s without a practice in context reached the database: %v", what, err)
	}
	if errors.Is(err, medic.ErrNotFound) || !strings.Contains(err.Error(), "practice") {
		t.Errorf("%s without a practice in context: error %q does not say the practice is missing", what, err)
	}
}

// rlsWantRefused asserts err is PostgreSQL's insufficient_privilege (42501);
// when the app role holds the privilege, specifically a row-level security
// violation.
func rlsWantRefused(t *testing.T, privileged bool, err error, what string) {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Errorf("%s: want refusal with SQLSTATE 42501, got %v", what, err)
		return
	}
	if privileged && !strings.Contains(pe.Message, "row-level security") {
		t.Errorf("%s: want a row-level security violation, got %v", what, err)
	}
}

func rlsDescribeSetting(s *string) string {
	if s == nil {
		return "NULL"
	}
	return strconv.Quote(*s)
}

// rlsAppTx runs fn in an app-role transaction with app.practice_id set to
// practice (left unset when practice is ""), then rolls back.
func rlsAppTx(ctx context.Context, pool *pgxpool.Pool, practice string, fn func(tx pgx.Tx) error) error {
	var setting *string
	if practice != "" {
		setting = &practice
	}
	return rlsAppTxSetting(ctx, pool, setting, fn)
}

func rlsAppTxSetting(ctx context.Context, pool *pgxpool.Pool, setting *string, fn func(tx pgx.Tx) error) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if setting != nil {
		if _, err := tx.Exec(ctx, `SELECT set_config('app.practice_id', $1, true)`, *setting); err != nil {
			return fmt.Errorf("set practice: %w", err)
		}
	}
	return fn(tx)
}

func rlsOwnerConn(t *testing.T, td *pgtest.DB) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, td.OwnerURL)
	if err != nil {
		t.Fatalf("connect owner: %v", err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	var super bool
	if err := c.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		t.Fatal(err)
	}
	if !super {
		t.Fatal("the owner URL is not a superuser; seeding through it would be subject to RLS")
	}
	return c
}

func rlsMemberUser(t *testing.T, owner *pgx.Conn, practice, member string) string {
	t.Helper()
	var u string
	if err := owner.QueryRow(context.Background(), `SELECT user_id::text FROM members WHERE practice_id = $1 AND id = $2`, practice, member).Scan(&u); err != nil {
		t.Fatal(err)
	}
	return u
}

// --- Seeding ------------------------------------------------------------

// rlsSeeded is two practices with a row in every tenant table each.
type rlsSeeded struct {
	owner  *pgx.Conn
	A, B   string
	Users  map[string]string // practice id -> user id
	Tables []string          // every tenant table, from the catalog
	gen    *rlsRowGen
}

func (s *rlsSeeded) name(p string) string {
	switch p {
	case s.A:
		return "A"
	case s.B:
		return "B"
	}
	return p
}

func (s *rlsSeeded) count(t *testing.T, table, practice string) int {
	t.Helper()
	var n int
	if err := s.owner.QueryRow(context.Background(), `SELECT count(*) FROM `+rlsIdent(table)+` WHERE practice_id = $1`, practice).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func (s *rlsSeeded) ids(t *testing.T, table, practice string) []string {
	t.Helper()
	rows, err := s.owner.Query(context.Background(), `SELECT id::text FROM `+rlsIdent(table)+` WHERE practice_id = $1 ORDER BY id::text`, practice)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatalf("no %s seeded for practice %s", table, s.name(practice))
	}
	return ids
}

func (s *rlsSeeded) appCan(t *testing.T, table, privilege string) bool {
	t.Helper()
	var ok bool
	if err := s.owner.QueryRow(context.Background(), `SELECT has_table_privilege($1::text::name, $2::text, $3::text)`, postgres.AppRole, rlsIdent(table), privilege).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// insertFor builds a fresh INSERT of a row of table for practice (values
// resolved with the owner connection; run it with any connection).
func (s *rlsSeeded) insertFor(t *testing.T, table, practice string) rlsInsert {
	t.Helper()
	ins, err := s.gen.insert(context.Background(), table, practice)
	if err != nil {
		t.Fatalf("build a %s row: %v", table, err)
	}
	return ins
}

// rlsSeed creates practices A and B, a user in each, and then at least one
// row in every tenant table the catalog lists, for both practices.
func rlsSeed(t *testing.T, owner *pgx.Conn) *rlsSeeded {
	t.Helper()
	ctx := context.Background()
	s := &rlsSeeded{owner: owner, Users: map[string]string{}, gen: &rlsRowGen{owner: owner}}
	suffix := rlsRandHex(4)
	for i, p := range []*string{&s.A, &s.B} {
		letter := string(rune('a' + i))
		if err := owner.QueryRow(ctx, `INSERT INTO practices (slug, name) VALUES ($1, $2) RETURNING id::text`,
			"rls-"+letter+"-"+suffix, "RLS practice "+strings.ToUpper(letter)).Scan(p); err != nil {
			t.Fatalf("seed practice: %v", err)
		}
		var u string
		if err := owner.QueryRow(ctx, `INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id::text`,
			"rls-"+letter+"-"+suffix+"@example.org", "RLS user "+letter).Scan(&u); err != nil {
			t.Fatalf("seed user: %v", err)
		}
		s.Users[*p] = u
	}

	// Memberships with each practice's own user first (the generic rows
	// below pick any user).
	for _, p := range []string{s.A, s.B} {
		if _, err := owner.Exec(ctx, `INSERT INTO members (practice_id, user_id, role) VALUES ($1, $2, 'admin')`, p, s.Users[p]); err != nil {
			t.Fatalf("seed member: %v", err)
		}
	}

	s.Tables = rlsTableNames(rlsTenantTables(t, owner))
	for _, want := range rlsSeededTables {
		if !slices.Contains(s.Tables, want) {
			t.Fatalf("tenant table %s is missing from the catalog query (found %v)", want, s.Tables)
		}
	}
	s.gen.tenant = s.Tables

	// Generic rows for every tenant table, repeating while foreign keys wait
	// for rows of tables seeded later in the pass.
	pending := slices.Clone(s.Tables)
	for len(pending) > 0 {
		var waiting []string
		reasons := map[string]error{}
		for _, tb := range pending {
			var inserts []rlsInsert
			var err error
			for _, p := range []string{s.A, s.B} {
				if s.count(t, tb, p) > 0 {
					continue // seeded explicitly above
				}
				var ins rlsInsert
				if ins, err = s.gen.insert(ctx, tb, p); err != nil {
					break
				}
				inserts = append(inserts, ins)
			}
			if errors.Is(err, errRLSNotReady) {
				waiting = append(waiting, tb)
				reasons[tb] = err
				continue
			}
			if err != nil {
				t.Fatalf("seed %s: %v", tb, err)
			}
			for _, ins := range inserts {
				if _, err := owner.Exec(ctx, ins.sql, ins.args...); err != nil {
					t.Fatalf("seed %s: %v\n%s", tb, err, ins.sql)
				}
			}
		}
		if len(waiting) == len(pending) {
			t.Fatalf("cannot seed %v: %v", waiting, reasons)
		}
		pending = waiting
	}

	for _, tb := range s.Tables {
		for _, p := range []string{s.A, s.B} {
			if s.count(t, tb, p) == 0 {
				t.Fatalf("seeding left %s empty for practice %s", tb, s.name(p))
			}
		}
	}
	return s
}

var errRLSNotReady = errors.New("a referenced row is not seeded yet")

// rlsColumnValues overrides generated values ("table.column" -> text value)
// for columns the generic rules below cannot satisfy; a nullable column
// listed here is filled too.
var rlsColumnValues = map[string]string{
	"schedule_rules.weekday":             "1",
	"schedule_rules.start_minute":        "480",
	"schedule_rules.end_minute":          "600",
	"schedule_rules.slot_minutes":        "15",
	"schedule_rules.capacity":            "1",
	"slot_places.capacity":               "1",
	"slot_places.booked":                 "1",
	"appointment_types.duration_minutes": "15",
	"schedule_exceptions.starts_at":      "2030-01-01T08:00:00Z",
	"schedule_exceptions.ends_at":        "2030-01-01T09:00:00Z",
	"appointments.starts_at":             "2030-01-01T08:00:00Z",
	"appointments.ends_at":               "2030-01-01T08:15:00Z",
	"appointment_slots.slot_start":       "2030-01-01T08:00:00Z",
	"slot_places.slot_start":             "2030-01-01T08:00:00Z",
	// Nullable, but a set of vitals holds at least one measurement.
	"encounter_vitals.pulse_bpm": "72",
	// An external referral names someone (an internal one a practitioner).
	"referrals.kind":    "external",
	"referrals.to_name": "Dr Far Away",
	// Billing: a currency code, and a line whose amounts add up.
	"invoices.currency":         "ZAR",
	"invoice_lines.quantity":    "1",
	"invoice_lines.unit_cents":  "100",
	"invoice_lines.net_cents":   "100",
	"invoice_lines.vat_cents":   "0",
	"invoice_lines.total_cents": "100",
	"payments.amount_cents":     "100",
	"payments.method":           "cash",
	// Claims: a currency code and a version from 1.
	"claims.currency": "ZAR",
	// Payment links: a currency code and an amount above zero.
	"payment_links.currency":     "ZAR",
	"payment_links.amount_cents": "100",
	"claims.version":             "1",
}

type rlsInsert struct {
	sql  string
	args []any
}

type rlsColumn struct {
	name, typ, base, category, firstEnum, checkDef string
	notNull, auto                                  bool
}

type rlsFK struct {
	ref           string
	cols, refCols []string
}

// rlsRowGen builds plausible rows for a table from the catalog: practice_id
// set, NOT NULL foreign keys pointing at existing rows of the same practice,
// other NOT NULL columns without defaults filled by type.
type rlsRowGen struct {
	owner  *pgx.Conn
	tenant []string
	n      int
}

var rlsCheckLiteral = regexp.MustCompile(`= (?:ANY \(ARRAY\[)?'((?:[^']|'')*)'`)

func (g *rlsRowGen) columns(ctx context.Context, table string) ([]rlsColumn, error) {
	rows, err := g.owner.Query(ctx, `
		SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), bt.typname::text, bt.typcategory::text,
		       coalesce((SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder LIMIT 1), ''),
		       coalesce((SELECT string_agg(pg_get_constraintdef(c.oid), ' ') FROM pg_constraint c
		                 WHERE c.conrelid = a.attrelid AND c.contype = 'c' AND c.conkey = ARRAY[a.attnum]), ''),
		       a.attnotnull, (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '')
		FROM pg_attribute a
		JOIN pg_type t ON t.oid = a.atttypid
		JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
		WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY a.attnum`, rlsIdent(table))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (rlsColumn, error) {
		var c rlsColumn
		err := r.Scan(&c.name, &c.typ, &c.base, &c.category, &c.firstEnum, &c.checkDef, &c.notNull, &c.auto)
		return c, err
	})
}

func (g *rlsRowGen) foreignKeys(ctx context.Context, table string) ([]rlsFK, error) {
	rows, err := g.owner.Query(ctx, `
		SELECT c.confrelid::regclass::text,
		       array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
		             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
		       array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
		             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
		FROM pg_constraint c
		WHERE c.conrelid = $1::text::regclass AND c.contype = 'f'
		ORDER BY c.conname`, rlsIdent(table))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (rlsFK, error) {
		var fk rlsFK
		err := r.Scan(&fk.ref, &fk.cols, &fk.refCols)
		fk.ref = strings.Trim(fk.ref, `"`)
		return fk, err
	})
}

// insert builds an INSERT of one new row of table for practice.
func (g *rlsRowGen) insert(ctx context.Context, table, practice string) (rlsInsert, error) {
	cols, err := g.columns(ctx, table)
	if err != nil {
		return rlsInsert{}, err
	}
	fks, err := g.foreignKeys(ctx, table)
	if err != nil {
		return rlsInsert{}, err
	}
	byName := map[string]rlsColumn{}
	for _, c := range cols {
		byName[c.name] = c
	}
	needed := func(name string) bool { c := byName[name]; return c.notNull && !c.auto }
	values := map[string]string{"practice_id": practice}

	for _, fk := range fks {
		need := false
		for _, c := range fk.cols {
			if c != "practice_id" && needed(c) {
				need = true
			}
		}
		if !need {
			continue
		}
		var where []string
		var args []any
		for i, c := range fk.cols {
			if c == "practice_id" {
				args = append(args, practice)
				where = append(where, fmt.Sprintf("%s = $%d", rlsIdent(fk.refCols[i]), len(args)))
			}
		}
		if len(where) == 0 && slices.Contains(g.tenant, fk.ref) {
			args = append(args, practice)
			where = append(where, fmt.Sprintf("practice_id = $%d", len(args)))
		}
		sel := make([]string, len(fk.refCols))
		for i, c := range fk.refCols {
			sel[i] = rlsIdent(c) + "::text"
		}
		q := `SELECT ` + strings.Join(sel, ", ") + ` FROM ` + rlsIdent(fk.ref)
		if len(where) > 0 {
			q += ` WHERE ` + strings.Join(where, " AND ")
		}
		q += ` LIMIT 1`
		got := make([]string, len(fk.refCols))
		dest := make([]any, len(got))
		for i := range got {
			dest[i] = &got[i]
		}
		if err := g.owner.QueryRow(ctx, q, args...).Scan(dest...); errors.Is(err, pgx.ErrNoRows) {
			return rlsInsert{}, fmt.Errorf("%s -> %s: %w", table, fk.ref, errRLSNotReady)
		} else if err != nil {
			return rlsInsert{}, fmt.Errorf("%s -> %s: %w", table, fk.ref, err)
		}
		for i, c := range fk.cols {
			values[c] = got[i]
		}
	}

	var names, exprs []string
	var args []any
	for _, c := range cols {
		v, ok := values[c.name]
		if !ok {
			if v, ok = rlsColumnValues[table+"."+c.name]; !ok {
				if !needed(c.name) {
					continue
				}
				g.n++
				if v, err = rlsValueFor(c, table, g.n); err != nil {
					return rlsInsert{}, err
				}
			}
		}
		args = append(args, v)
		names = append(names, rlsIdent(c.name))
		exprs = append(exprs, fmt.Sprintf("$%d::text::%s", len(args), c.typ))
	}
	return rlsInsert{
		sql:  `INSERT INTO ` + rlsIdent(table) + ` (` + strings.Join(names, ", ") + `) VALUES (` + strings.Join(exprs, ", ") + `)`,
		args: args,
	}, nil
}

// rlsValueFor returns a text value for a NOT NULL column with no default.
func rlsValueFor(c rlsColumn, table string, n int) (string, error) {
	base := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
	switch c.base {
	case "uuid":
		return rlsUUID(), nil
	case "bytea":
		return `\x` + rlsRandHex(16), nil
	case "bool":
		return "false", nil
	case "int2", "int4", "int8", "numeric", "float4", "float8", "oid":
		return strconv.Itoa(n), nil
	case "date":
		return base.AddDate(0, 0, n).Format(time.DateOnly), nil
	case "timestamp", "timestamptz":
		return base.Format(time.RFC3339), nil
	case "time", "timetz":
		return "09:00", nil
	case "interval":
		return "1 hour", nil
	case "json", "jsonb":
		return "{}", nil
	case "tstzrange", "tsrange":
		return "[" + base.Format(time.RFC3339) + "," + base.Add(time.Hour).Format(time.RFC3339) + ")", nil
	case "daterange":
		return "[" + base.Format(time.DateOnly) + "," + base.AddDate(0, 0, 1).Format(time.DateOnly) + ")", nil
	case "inet", "cidr":
		return "192.0.2.1", nil
	}
	switch c.category {
	case "S": // text, varchar, citext, ...
		if m := rlsCheckLiteral.FindStringSubmatch(c.checkDef); m != nil {
			return strings.ReplaceAll(m[1], "''", "'"), nil
		}
		return fmt.Sprintf("rls-%s-%s-%d@example.org", table, c.name, n), nil
	case "E":
		return c.firstEnum, nil
	case "A":
		return "{}", nil
	}
	return "", fmt.Errorf("cannot make a value for %s.%s of type %s; add it to rlsColumnValues", table, c.name, c.typ)
}

func rlsRandHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func rlsUUID() string {
	h := rlsRandHex(16)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// TestRLSSickNoteCodeLookup: outside any practice, the sick note code index
// shows exactly the row whose code is presented (public verification), and
// no sick note itself; a practice never sees another's codes.
func TestRLSSickNoteCodeLookup(t *testing.T) {
	t.Parallel()
	td := pgtest.New(t)
	ctx := context.Background()
	seed := rlsSeed(t, rlsOwnerConn(t, td))
	codeOf := func(p string) string {
		var c string
		if err := seed.owner.QueryRow(ctx, `SELECT code FROM sick_note_codes WHERE practice_id = $1 LIMIT 1`, p).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	codeA, codeB := codeOf(seed.A), codeOf(seed.B)
	count := func(practice, code, table string) int {
		var n int
		err := rlsAppTx(ctx, td.DB.Pool(), practice, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('app.verify_code', $1, true)`, code); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT count(*) FROM `+rlsIdent(table)).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		practice, code, table string
		want                  int
	}{
		{"", codeA, "sick_note_codes", 1},
		{"", codeA, "sick_notes", 0},
		{"", "", "sick_note_codes", 0},
		{"", "no-such-code", "sick_note_codes", 0},
		{seed.B, codeA, "sick_note_codes", 1}, // B's own row only: the code is ignored inside a practice
		{seed.B, codeA, "sick_notes", 1},
	} {
		if got := count(tc.practice, tc.code, tc.table); got != tc.want {
			t.Errorf("practice %q, code %q: %s shows %d rows, want %d", tc.practice, tc.code, tc.table, got, tc.want)
		}
	}
	// Inside B, A's code is not among the rows B sees.
	var n int
	if err := rlsAppTx(ctx, td.DB.Pool(), seed.B, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM sick_note_codes WHERE code = $1`, codeA).Scan(&n)
	}); err != nil || n != 0 || codeA == codeB {
		t.Errorf("B sees A's code (%d rows, %v)", n, err)
	}
	// The store's lookup resolves the code to its practice, outside any.
	if got, err := td.DB.SickNotePractice(ctx, codeA); err != nil || got.ID != seed.A {
		t.Errorf("SickNotePractice(A's code) = %v, %v", got, err)
	}
	if _, err := td.DB.SickNotePractice(ctx, "no-such-code"); medic.ErrorCode(err) != medic.ENOTFOUND {
		t.Errorf("unknown code: %v", err)
	}
}
