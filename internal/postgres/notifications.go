package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

const notificationColumns = `id, practice_id, kind, title, body, coalesce(appointment_id::text, ''), admin_only, created_at, read_at`

func scanNotification(row pgx.Row, extra ...any) (*medic.Notification, error) {
	var n medic.Notification
	if err := row.Scan(append([]any{&n.ID, &n.PracticeID, &n.Kind, &n.Title, &n.Body, &n.AppointmentID, &n.AdminOnly, &n.CreatedAt, &n.ReadAt}, extra...)...); err != nil {
		return nil, notFound(err)
	}
	return &n, nil
}

// CreateNotification inserts n into the practice in context.
func (db *DB) CreateNotification(ctx context.Context, n *medic.Notification) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	n.PracticeID = pid
	return db.do(ctx, func(tx pgx.Tx) error {
		return refNotFound(tx.QueryRow(ctx, `INSERT INTO notifications (practice_id, kind, title, body, appointment_id, admin_only, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at`,
			pid, n.Kind, n.Title, n.Body, nullID(n.AppointmentID), n.AdminOnly, db.now()).Scan(&n.ID, &n.CreatedAt))
	})
}

// ListNotifications pages through the practice's notifications, newest first.
func (db *DB) ListNotifications(ctx context.Context, page medic.Page) (ns []*medic.Notification, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var before int64
	if page.Cursor != "" {
		if err := decodeCursor(page.Cursor, &before); err != nil {
			return nil, "", err
		}
	}
	var seqs []int64
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		seqs = seqs[:0]
		ns, err = queryAll(ctx, tx, func(row pgx.Row) (*medic.Notification, error) {
			var seq int64
			n, err := scanNotification(row, &seq)
			seqs = append(seqs, seq)
			return n, err
		}, `SELECT `+notificationColumns+`, seq FROM notifications
			WHERE practice_id = $1 AND ($2::bigint = 0 OR seq < $2::bigint) AND (NOT admin_only OR $4)
			ORDER BY seq DESC LIMIT $3`, pid, before, page.Limit+1, seesAdminOnly(ctx))
		return err
	})
	if len(ns) > page.Limit {
		ns = ns[:page.Limit]
		next = encodeCursor(seqs[page.Limit-1])
	}
	return ns, next, err
}

// CountUnreadNotifications counts the practice's unread notifications.
func (db *DB) CountUnreadNotifications(ctx context.Context) (n int, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return 0, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE practice_id = $1 AND read_at IS NULL AND (NOT admin_only OR $2)`, pid, seesAdminOnly(ctx)).Scan(&n)
	})
	return n, err
}

// MarkNotificationRead sets read_at once; ENOTFOUND for another practice's.
func (db *DB) MarkNotificationRead(ctx context.Context, id string, at time.Time) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `UPDATE notifications SET read_at = coalesce(read_at, $3) WHERE practice_id = $1 AND id = $2 AND (NOT admin_only OR $4)`, pid, id, at, seesAdminOnly(ctx))
}

// seesAdminOnly reports whether the member in ctx sees admin-only
// notifications: those who manage the practice.
func seesAdminOnly(ctx context.Context) bool {
	t, _ := medic.TenantFrom(ctx)
	return t.Can(medic.PermSettingsManage)
}
