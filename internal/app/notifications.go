package app

import (
	"context"

	"medic"
)

// Desk notifications are for every member of the practice: each role reads
// appointments, and a notification says no more than the calendar does.

// ListNotifications lists the desk notifications of the practice, newest first.
func (a *App) ListNotifications(ctx context.Context, page medic.Page) ([]*medic.Notification, string, error) {
	if _, err := a.allow(ctx, "notification.list"); err != nil {
		return nil, "", err
	}
	var out []*medic.Notification
	var next string
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Notifications.ListNotifications(ctx, page); err != nil {
			return err
		}
		// A notification names the patient: each one shown is a read.
		es := make([]medic.AuditEvent, len(out))
		for i, n := range out {
			es[i] = medic.AuditEvent{Action: "notification.shown", EntityType: "notification", EntityID: n.ID,
				Detail: map[string]string{"appointment_id": n.AppointmentID}}
		}
		return a.Audit.RecordMany(ctx, es)
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// UnreadNotifications counts the practice's unread desk notifications
// for the badge on every desk page: one indexed count in a read
// (InReadTx), no transaction of its own.
func (a *App) UnreadNotifications(ctx context.Context) (int, error) {
	if _, err := a.allow(ctx, "notification.count"); err != nil {
		return 0, err
	}
	var n int
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		n, err = a.Notifications.CountUnreadNotifications(ctx)
		return err
	})
	return n, err
}

// MarkNotificationRead marks one notification read (for the whole desk);
// ENOTFOUND for another practice's.
func (a *App) MarkNotificationRead(ctx context.Context, id string) error {
	if _, err := a.allow(ctx, "notification.read"); err != nil {
		return err
	}
	return a.Notifications.MarkNotificationRead(ctx, id, a.now())
}
