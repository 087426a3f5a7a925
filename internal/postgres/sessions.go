package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

const sessionColumns = `id, user_id, coalesce(active_practice_id::text, ''), created_at, last_seen_at, ip, user_agent, two_factor_pending`

func scanSession(row pgx.Row) (*medic.Session, error) {
	var s medic.Session
	err := row.Scan(&s.ID, &s.UserID, &s.ActivePracticeID, &s.CreatedAt, &s.LastSeenAt, &s.IP, &s.UserAgent, &s.TwoFactorPending)
	if err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// CreateSession stores a new session under the hash of its cookie token.
func (db *DB) CreateSession(ctx context.Context, s *medic.Session, tokenHash []byte) error {
	now := db.now()
	s.CreatedAt, s.LastSeenAt = now, now
	return db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO sessions (token_hash, user_id, active_practice_id, two_factor_pending, created_at, last_seen_at, ip, user_agent)
			VALUES ($1, $2, NULLIF($3, '')::uuid, $4, $5, $5, $6, $7) RETURNING id`,
			tokenHash, s.UserID, s.ActivePracticeID, s.TwoFactorPending, now, s.IP, s.UserAgent).Scan(&s.ID)
	})
}

// TouchSession finds a live session by token hash and records the visit. A
// session idle longer than idle, or older than absolute, is ended and
// ENOTFOUND returned.
func (db *DB) TouchSession(ctx context.Context, tokenHash []byte, idle, absolute time.Duration) (s *medic.Session, err error) {
	now := db.now()
	expired := false
	err = db.do(ctx, func(tx pgx.Tx) error {
		s, err = scanSession(tx.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = $1 AND ended_at IS NULL`, tokenHash))
		if err != nil {
			return err
		}
		if now.Sub(s.LastSeenAt) > idle || now.Sub(s.CreatedAt) > absolute {
			// Commit the ending, then answer not-found.
			expired = true
			_, err := tx.Exec(ctx, `UPDATE sessions SET ended_at = $2 WHERE id = $1`, s.ID, now)
			return err
		}
		// Write the visit at most once a minute: most requests then only read.
		if now.Sub(s.LastSeenAt) > time.Minute {
			s.LastSeenAt = now
			_, err = tx.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id = $1`, s.ID, now)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if expired {
		return nil, medic.ErrNotFound
	}
	return s, nil
}

// EndSession ends one session of userID; ENOTFOUND if not theirs or already ended.
func (db *DB) EndSession(ctx context.Context, userID, sessionID string) error {
	if !isUUID(sessionID) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `UPDATE sessions SET ended_at = $3 WHERE id = $1 AND user_id = $2 AND ended_at IS NULL`, sessionID, userID, db.now())
}

// EndUserSessions ends every session of a user except keep (password change, reset).
func (db *DB) EndUserSessions(ctx context.Context, userID, keep string) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE sessions SET ended_at = $3 WHERE user_id = $1 AND id::text <> $2 AND ended_at IS NULL`, userID, keep, db.now())
		return err
	})
}

// ListSessions lists a user's live sessions, newest first.
func (db *DB) ListSessions(ctx context.Context, userID string) (out []*medic.Session, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanSession, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = $1 AND ended_at IS NULL ORDER BY last_seen_at DESC`, userID)
		return err
	})
	return out, err
}

// CreatePasswordReset stores the hash of an emailed single-use reset secret.
func (db *DB) CreatePasswordReset(ctx context.Context, userID string, tokenHash []byte, expires time.Time) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO password_resets (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)`, tokenHash, userID, expires, db.now())
		return err
	})
}

// UsePasswordReset consumes a reset secret and returns its user; ENOTFOUND
// if unknown, used or expired.
func (db *DB) UsePasswordReset(ctx context.Context, tokenHash []byte) (userID string, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		return notFound(tx.QueryRow(ctx, `UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id`,
			tokenHash, db.now()).Scan(&userID))
	})
	return userID, err
}

// PeekPasswordReset reports whether a reset secret is still usable, without using it.
func (db *DB) PeekPasswordReset(ctx context.Context, tokenHash []byte) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		var one int
		return notFound(tx.QueryRow(ctx, `SELECT 1 FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, tokenHash, db.now()).Scan(&one))
	})
}

// LockLoginKey takes a transaction-scoped advisory lock on key.
func (db *DB) LockLoginKey(ctx context.Context, key string) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('login:' || $1, 0))`, key)
		return err
	})
}

// RecordLoginFailure notes a failed sign-in for each key.
func (db *DB) RecordLoginFailure(ctx context.Context, keys ...string) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		for _, k := range keys {
			if _, err := tx.Exec(ctx, `INSERT INTO login_failures (key, failed_at) VALUES ($1, $2)`, k, db.now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// LoginFailures counts failures for key since a time.
func (db *DB) LoginFailures(ctx context.Context, key string, since time.Time) (n int, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM login_failures WHERE key = $1 AND failed_at > $2`, key, since).Scan(&n)
	})
	return n, err
}

// ClearLoginFailures forgets failures for key (after a successful sign-in)
// and prunes old rows.
func (db *DB) ClearLoginFailures(ctx context.Context, key string, before time.Time) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE key = $1 OR failed_at < $2`, key, before)
		return err
	})
}
