package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// A practice's mail goes through its outbox: queueing a medic.Mail under a
// tenant records it (recipient, subject, the mail to send) and queues an
// OutboxJob that names it. Mail without a practice (a password reset) is
// queued as it is.

// enqueue inserts jobs in tx, turning each medic.Mail of a practice into an
// outbox row and its job.
func (db *DB) enqueue(ctx context.Context, tx pgx.Tx, jobs ...Job) error {
	t, ok := medic.TenantFrom(ctx)
	if !ok {
		return db.Enqueue(ctx, tx, jobs...)
	}
	out := make([]Job, len(jobs))
	for i, job := range jobs {
		m, ok := job.(medic.Mail)
		if !ok {
			out[i] = job
			continue
		}
		payload, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("outbox: encode mail: %w", err)
		}
		var id string
		if err := tx.QueryRow(ctx, `INSERT INTO mail_outbox (practice_id, recipient, subject, mail, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			t.PracticeID, strings.Join(m.To, ", "), m.Subject, payload, db.now()).Scan(&id); err != nil {
			return err
		}
		out[i] = medic.OutboxJob{PracticeID: t.PracticeID, MailID: id}
	}
	return db.Enqueue(ctx, tx, out...)
}

const outboxColumns = `id, practice_id, recipient, subject, state, attempts, last_error, created_at, updated_at, sent_at`

func scanOutboxMail(row pgx.Row, extra ...any) (*medic.OutboxMail, error) {
	var m medic.OutboxMail
	if err := row.Scan(append([]any{&m.ID, &m.PracticeID, &m.Recipient, &m.Subject, &m.State, &m.Attempts, &m.LastError,
		&m.CreatedAt, &m.UpdatedAt, &m.SentAt}, extra...)...); err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// ListOutbox pages through the practice's mail, newest first; state ""
// lists every state.
func (db *DB) ListOutbox(ctx context.Context, state medic.OutboxState, page medic.Page) (ms []*medic.OutboxMail, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var before int64
	if page.Cursor != "" {
		if err := decodeCursor(page.Cursor, &before); err != nil {
			return nil, "", err
		}
	}
	var seqs []int64
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		seqs = seqs[:0]
		ms, err = queryAll(ctx, tx, func(row pgx.Row) (*medic.OutboxMail, error) {
			var seq int64
			m, err := scanOutboxMail(row, &seq)
			seqs = append(seqs, seq)
			return m, err
		}, `SELECT `+outboxColumns+`, seq FROM mail_outbox
			WHERE practice_id = $1 AND ($2 = '' OR state = $2) AND ($3::bigint = 0 OR seq < $3::bigint)
			ORDER BY seq DESC LIMIT $4`, pid, string(state), before, page.Limit+1)
		return err
	})
	if len(ms) > page.Limit {
		ms = ms[:page.Limit]
		next = encodeCursor(seqs[page.Limit-1])
	}
	return ms, next, err
}

// FindOutboxMail finds one mail of the practice; ENOTFOUND otherwise.
func (db *DB) FindOutboxMail(ctx context.Context, id string) (m *medic.OutboxMail, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		m, err = scanOutboxMail(tx.QueryRow(ctx, `SELECT `+outboxColumns+` FROM mail_outbox WHERE practice_id = $1 AND id = $2`, pid, id))
		return err
	})
	return m, err
}

// OutboxMailToSend returns a queued mail and what to send; ENOTFOUND when
// it is not queued (sent, failed, or another practice's).
func (db *DB) OutboxMailToSend(ctx context.Context, id string) (m *medic.OutboxMail, mail medic.Mail, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, mail, err
	}
	if !isUUID(id) {
		return nil, mail, medic.ErrNotFound
	}
	var payload []byte
	err = db.do(ctx, func(tx pgx.Tx) error {
		m, err = scanOutboxMail(tx.QueryRow(ctx, `SELECT `+outboxColumns+`, mail FROM mail_outbox
			WHERE practice_id = $1 AND id = $2 AND state = 'queued'`, pid, id), &payload)
		return err
	})
	if err != nil {
		return nil, mail, err
	}
	if err := json.Unmarshal(payload, &mail); err != nil {
		return nil, mail, fmt.Errorf("outbox: decode mail: %w", err)
	}
	return m, mail, nil
}

// MarkOutboxSent records a delivery (one more attempt) and erases the mail
// sent: the outbox is no archive of bodies.
func (db *DB) MarkOutboxSent(ctx context.Context, id string, at time.Time) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.exec1(ctx, `UPDATE mail_outbox SET state = 'sent', attempts = attempts + 1, mail = NULL, last_error = '',
		sent_at = $3, updated_at = $3 WHERE practice_id = $1 AND id = $2 AND state = 'queued'`, pid, id, at)
}

// RecordOutboxFailure counts a failed attempt of a queued mail; failed
// makes it failed (kept for a retry).
func (db *DB) RecordOutboxFailure(ctx context.Context, id, summary string, failed bool, at time.Time) (m *medic.OutboxMail, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		m, err = scanOutboxMail(tx.QueryRow(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3, updated_at = $4,
			state = CASE WHEN $5 THEN 'failed' ELSE state END
			WHERE practice_id = $1 AND id = $2 AND state = 'queued' RETURNING `+outboxColumns, pid, id, summary, at, failed))
		return err
	})
	return m, err
}

// RequeueOutboxMail turns a failed mail back to queued and queues its job
// in the same transaction; ENOTFOUND for another practice's, ECONFLICT
// unless it is failed.
func (db *DB) RequeueOutboxMail(ctx context.Context, id string, at time.Time) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		var state string
		err := tx.QueryRow(ctx, `SELECT state FROM mail_outbox WHERE practice_id = $1 AND id = $2 FOR UPDATE`, pid, id).Scan(&state)
		if err != nil {
			return notFound(err)
		}
		if state != string(medic.OutboxFailed) {
			return &medic.Error{Code: medic.ECONFLICT, Message: "Only a mail that failed can be sent again."}
		}
		if _, err := tx.Exec(ctx, `UPDATE mail_outbox SET state = 'queued', updated_at = $3 WHERE practice_id = $1 AND id = $2`, pid, id, at); err != nil {
			return err
		}
		return db.Enqueue(ctx, tx, medic.OutboxJob{PracticeID: pid, MailID: id})
	})
}
