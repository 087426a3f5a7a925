package postgres

import (
	"context"
	"encoding/hex"

	"github.com/jackc/pgx/v5"

	"medic"
)

const tokenColumns = `id, practice_id, user_id, name, created_at, last_used_at, expires_at, revoked_at`

func scanToken(row pgx.Row) (*medic.APIToken, error) {
	var t medic.APIToken
	err := row.Scan(&t.ID, &t.PracticeID, &t.UserID, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.ExpiresAt, &t.RevokedAt)
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

// FindAPIToken finds a live token by the hash of its secret (visible only to
// whoever presents it) and records its use; ENOTFOUND if unknown, revoked or expired.
func (db *DB) FindAPIToken(ctx context.Context, tokenHash []byte) (t *medic.APIToken, err error) {
	now := db.now()
	err = db.InTx(ctx, func(ctx context.Context) error {
		err := db.do(withTenant(ctx, ""), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('app.token_hash', $1, true)`, hex.EncodeToString(tokenHash)); err != nil {
				return err
			}
			t, err = scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens
				WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`, tokenHash, now))
			_, err2 := tx.Exec(ctx, `SELECT set_config('app.token_hash', '', true)`)
			if err == nil {
				err = err2
			}
			return err
		})
		if err != nil {
			return err
		}
		return db.do(withTenant(ctx, t.PracticeID), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE api_tokens SET last_used_at = $3 WHERE practice_id = $1 AND id = $2`, t.PracticeID, t.ID, now)
			return err
		})
	})
	return t, err
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
