package postgres

import (
	"context"
	"encoding/hex"
	"strings"

	"github.com/jackc/pgx/v5"

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

// FindAPITokenWithUser finds a live token by the hash of its secret
// (visible only to whoever presents it), with its user (whatever the
// user's status: the caller decides), and records its use; ENOTFOUND if
// unknown, revoked or expired. Two round trips (outside a use case, each
// its own implicit transaction): the read outside any practice (by_token
// policy), then the write in the token's practice (tenant policy).
func (db *DB) FindAPITokenWithUser(ctx context.Context, tokenHash []byte) (t *medic.APIToken, u *medic.User, err error) {
	now := db.now()
	err = func() error {
		t, u = &medic.APIToken{}, &medic.User{}
		find := &pgx.Batch{}
		find.Queue(`SELECT set_config('app.token_hash', $1, true)`, hex.EncodeToString(tokenHash))
		find.Queue(`SELECT `+tokenColumnsOf("t")+`, `+userColumnsOf("u")+` FROM api_tokens t JOIN users u ON u.id = t.user_id
			WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)`, tokenHash, now).
			QueryRow(func(row pgx.Row) error {
				return notFound(row.Scan(append(tokenFields(t), userFields(u)...)...))
			})
		find.Queue(`SELECT set_config('app.token_hash', '', true)`)
		if err := db.pipeline(withTenant(ctx, ""), find); err != nil {
			return err
		}
		use := &pgx.Batch{}
		use.Queue(`UPDATE api_tokens SET last_used_at = $3 WHERE practice_id = $1 AND id = $2`, t.PracticeID, t.ID, now)
		return db.pipeline(withTenant(ctx, t.PracticeID), use)
	}()
	if err != nil {
		return nil, nil, err
	}
	return t, u, nil
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
