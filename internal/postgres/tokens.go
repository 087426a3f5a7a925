package postgres

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"medic"
)

const tokenColumns = `id, practice_id, user_id, name, created_at, last_used_at, expires_at, revoked_at`

// tokenColumnsOf is tokenColumns of api_tokens under alias, for joins.
func tokenColumnsOf(alias string) string {
	return alias + "." + strings.ReplaceAll(tokenColumns, ", ", ", "+alias+".")
}

// tokenFields are the scan targets of tokenColumns in t.
func tokenFields(t *medic.APIToken) []any {
	return []any{&t.ID, &t.PracticeID, &t.UserID, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.ExpiresAt, &t.RevokedAt}
}

func scanToken(row pgx.Row) (*medic.APIToken, error) {
	var t medic.APIToken
	err := row.Scan(tokenFields(&t)...)
	if err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// CreateAPIToken stores a token for the actor in the practice in context.
func (db *DB) CreateAPIToken(ctx context.Context, t *medic.APIToken, tokenHash []byte) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	t.PracticeID = pid
	return db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO api_tokens (practice_id, user_id, name, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING id, created_at`, pid, t.UserID, t.Name, tokenHash, t.ExpiresAt, db.now()).Scan(&t.ID, &t.CreatedAt)
	})
}

// tokenUseInterval is how often a token's last use is recorded at most,
// like a session's last visit: every request of an integration rewriting
// the one token row made them all queue on its row lock.
const tokenUseInterval = time.Minute

// recordTokenUseSQL records a token's use ($3) when the last recorded use
// is older than $4, and never waits: a row locked by another transaction
// (a concurrent request recording the same use, a revocation) is skipped.
const recordTokenUseSQL = `UPDATE api_tokens SET last_used_at = $3
	WHERE practice_id = $1 AND id = (SELECT id FROM api_tokens
		WHERE practice_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < $4)
		FOR UPDATE SKIP LOCKED)`

// FindAPITokenWithUser finds a live token by the hash of its secret
// (visible only to whoever presents it), with its user (whatever the
// user's status: the caller decides), its practice and the user's
// membership there; ENOTFOUND if unknown or revoked, ErrTokenExpired if
// expired (exactly at its expiry instant, as the clock says). One round
// trip: the token is read outside any practice (by_token policy), then the
// pipeline sets the tenant to the token's practice and reads the practice
// and the membership under the tenant policy. At most once a minute per
// token a second round trip records the use in the token's practice,
// skipping it rather than waiting when the row is locked.
func (db *DB) FindAPITokenWithUser(ctx context.Context, tokenHash []byte) (*medic.TokenSignIn, error) {
	now := db.now()
	cutoff := ceilMicro(now.Add(-tokenUseInterval))
	var stale bool
	in := &medic.TokenSignIn{Token: &medic.APIToken{}, User: &medic.User{}}
	t := in.Token
	find := &pgx.Batch{}
	find.Queue(`SELECT set_config('app.token_hash', $1, true)`, hex.EncodeToString(tokenHash))
	find.Queue(`SELECT `+tokenColumnsOf("t")+`, `+userColumnsOf("u")+`, t.last_used_at IS NULL OR t.last_used_at < $2
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, tokenHash, cutoff).
		QueryRow(func(row pgx.Row) error {
			return notFound(row.Scan(append(append(tokenFields(t), userFields(in.User)...), &stale)...))
		})
	// Into the token's practice ('' if none was found: no practice, no rows).
	find.Queue(`SELECT set_config('app.practice_id', coalesce((SELECT practice_id::text FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL), ''), true),
		set_config('app.token_hash', '', true)`, tokenHash)
	find.Queue(`SELECT ` + practiceColumns + ` FROM practices WHERE id = current_practice_id()`).QueryRow(func(row pgx.Row) (err error) {
		in.Practice, err = scanPractice(row)
		return err
	})
	find.Queue(`SELECT `+memberColumns+` FROM members m JOIN users u ON u.id = m.user_id
		WHERE m.practice_id = current_practice_id()
			AND m.user_id = (SELECT user_id FROM api_tokens WHERE practice_id = current_practice_id() AND token_hash = $1)`, tokenHash).QueryRow(func(row pgx.Row) (err error) {
		in.Member, err = scanMember(row)
		return absent(err)
	})
	find.Queue(`SELECT set_config('app.practice_id', '', true)`)
	if err := db.pipeline(withTenant(ctx, ""), find); err != nil {
		return nil, err
	}
	if !t.ExpiresAt.After(now) {
		return nil, medic.ErrTokenExpired
	}
	if stale {
		use := &pgx.Batch{}
		use.Queue(recordTokenUseSQL, t.PracticeID, t.ID, now, cutoff).Exec(func(ct pgconn.CommandTag) error {
			if ct.RowsAffected() == 1 {
				t.LastUsedAt = &now
			}
			return nil
		})
		if err := db.pipeline(withTenant(ctx, t.PracticeID), use); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// ListAPITokens lists the user's tokens in every practice (own_tokens policy).
func (db *DB) ListAPITokens(ctx context.Context, userID string) (out []*medic.APIToken, err error) {
	err = db.do(withTenant(ctx, ""), func(tx pgx.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanToken, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC`, userID)
		return err
	})
	return out, err
}

// RevokeAPIToken revokes one of userID's tokens in the practice in context;
// ENOTFOUND if it is not theirs there.
func (db *DB) RevokeAPIToken(ctx context.Context, userID, id string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `UPDATE api_tokens SET revoked_at = $4 WHERE practice_id = $1 AND id = $2 AND user_id = $3 AND revoked_at IS NULL`, pid, id, userID, db.now())
}

// ExpiringAPITokens lists the live tokens due for their expiry notice, in
// every practice: one query per practice under its tenant setting (the
// tenant policy is the only one that shows another user's tokens). It runs
// once an hour, so a round trip per practice is cheap.
func (db *DB) ExpiringAPITokens(ctx context.Context, now, before time.Time) (out []medic.ExpiringToken, err error) {
	var practices []string
	err = db.do(withTenant(ctx, ""), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id::text FROM practices WHERE status = 'active' ORDER BY id`)
		if err != nil {
			return err
		}
		practices, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list practices: %w", err)
	}
	for _, pid := range practices {
		b := &pgx.Batch{}
		b.Queue(`SELECT `+tokenColumnsOf("t")+`, u.email, u.name, p.name
			FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN practices p ON p.id = t.practice_id
			WHERE t.practice_id = $1 AND t.expiry_notified_at IS NULL AND t.revoked_at IS NULL
				AND t.expires_at > $2 AND t.expires_at <= $3 AND t.expires_at - t.created_at > $4 * interval '1 second'
				AND u.status = 'active'
			ORDER BY t.expires_at, t.id`, pid, now, before, int64(medic.TokenExpiryNotice/time.Second)).
			Query(func(rows pgx.Rows) error {
				for rows.Next() {
					e := medic.ExpiringToken{Token: &medic.APIToken{}}
					if err := rows.Scan(append(tokenFields(e.Token), &e.Email, &e.UserName, &e.PracticeName)...); err != nil {
						return err
					}
					out = append(out, e)
				}
				return rows.Err()
			})
		if err := db.pipeline(withTenant(ctx, pid), b); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MarkTokenExpiryNotified records that the owner of a token of the practice
// in context was told of its expiry; ENOTFOUND when that was already done,
// so concurrent checks notify once.
func (db *DB) MarkTokenExpiryNotified(ctx context.Context, id string, at time.Time) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.exec1(ctx, `UPDATE api_tokens SET expiry_notified_at = $3 WHERE practice_id = $1 AND id = $2 AND expiry_notified_at IS NULL`, pid, id, at)
}
