package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

const sessionColumns = `id, user_id, coalesce(active_practice_id::text, ''), created_at, last_seen_at, ip, user_agent, two_factor_pending`

// sessionFields are the scan targets of sessionColumns in s.
func sessionFields(s *medic.Session) []any {
	return []any{&s.ID, &s.UserID, &s.ActivePracticeID, &s.CreatedAt, &s.LastSeenAt, &s.IP, &s.UserAgent, &s.TwoFactorPending}
}

func scanSession(row pgx.Row) (*medic.Session, error) {
	var s medic.Session
	err := row.Scan(sessionFields(&s)...)
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

// touchSessionSQL finds a live session by token hash and, in the same
// statement, ends it when it is idle or too old ($3, $4: the cutoffs) or
// else records the visit when the last one is older than $5 (at most once a
// minute, so most requests only read); it returns the session as it was
// read, whether it expired and whether the visit was written, with its user.
var touchSessionSQL = `WITH s AS (
		SELECT ` + sessionColumns + `, last_seen_at < $3 OR created_at < $4 AS expired, last_seen_at < $5 AS stale
		FROM sessions WHERE token_hash = $1 AND ended_at IS NULL
	), visit AS (
		UPDATE sessions x SET
			ended_at = CASE WHEN s.expired THEN $2 ELSE x.ended_at END,
			last_seen_at = CASE WHEN s.expired THEN x.last_seen_at ELSE $2 END
		FROM s WHERE x.id = s.id AND x.ended_at IS NULL AND (s.expired OR s.stale)
	)
	SELECT s.*, ` + userColumnsOf("u") + ` FROM s JOIN users u ON u.id = s.user_id`

// TouchSessionWithUser finds a live session by token hash, records the
// visit and returns the session with its user (whatever the user's status:
// the caller decides), in one statement. A session idle longer than idle,
// or older than absolute, is ended and ENOTFOUND returned.
func (db *DB) TouchSessionWithUser(ctx context.Context, tokenHash []byte, idle, absolute time.Duration) (s *medic.Session, u *medic.User, err error) {
	now := db.now()
	var expired, stale bool
	s, u = &medic.Session{}, &medic.User{}
	b := &pgx.Batch{}
	b.Queue(touchSessionSQL, tokenHash, now, ceilMicro(now.Add(-idle)), ceilMicro(now.Add(-absolute)), ceilMicro(now.Add(-time.Minute))).
		QueryRow(func(row pgx.Row) error {
			return notFound(row.Scan(append(append(sessionFields(s), &expired, &stale), userFields(u)...)...))
		})
	err = db.pipeline(ctx, b) // alone: one round trip, no BEGIN/COMMIT
	if err != nil {
		return nil, nil, err
	}
	if expired {
		return nil, nil, medic.ErrNotFound
	}
	if stale {
		s.LastSeenAt = now
	}
	return s, u, nil
}

// ceilMicro rounds t up to the microsecond, the precision of timestamptz:
// for a stored time x, x < ceilMicro(t) exactly when x < t, so a cutoff
// compared in SQL decides as the same comparison in Go would.
func ceilMicro(t time.Time) time.Time {
	c := t.Truncate(time.Microsecond)
	if c.Before(t) {
		c = c.Add(time.Microsecond)
	}
	return c
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
