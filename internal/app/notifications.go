package app

import (
	"context"

	"medic"
)

// ListNotifications lists the desk notifications of the practice, newest first.
func (a *App) ListNotifications(ctx context.Context, page medic.Page) ([]*medic.Notification, string, error) {
	return nil, "", medic.ErrNotFound
}

// UnreadNotifications counts the practice's unread desk notifications.
func (a *App) UnreadNotifications(ctx context.Context) (int, error) {
	return 0, medic.ErrNotFound
}

// MarkNotificationRead marks one notification read; ENOTFOUND for another
// practice's.
func (a *App) MarkNotificationRead(ctx context.Context, id string) error {
	return medic.ErrNotFound
}
