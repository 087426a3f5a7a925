package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// publicRateRetention is how long platform rate events are kept: far
// longer than any window they are counted over.
const publicRateRetention = 24 * time.Hour

// LockPublicRate takes a transaction-scoped advisory lock on (kind, key),
// platform-wide (no practice in the lock key).
func (db *DB) LockPublicRate(ctx context.Context, kind string, key []byte) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('public-rate:' || $1::text || ':' || encode($2::bytea, 'hex'), 0))`, kind, key)
		return err
	})
}

// CountPublicRate counts the events for (kind, key) after since, across
// every practice, and when the oldest of them was made.
func (db *DB) CountPublicRate(ctx context.Context, kind string, key []byte, since time.Time) (n int, oldest time.Time, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		var t *time.Time
		err := tx.QueryRow(ctx, `SELECT count(*), min(created_at) FROM public_rate_events WHERE kind = $1 AND key = $2 AND created_at > $3`,
			kind, key, since).Scan(&n, &t)
		if t != nil {
			oldest = *t
		}
		return err
	})
	return n, oldest, err
}

// RecordPublicRate records one event for (kind, key) now and forgets the
// events older than the retention period. One transaction at a time
// prunes (the others skip it rather than wait), so concurrent requests
// never queue or deadlock on each other's deletes.
func (db *DB) RecordPublicRate(ctx context.Context, kind string, key []byte) error {
	now := db.now()
	return db.do(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `WITH prune AS (SELECT pg_try_advisory_xact_lock(hashtextextended('public-rate:prune', 0)) AS ok)
			DELETE FROM public_rate_events WHERE created_at < $1 AND (SELECT ok FROM prune)`, now.Add(-publicRateRetention)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO public_rate_events (kind, key, created_at) VALUES ($1, $2, $3)`, kind, key, now)
		return err
	})
}
