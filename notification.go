package medic

import (
	"context"
	"time"
)

// Kinds of desk notification: a patient booked on the public page, or
// cancelled or moved a booking through the emailed link.
const (
	NotificationOnlineBooking      = "online_booking"
	NotificationOnlineCancellation = "online_cancellation"
	NotificationOnlineReschedule   = "online_reschedule"
)

// Notification tells the desk of a practice that something happened (a
// patient booked online). Title and Body carry no clinical data; a
// patient's name is fine for staff.
type Notification struct {
	ID            string
	PracticeID    string
	Kind          string
	Title         string
	Body          string
	AppointmentID string
	// AdminOnly notifications are listed and counted only for members who
	// manage the practice (a mail that could not be sent).
	AdminOnly bool
	CreatedAt time.Time
	ReadAt    *time.Time
}

// NotificationService stores the desk notifications of the practice in
// context; ENOTFOUND for another practice's.
type NotificationService interface {
	CreateNotification(ctx context.Context, n *Notification) error
	// ListNotifications lists newest first.
	ListNotifications(ctx context.Context, p Page) ([]*Notification, string, error)
	CountUnreadNotifications(ctx context.Context) (int, error)
	// MarkNotificationRead sets ReadAt (once); ENOTFOUND if no such notification.
	MarkNotificationRead(ctx context.Context, id string, at time.Time) error
}
