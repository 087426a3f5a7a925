package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"medic"
)

// Recovery codes are platform data (keyed by user, no practice, no RLS),
// like users and sessions. Only SHA-256 hashes of the codes are stored.

// ReplaceRecoveryCodes deletes the user's codes, used or not, and stores
// hashes as the new set, in one transaction.
func (db *DB) ReplaceRecoveryCodes(ctx context.Context, id string, hashes [][]byte) error {
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	now := db.now()
	return db.do(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at)
			SELECT $1, h, $3 FROM unnest($2::bytea[]) AS h`, id, hashes, now)
		return err
	})
}

// UseRecoveryCode marks an unused code used. The conditional UPDATE takes
// the row lock, so of two concurrent uses the second finds used_at set and
// changes nothing: EUNAUTHORIZED, like an unknown code.
func (db *DB) UseRecoveryCode(ctx context.Context, id string, hash []byte) error {
	if !isUUID(id) || len(hash) == 0 {
		return errRecoveryCode
	}
	err := db.exec1(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, id, hash, db.now())
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return errRecoveryCode
	}
	return err
}

var errRecoveryCode = &medic.Error{Code: medic.EUNAUTHORIZED, Message: "That recovery code is not right or was already used."}

// CountRecoveryCodes returns how many unused codes the user has.
func (db *DB) CountRecoveryCodes(ctx context.Context, id string) (n int, err error) {
	if !isUUID(id) {
		return 0, nil
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, id).Scan(&n)
	})
	return n, err
}

// DeleteRecoveryCodes deletes every code of the user (2FA turned off) and
// returns how many of them were unused.
func (db *DB) DeleteRecoveryCodes(ctx context.Context, id string) (unused int, err error) {
	if !isUUID(id) {
		return 0, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `WITH d AS (DELETE FROM recovery_codes WHERE user_id = $1 RETURNING used_at)
			SELECT count(*) FROM d WHERE used_at IS NULL`, id).Scan(&unused)
	})
	return unused, err
}
