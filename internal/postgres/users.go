package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"medic"
)

const userColumns = `id, email, name, password_hash, totp_secret, totp_enabled, totp_last_step, is_operator, status, created_at`

// userColumnsOf is userColumns of the users table under alias, for joins.
func userColumnsOf(alias string) string {
	return alias + "." + strings.ReplaceAll(userColumns, ", ", ", "+alias+".")
}

// userFields are the scan targets of userColumns in u.
func userFields(u *medic.User) []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.TOTPSecret, &u.TOTPEnabled, &u.TOTPLastStep, &u.IsOperator, &u.Status, &u.CreatedAt}
}

func scanUser(row pgx.Row) (*medic.User, error) {
	var u medic.User
	err := row.Scan(userFields(&u)...)
	if err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// FindUserByEmail returns ENOTFOUND if no user has that email.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (u *medic.User, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE lower(email) = lower($1)`, email))
		return err
	})
	return u, err
}

// FindUserByID returns ENOTFOUND if no user has that id.
func (db *DB) FindUserByID(ctx context.Context, id string) (u *medic.User, err error) {
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
		return err
	})
	return u, err
}

// CreateUser inserts u and sets its id; ECONFLICT if the email is taken.
func (db *DB) CreateUser(ctx context.Context, u *medic.User) error {
	if u.Status == "" {
		u.Status = medic.UserActive
	}
	err := db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO users (email, name, password_hash, is_operator, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id, created_at`,
			u.Email, u.Name, u.PasswordHash, u.IsOperator, u.Status, db.now()).Scan(&u.ID, &u.CreatedAt)
	})
	if isUniqueViolation(err, "users_email_key") {
		return &medic.Error{Code: medic.ECONFLICT, Message: "An account with this email already exists.", Fields: map[string]string{"email": "An account with this email already exists."}}
	}
	return err
}

// UpdateUserProfile saves the name.
func (db *DB) UpdateUserProfile(ctx context.Context, id, name string) error {
	return db.exec1(ctx, `UPDATE users SET name = $2, updated_at = $3 WHERE id = $1`, id, name, db.now())
}

// SetPassword stores a new password hash.
func (db *DB) SetPassword(ctx context.Context, id, hash string) error {
	return db.exec1(ctx, `UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1`, id, hash, db.now())
}

// ReplacePasswordHash stores hash if the user's hash is still old; a hash
// changed meanwhile (a reset, a change) is left alone.
func (db *DB) ReplacePasswordHash(ctx context.Context, id, old, hash string) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET password_hash = $3, updated_at = $4 WHERE id = $1 AND password_hash = $2`, id, old, hash, db.now())
		return err
	})
}

// SetOperator grants or removes the platform operator role.
func (db *DB) SetOperator(ctx context.Context, id string, on bool) error {
	return db.exec1(ctx, `UPDATE users SET is_operator = $2, updated_at = $3 WHERE id = $1`, id, on, db.now())
}

// SetTOTP stores a (pending or enabled) TOTP secret; an empty secret turns
// 2FA off. With 2FA not enabled the user's recovery codes are deleted too:
// they only exist alongside an enabled second factor.
func (db *DB) SetTOTP(ctx context.Context, id, secret string, enabled bool) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.exec1(ctx, `UPDATE users SET totp_secret = $2, totp_enabled = $3, totp_last_step = 0, updated_at = $4 WHERE id = $1`, id, secret, enabled, db.now()); err != nil {
			return err
		}
		if enabled {
			return nil
		}
		_, err := db.DeleteRecoveryCodes(ctx, id)
		return err
	})
}

// UseTOTPStep records the last accepted TOTP step, refusing a replay: it
// fails with EUNAUTHORIZED unless step is newer than the stored one.
func (db *DB) UseTOTPStep(ctx context.Context, id string, step int64) error {
	err := db.exec1(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, id, step)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return medic.Errorf(medic.EUNAUTHORIZED, "That code was already used. Wait for the next one.")
	}
	return err
}

// exec1 runs a statement that must change exactly one row, else ENOTFOUND.
func (db *DB) exec1(ctx context.Context, sql string, args ...any) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return medic.ErrNotFound
		}
		return nil
	})
}
