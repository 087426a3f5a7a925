// Package postgres is the store: a pgx pool running as the non-owner app
// role, one transaction per store call (or per use case, see InTx), with the
// practice from context set for row-level security on every transaction.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"medic"
)

// AppRole is the database role tenant work runs under: not the owner, not a
// superuser, no BYPASSRLS. Migrations create it if missing.
const AppRole = "medic_app"

// DB is the store. Every store method is a method on DB.
type DB struct {
	pool  *pgxpool.Pool
	Clock medic.Clock
	// Enqueue inserts durable jobs in the given transaction (River), in one
	// statement; set by wiring.
	Enqueue func(ctx context.Context, tx pgx.Tx, jobs ...Job) error
	// auditWake tells this process's sealer, after commit, which logs have
	// new events ("" is the platform log). It replaces a NOTIFY per
	// request, whose global lock made concurrent commits queue.
	auditWake chan string
	// tracer counts round trips per request when a test asks.
	tracer *roundTripTracer
	// audits group-commits the audit events of reads.
	audits *auditBatcher
}

// Job is a durable job to enqueue in the same transaction as a change.
type Job = interface{ Kind() string }

// Open connects the app pool to url, which must log in as the app role (or
// a role that is granted it): Open refuses a superuser, a role with
// BYPASSRLS and the owner of the tables, so row-level security always holds.
func Open(ctx context.Context, url string, maxConns int32) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// A database that does not answer is an outage after this long,
		// not a request that hangs (connect_timeout in the URL overrides).
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	tracer := &roundTripTracer{}
	cfg.ConnConfig.Tracer = tracer
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	var super, bypass, owner bool
	err = pool.QueryRow(ctx, `SELECT rolsuper, rolbypassrls,
			EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user)
		FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass, &owner)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("check app role: %w", err)
	}
	if super || bypass || owner {
		pool.Close()
		return nil, errors.New("the serving database role could bypass row-level security (superuser, BYPASSRLS or table owner); connect as " + AppRole)
	}
	db := &DB{pool: pool, Clock: medic.SystemClock{}, auditWake: make(chan string, 1024), tracer: tracer}
	db.audits = newAuditBatcher(db)
	return db, nil
}

// AppURL turns a development owner URL into the app role's URL on the same
// server (same host and database, user medic_app, no password: local trust
// authentication). Production passes the app role's own URL instead.
func AppURL(ownerURL string) (string, error) {
	u, err := url.Parse(ownerURL)
	if err != nil {
		return "", fmt.Errorf("parse database url: %w", err)
	}
	u.User = url.User(AppRole)
	return u.String(), nil
}

// Pool exposes the app pool to the job queue and health checks.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close commits the reads' audit events handed over, then closes the pool.
func (db *DB) Close() {
	db.audits.close()
	db.pool.Close()
}

// Ping checks the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error { return unavailable(db.pool.Ping(ctx)) }

type txKey struct{}

// txState is the open transaction of a use case and the practice it is set to.
type txState struct {
	tx       *heldTx
	practice string
	user     string
	audited  map[string]bool // logs that got events in this transaction
	// read marks a read use case's transaction (InReadTx): its audit
	// events wait in reads for the group commit.
	read  bool
	reads []auditWrite
	// charts are the patients this transaction has read: a later read of
	// one of their lists need not check again that the chart exists.
	charts map[string]bool
}

// chartRead notes that the transaction in ctx read patient id's chart.
func chartRead(ctx context.Context, id string) {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		if st.charts == nil {
			st.charts = map[string]bool{}
		}
		st.charts[id] = true
	}
}

// chartKnown says the transaction in ctx has read patient id's chart.
func chartKnown(ctx context.Context, id string) bool {
	st, ok := ctx.Value(txKey{}).(*txState)
	return ok && st.charts[id]
}

// InTx runs fn in one transaction: store calls made with the ctx passed to
// fn join it, so a use case's changes, its audit events and its jobs commit
// or roll back together. A nested InTx joins the outer transaction. BEGIN,
// the tenant settings and the audit inserts travel with the transaction's
// next statement or its COMMIT (heldTx).
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return unavailable(fmt.Errorf("begin: %w", err))
	}
	st := &txState{tx: newHeldTx(conn)}
	if err := fn(context.WithValue(ctx, txKey{}, st)); err != nil {
		st.tx.rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := st.tx.commit(ctx); err != nil {
		return dataError(fmt.Errorf("commit: %w", err))
	}
	db.wakeSealer(st.audited)
	return nil
}

// wakeSealer tells this process's sealer which logs got new events.
func (db *DB) wakeSealer(logs map[string]bool) {
	for log := range logs {
		select {
		case db.auditWake <- log:
		default: // the sealer is behind; its sweep catches up
		}
	}
}

// InReadTx runs fn, a use case that only reads, like InTx but with no
// transaction of its own: each statement runs with the tenant settings in
// its own implicit transaction (a pipeline up to its Sync), so a read
// costs no BEGIN and no COMMIT, and its audit events are group-committed
// with other reads' (auditBatcher): InReadTx returns once they are
// durable. fn must not write (a store call that tries fails: the
// transaction is not one); statements see each their own snapshot, as
// under READ COMMITTED anyway. Inside another use case's transaction, fn
// joins it.
func (db *DB) InReadTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return unavailable(fmt.Errorf("begin: %w", err))
	}
	st := &txState{tx: &heldTx{conn: conn, implicit: true}, read: true}
	err = fn(context.WithValue(ctx, txKey{}, st))
	st.tx.release()
	if err != nil {
		return err
	}
	for _, w := range st.reads {
		if err := db.audits.write(ctx, w.practice, w.events); err != nil {
			return err
		}
	}
	return nil
}

// markAudited notes that the transaction in ctx wrote to a log, so the
// sealer is woken once it commits.
func markAudited(ctx context.Context, log string) {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		if st.audited == nil {
			st.audited = map[string]bool{}
		}
		st.audited[log] = true
	}
}

// do runs fn in the context's transaction (or a new one) with app.practice_id
// and app.user_id set from ctx. Without a practice in ctx the setting is
// empty, so tenant tables show no rows and refuse inserts (fail closed).
func (db *DB) do(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		st := ctx.Value(txKey{}).(*txState)
		st.setTenant(ctx)
		return dataError(fn(st.tx))
	})
}

// later runs sql in the context's transaction (or a new one) like do, but
// holds it back to go out with the transaction's next statement or its
// COMMIT: for writes nothing in the transaction reads back (audit rows).
func (db *DB) later(ctx context.Context, sql string, args ...any) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		st := ctx.Value(txKey{}).(*txState)
		if st.read {
			return errReadOnly
		}
		st.setTenant(ctx)
		st.tx.hold(sql, args...)
		return nil
	})
}

// setTenant holds the tenant settings of ctx for the transaction's next
// statement when they differ from those it has.
func (st *txState) setTenant(ctx context.Context) {
	t, _ := medic.TenantFrom(ctx)
	user := medic.ActorFrom(ctx).UserID
	if t.PracticeID != st.practice || user != st.user {
		st.tx.holdSettings(setTenantSQL, t.PracticeID, user)
		st.practice, st.user = t.PracticeID, user
	}
}

// unknownTenant marks the tenant settings of a transaction as unknown: no
// practice or user id looks like it.
const unknownTenant = "\x00unknown"

const setTenantSQL = `SELECT set_config('app.practice_id', $1, true), set_config('app.user_id', $2, true)`

// genericPlanSQL, queued in one batch ahead of a statement, has it planned
// once per connection instead of at every execution. For statements whose
// best plan does not depend on the values (a chart's rows by patient, a
// name search) and that cost more to plan than to run: PostgreSQL keeps
// re-planning a statement whose generic plan it estimates dearer than the
// custom ones, and the chart's timeline spent 1.9 ms planning to 2.3 ms
// running. It lasts to the end of the (implicit) transaction.
const genericPlanSQL = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`

// pipeline runs the queued queries of b like do, but sends them (and the
// tenant settings, when they change) in one round trip: on a 2-core
// machine each round trip is two context switches, worth more than the
// queries themselves on the hot paths.
//
// Outside a use case's transaction the batch needs no BEGIN and COMMIT:
// PostgreSQL runs a pipeline up to its Sync as one implicit transaction,
// so the tenant settings (set_config local to the transaction) hold for
// every query of the batch and end with it, and a statement the database
// refuses undoes the batch's writes. An error returned by a result
// callback does not: the database never sees it and commits the rest, so
// a batch whose writes depend on what a callback checks belongs inside a
// use case's transaction (as every booking is).
func (db *DB) pipeline(ctx context.Context, b *pgx.Batch) error {
	if _, ok := ctx.Value(txKey{}).(*txState); !ok {
		t, _ := medic.TenantFrom(ctx)
		nb := &pgx.Batch{}
		nb.Queue(setTenantSQL, t.PracticeID, medic.ActorFrom(ctx).UserID)
		nb.QueuedQueries = append(nb.QueuedQueries, b.QueuedQueries...)
		return dataError(db.pool.SendBatch(ctx, nb).Close())
	}
	return db.InTx(ctx, func(ctx context.Context) error {
		st := ctx.Value(txKey{}).(*txState)
		st.setTenant(ctx)
		err := st.tx.SendBatch(ctx, b).Close()
		if err != nil {
			// The settings may not have run (or a savepoint around them
			// was undone): the next statement sets them again.
			st.practice, st.user = unknownTenant, unknownTenant
		}
		return dataError(err)
	})
}

// unavailable marks err as an outage (medic.ErrStoreUnavailable) when it
// says the database cannot be reached or is going away rather than that a
// statement failed: a refused, reset or broken connection, a connect or
// I/O timeout, a server shutting down or not yet accepting connections, no
// connection slot. A request's own cancellation is not.
func unavailable(err error) error {
	if err == nil || errors.Is(err, medic.ErrStoreUnavailable) || errors.Is(err, context.Canceled) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // admin or crash shutdown, cannot connect now
			pe.Code == "53300": // too many connections
			return fmt.Errorf("%w: %w", medic.ErrStoreUnavailable, err)
		}
		return err
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) ||
		// pgx has no exported value for it. (A closed pool is not here: it
		// is this process's own state, a request served after shutdown.)
		strings.Contains(err.Error(), "conn closed") {
		return fmt.Errorf("%w: %w", medic.ErrStoreUnavailable, err)
	}
	return err
}

