package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// LockPractitionerSchedule takes a transaction-scoped advisory lock on a
// practitioner's schedule, so two concurrent rule changes cannot both pass
// the overlap check.
func (db *DB) LockPractitionerSchedule(ctx context.Context, practitionerID string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('schedule:' || $1::text || ':' || $2::text, 0))`, pid, practitionerID)
		return err
	})
}

// LockMembership takes a transaction-scoped advisory lock on the practice's
// memberships: two admins demoting each other cannot both pass the
// last-admin check.
func (db *DB) LockMembership(ctx context.Context) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('members:' || $1::text, 0))`, pid)
		return err
	})
}
