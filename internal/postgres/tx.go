package postgres

import (
	"context"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// heldTx is a use case's transaction on one pooled connection that sends
// nothing on its own: BEGIN, the tenant settings and the audit inserts are
// held and go out in one pipeline with the next statement, or with COMMIT.
// An audited read is then two round trips (BEGIN, settings and the read;
// the audit insert and COMMIT) where it was five, and a transaction that
// ran no statement costs none. Holding is safe because nothing in a
// transaction reads what it holds back (the settings are sent before any
// statement that needs them, the audit rows are never read back), and a
// held statement the database refuses fails the statement it travels with,
// so the use case rolls back as it would have.
type heldTx struct {
	conn    *pgxpool.Conn
	held    []*pgx.QueuedQuery
	begun   bool // BEGIN has been sent
	savepts int
	// implicit is a read's "transaction" (InReadTx): no BEGIN or COMMIT,
	// each statement its own implicit transaction with settings before it.
	implicit bool
	settings []any // setTenantSQL's arguments, for an implicit one
}

func newHeldTx(conn *pgxpool.Conn) *heldTx {
	tx := &heldTx{conn: conn}
	tx.hold("begin")
	return tx
}

// hold queues sql to go out ahead of the next statement.
func (tx *heldTx) hold(sql string, args ...any) {
	tx.held = append(tx.held, &pgx.QueuedQuery{SQL: sql, Arguments: args})
}

// holdSettings holds the tenant settings (setTenantSQL) for the next
// statement, or in an implicit transaction for every statement.
func (tx *heldTx) holdSettings(sql string, args ...any) {
	if tx.implicit {
		tx.settings = args
		return
	}
	tx.hold(sql, args...)
}

// send sends the held statements followed by b's, and returns the results
// positioned at b's first.
func (tx *heldTx) send(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if tx.implicit && tx.settings != nil {
		tx.held = append([]*pgx.QueuedQuery{{SQL: setReadTenantSQL, Arguments: tx.settings}}, tx.held...)
	}
	if len(tx.held) == 0 {
		return tx.conn.SendBatch(ctx, b)
	}
	n := len(tx.held)
	nb := &pgx.Batch{QueuedQueries: append(tx.held, b.QueuedQueries...)}
	tx.held, tx.begun = nil, true
	return &heldResults{BatchResults: tx.conn.SendBatch(ctx, nb), skip: n}
}

// flush sends whatever is held on its own (before a call that cannot
// carry it: a COPY, a prepare).
func (tx *heldTx) flush(ctx context.Context) error {
	if len(tx.held) == 0 {
		return nil
	}
	return tx.send(ctx, &pgx.Batch{}).Close()
}

// commit sends what is held with COMMIT, one round trip. A transaction
// that sent and holds nothing has nothing to commit.
func (tx *heldTx) commit(ctx context.Context) error {
	defer tx.release()
	if tx.implicit {
		return errors.New("postgres: a read's statements commit one by one")
	}
	if !tx.begun && len(tx.held) == 1 { // only BEGIN: no statement ran
		tx.held = nil
		return nil
	}
	var tag pgconn.CommandTag
	b := &pgx.Batch{}
	b.Queue("commit").Exec(func(ct pgconn.CommandTag) error { tag = ct; return nil })
	if err := tx.send(ctx, b).Close(); err != nil {
		tx.rollback(context.WithoutCancel(ctx))
		return err
	}
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// rollback ends the transaction without its changes (nothing to send if
// BEGIN never went out) and gives the connection back.
func (tx *heldTx) rollback(ctx context.Context) {
	defer tx.release()
	tx.held = nil
	if !tx.begun || tx.conn.Conn().PgConn().TxStatus() == 'I' {
		return
	}
	if _, err := tx.conn.Exec(ctx, "rollback"); err != nil {
		_ = tx.conn.Conn().Close(ctx) // in an unknown state: never reuse it
	}
}

// release gives the connection back (the pool discards one still in a
// transaction or busy).
func (tx *heldTx) release() {
	if tx.conn != nil {
		tx.conn.Release()
		tx.conn = nil
	}
}

// The pgx.Tx methods the store and the job queue call.

func (tx *heldTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if tx.implicit {
		return pgconn.CommandTag{}, errReadOnly
	}
	if len(tx.held) == 0 {
		return tx.conn.Exec(ctx, sql, args...)
	}
	b := &pgx.Batch{}
	b.Queue(sql, args...)
	br := tx.send(ctx, b)
	ct, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return ct, err
}

func (tx *heldTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if len(tx.held) == 0 && !tx.implicit {
		return tx.conn.Query(ctx, sql, args...)
	}
	b := &pgx.Batch{}
	b.Queue(sql, args...)
	br := tx.send(ctx, b)
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return rows, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (tx *heldTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := tx.Query(ctx, sql, args...)
	return &firstRow{rows: rows, err: err}
}

func (tx *heldTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return tx.send(ctx, b)
}

func (tx *heldTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if tx.implicit {
		return 0, errReadOnly
	}
	if err := tx.flush(ctx); err != nil {
		return 0, err
	}
	return tx.conn.CopyFrom(ctx, table, columns, src)
}

func (tx *heldTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if err := tx.flush(ctx); err != nil {
		return nil, err
	}
	return tx.conn.Conn().Prepare(ctx, name, sql)
}

// LargeObjects are not used by Medic (pgx gives no way to build them on a
// transaction of one's own).
func (tx *heldTx) LargeObjects() pgx.LargeObjects {
	panic("postgres: large objects are not supported in a use case's transaction")
}

// Conn is the connection; a caller using it directly must not run a
// statement while something is held (nothing in Medic does).
func (tx *heldTx) Conn() *pgx.Conn { return tx.conn.Conn() }

// setReadTenantSQL is setTenantSQL for a read's statement, which also
// makes its implicit transaction read-only: the database refuses a write
// the code let through.
const setReadTenantSQL = `SELECT set_config('app.practice_id', $1, true), set_config('app.user_id', $2, true),
	set_config('transaction_read_only', 'on', true)`

// errReadOnly refuses a write in a read's transaction (InReadTx): there
// is no transaction to make it atomic with anything.
var errReadOnly = errors.New("postgres: a write in a read use case (InReadTx); use InTx")

// Begin starts a savepoint (pgx's pseudo nested transaction).
func (tx *heldTx) Begin(ctx context.Context) (pgx.Tx, error) {
	if tx.implicit {
		return nil, errReadOnly
	}
	tx.savepts++
	name := "sp_" + strconv.Itoa(tx.savepts)
	if _, err := tx.Exec(ctx, "savepoint "+name); err != nil {
		return nil, err
	}
	return &savepointTx{heldTx: tx, name: name}, nil
}

// Commit and Rollback belong to InTx, which owns the transaction.
func (tx *heldTx) Commit(context.Context) error {
	return errors.New("postgres: a use case's transaction commits when InTx returns")
}

func (tx *heldTx) Rollback(context.Context) error {
	return errors.New("postgres: a use case's transaction rolls back when InTx's function fails")
}

// savepointTx is a savepoint of a heldTx: Commit releases it, Rollback
// undoes what was done since.
type savepointTx struct {
	*heldTx
	name   string
	closed bool
}

func (sp *savepointTx) Commit(ctx context.Context) error {
	if sp.closed {
		return pgx.ErrTxClosed
	}
	sp.closed = true
	_, err := sp.Exec(ctx, "release savepoint "+sp.name)
	return err
}

func (sp *savepointTx) Rollback(ctx context.Context) error {
	if sp.closed {
		return pgx.ErrTxClosed
	}
	sp.closed = true
	_, err := sp.Exec(ctx, "rollback to savepoint "+sp.name)
	return err
}

// heldResults are a batch's results past the held statements sent ahead
// of it: reading a result first reads those (their errors are the batch's).
type heldResults struct {
	pgx.BatchResults
	skip int
}

func (r *heldResults) skipHeld() error {
	for ; r.skip > 0; r.skip-- {
		if _, err := r.BatchResults.Exec(); err != nil {
			r.skip = 0
			return err
		}
	}
	return nil
}

func (r *heldResults) Exec() (pgconn.CommandTag, error) {
	if err := r.skipHeld(); err != nil {
		return pgconn.CommandTag{}, err
	}
	return r.BatchResults.Exec()
}

func (r *heldResults) Query() (pgx.Rows, error) {
	if err := r.skipHeld(); err != nil {
		return nil, err
	}
	return r.BatchResults.Query()
}

func (r *heldResults) QueryRow() pgx.Row {
	if err := r.skipHeld(); err != nil {
		return &firstRow{err: err}
	}
	return r.BatchResults.QueryRow()
}

// batchRows are the rows of a statement sent in a batch: when they end,
// the batch is closed too, so the connection is free again.
type batchRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if r.br != nil {
		r.err = r.br.Close()
		r.br = nil
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// firstRow is QueryRow's row over Query's rows, as pgx's own.
type firstRow struct {
	rows pgx.Rows
	err  error
}

func (r *firstRow) Scan(dest ...any) error {
	if r.err != nil {
		if r.rows != nil {
			r.rows.Close()
		}
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