// dataError turns a data exception (class 22: text PostgreSQL cannot
// store, a value out of range) into a user's EINVALID rather than an
// internal error; the surfaces check input first, this is the backstop.
func dataError(err error) error {
	err = unavailable(err)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22") {
		return fmt.Errorf("%w: %w", &medic.Error{Code: medic.EINVALID, Message: "Some of the data is not valid."}, err)
	}
	return err
}

// tenantID returns the practice in ctx; store methods on tenant tables call
// it first, so a missing practice is an error before any SQL runs.
func tenantID(ctx context.Context) (string, error) {
	t, ok := medic.TenantFrom(ctx)
	if !ok {
		return "", errors.New("postgres: no practice in context")
	}
	return t.PracticeID, nil
}

// withTenant returns ctx working in practiceID (system work such as the
// audit sealer and sign-in bookkeeping that spans practices).
func withTenant(ctx context.Context, practiceID string) context.Context {
	t, _ := medic.TenantFrom(ctx)
	t.PracticeID = practiceID
	return medic.WithTenant(ctx, t)
}

func (db *DB) now() time.Time { return db.Clock.Now() }

// isUniqueViolation reports a unique-constraint error (optionally a given one).
func isUniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && (constraint == "" || pe.ConstraintName == constraint)
}

// isForeignKeyViolation reports a foreign-key error (a row still in use).
func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// notFound turns pgx.ErrNoRows into the one not-found error.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return medic.ErrNotFound
	}
	return err
}

// isUUID reports whether s is a UUID; ids from URLs that are not answer
// not-found rather than a database error.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, tx pgx.Tx, scan func(pgx.Row) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
