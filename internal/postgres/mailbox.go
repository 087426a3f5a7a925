package postgres

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jackc/pgx/v5"

	"medic"
)

// EnqueueMail queues m for sending in the current transaction (through
// the outbox when a practice sends it).
func (db *DB) EnqueueMail(ctx context.Context, m medic.Mail) error {
	return db.do(ctx, func(tx pgx.Tx) error { return db.enqueue(ctx, tx, m) })
}

// EnqueueJob queues a job in the current transaction.
func (db *DB) EnqueueJob(ctx context.Context, job interface{ Kind() string }) error {
	return db.do(ctx, func(tx pgx.Tx) error { return db.enqueue(ctx, tx, job) })
}

// EnqueueJobs queues jobs in the current transaction in one round trip.
func (db *DB) EnqueueJobs(ctx context.Context, jobs ...interface{ Kind() string }) error {
	if len(jobs) == 0 {
		return nil
	}
	return db.do(ctx, func(tx pgx.Tx) error { return db.enqueue(ctx, tx, jobs...) })
}

// KeepMail stores a message in the development mailbox (no SMTP configured).
func (db *DB) KeepMail(ctx context.Context, m medic.Mail) error {
	att, _ := json.Marshal(m.Attachments)
	if m.Attachments == nil {
		att = []byte("[]")
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO dev_mailbox (recipients, subject, text_body, html_body, attachments, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			strings.Join(m.To, ", "), m.Subject, m.Text, m.HTML, att, db.now())
		return err
	})
}

// ListKeptMail lists the newest kept messages.
func (db *DB) ListKeptMail(ctx context.Context, limit int) (out []medic.KeptMail, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, recipients, subject, text_body, html_body, attachments, created_at FROM dev_mailbox ORDER BY id DESC LIMIT $1`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m medic.KeptMail
			var to string
			var att []byte
			if err := rows.Scan(&m.ID, &to, &m.Subject, &m.Text, &m.HTML, &att, &m.CreatedAt); err != nil {
				return err
			}
			m.To = strings.Split(to, ", ")
			_ = json.Unmarshal(att, &m.Attachments)
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}
