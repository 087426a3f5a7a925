package medic

import (
	"context"
	"time"
)

// BookingCode is a one-time code emailed to a patient to verify the email
// address of a public booking. Only a keyed hash of the code is stored.
type BookingCode struct {
	ID         string
	PracticeID string
	Email      string // normalised
	Hash       []byte // HMAC-SHA-256 of the code, keyed per code with Salt
	Salt       []byte
	ExpiresAt  time.Time
	Attempts   int // wrong tries so far
	UsedAt     *time.Time
	IP         string
	CreatedAt  time.Time
}

// PublicBookingService is the store side of public booking, in the practice
// in context.
type PublicBookingService interface {
	CreateBookingCode(ctx context.Context, c *BookingCode) error
	// LockLatestBookingCode returns the newest code for email, locked until
	// the transaction ends; ENOTFOUND if none.
	LockLatestBookingCode(ctx context.Context, email string) (*BookingCode, error)
	// BookingCodeFailed counts a wrong try.
	BookingCodeFailed(ctx context.Context, id string) error
	// UseBookingCode marks the code used.
	UseBookingCode(ctx context.Context, id string, at time.Time) error
	// FindOnlinePatient finds the active chart of this practice with exactly
	// this (normalised) email and date of birth and these names (ignoring
	// case): twins booked from a parent's email are two charts. ENOTFOUND
	// if none. It never looks at another practice's charts.
	FindOnlinePatient(ctx context.Context, email string, dob Date, givenName, familyName string) (*Patient, error)
	// SigningKey returns the platform key called name, storing generate()
	// first if there is none yet (the first caller wins a race).
	SigningKey(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)
}
