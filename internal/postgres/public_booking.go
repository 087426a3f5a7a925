package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// bookingCodeRetention is how long code rows are kept (they hold an email
// and an IP): far longer than any rate-limit window.
const bookingCodeRetention = 24 * time.Hour

// CreateBookingCode stores c in the practice in context and forgets codes
// older than the retention period.
func (db *DB) CreateBookingCode(ctx context.Context, c *medic.BookingCode) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	c.PracticeID = pid
	now := db.now()
	return db.do(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM booking_codes WHERE practice_id = $1 AND created_at < $2`, pid, now.Add(-bookingCodeRetention)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO booking_codes (practice_id, email, code_hash, salt, expires_at, ip, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at`,
			pid, c.Email, c.Hash, c.Salt, c.ExpiresAt, c.IP, now).Scan(&c.ID, &c.CreatedAt)
	})
}

// LockLatestBookingCode returns the newest code for email, locked FOR
// UPDATE: concurrent confirmations with it queue here, and each sees the
// attempts and use of the one before.
func (db *DB) LockLatestBookingCode(ctx context.Context, email string) (c *medic.BookingCode, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		c = &medic.BookingCode{}
		return notFound(tx.QueryRow(ctx, `SELECT id, practice_id, email, code_hash, salt, expires_at, attempts, used_at, ip, created_at
			FROM booking_codes WHERE practice_id = $1 AND email = $2 ORDER BY seq DESC LIMIT 1 FOR UPDATE`, pid, email).
			Scan(&c.ID, &c.PracticeID, &c.Email, &c.Hash, &c.Salt, &c.ExpiresAt, &c.Attempts, &c.UsedAt, &c.IP, &c.CreatedAt))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// BookingCodeFailed counts a wrong try of the code.
func (db *DB) BookingCodeFailed(ctx context.Context, id string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `UPDATE booking_codes SET attempts = attempts + 1 WHERE practice_id = $1 AND id = $2`, pid, id)
}

// UseBookingCode marks the code used, once.
func (db *DB) UseBookingCode(ctx context.Context, id string, at time.Time) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `UPDATE booking_codes SET used_at = $3 WHERE practice_id = $1 AND id = $2 AND used_at IS NULL`, pid, id, at)
}

// FindOnlinePatient finds the oldest active chart of the practice in
// context with exactly this email and date of birth and these names
// (ignoring case).
func (db *DB) FindOnlinePatient(ctx context.Context, email string, dob medic.Date, givenName, familyName string) (p *medic.Patient, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if email == "" || dob.IsZero() {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		p, err = scanPatient(tx.QueryRow(ctx, `SELECT `+patientColumns+` FROM patients
			WHERE practice_id = $1 AND email = $2 AND date_of_birth = $3 AND status = 'active'
			  AND lower(given_name) = lower($4) AND lower(family_name) = lower($5)
			ORDER BY created_at, id LIMIT 1`, pid, email, dob.Time(), strings.TrimSpace(givenName), strings.TrimSpace(familyName)))
		return err
	})
	return p, err
}

// SigningKey returns the platform key called name, inserting generate()'s
// key first if there is none; of two processes racing, the first insert wins
// and both read it.
func (db *DB) SigningKey(ctx context.Context, name string, generate func() ([]byte, error)) (key []byte, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT key FROM signing_keys WHERE name = $1`, name).Scan(&key)
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		k, err := generate()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO signing_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, k); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT key FROM signing_keys WHERE name = $1`, name).Scan(&key)
	})
	return key, err
}
