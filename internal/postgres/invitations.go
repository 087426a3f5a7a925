package postgres

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// CreateInvitation stores an invitation (with the hash of its emailed secret)
// in the practice in context.
func (db *DB) CreateInvitation(ctx context.Context, inv *medic.Invitation, tokenHash []byte) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	inv.PracticeID = pid
	return db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO invitations (practice_id, email, role, token_hash, invited_by, expires_at, created_at)
			VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid, $6, $7) RETURNING id, created_at`,
			pid, inv.Email, inv.Role, tokenHash, inv.InvitedBy, inv.ExpiresAt, db.now()).Scan(&inv.ID, &inv.CreatedAt)
	})
}

// ListPendingInvitations lists open invitations of the practice in context.
func (db *DB) ListPendingInvitations(ctx context.Context) (out []*medic.Invitation, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, practice_id, email, role, coalesce(invited_by::text, ''), expires_at, accepted_at, created_at
			FROM invitations WHERE practice_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY created_at DESC`, pid, db.now())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i medic.Invitation
			if err := rows.Scan(&i.ID, &i.PracticeID, &i.Email, &i.Role, &i.InvitedBy, &i.ExpiresAt, &i.AcceptedAt, &i.CreatedAt); err != nil {
				return err
			}
			out = append(out, &i)
		}
		return rows.Err()
	})
	return out, err
}

// FindInvitationByToken finds an open invitation by the hash of its secret,
// in whichever practice it belongs to; ENOTFOUND if unknown, used or expired.
func (db *DB) FindInvitationByToken(ctx context.Context, tokenHash []byte) (inv *medic.Invitation, err error) {
	err = db.do(withTenant(ctx, ""), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('app.token_hash', $1, true)`, hex.EncodeToString(tokenHash)); err != nil {
			return err
		}
		var i medic.Invitation
		err := tx.QueryRow(ctx, `SELECT id, practice_id, email, role, coalesce(invited_by::text, ''), expires_at, accepted_at, created_at
			FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2`, tokenHash, db.now()).
			Scan(&i.ID, &i.PracticeID, &i.Email, &i.Role, &i.InvitedBy, &i.ExpiresAt, &i.AcceptedAt, &i.CreatedAt)
		if _, err2 := tx.Exec(ctx, `SELECT set_config('app.token_hash', '', true)`); err == nil {
			err = err2
		}
		inv = &i
		return notFound(err)
	})
	return inv, err
}

// MarkInvitationAccepted closes an invitation of the practice in context;
// ENOTFOUND if it was accepted meanwhile (single use).
func (db *DB) MarkInvitationAccepted(ctx context.Context, id string, at time.Time) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.exec1(ctx, `UPDATE invitations SET accepted_at = $3 WHERE practice_id = $1 AND id = $2 AND accepted_at IS NULL`, pid, id, at)
}

// RevokeInvitation deletes an open invitation of the practice in context.
func (db *DB) RevokeInvitation(ctx context.Context, id string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `DELETE FROM invitations WHERE practice_id = $1 AND id = $2 AND accepted_at IS NULL`, pid, id)
}
