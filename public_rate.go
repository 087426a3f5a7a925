package medic

import (
	"context"
	"time"
)

// Kinds of platform-wide rate events: what an anonymous visitor asked for,
// keyed by what. Counted across every practice.
const (
	RateBookingCodeEmail = "booking_code_email"  // a booking code, by email address
	RateBookingCodeIP    = "booking_code_ip"     // a booking code, by client IP (IPv6 per /64)
	RateBookingConfirmIP = "booking_confirm_ip"  // a booking confirmation (code check), by client IP
	RateManageLinkIP     = "manage_link_ip"      // a manage-link view, cancel or move, by client IP
	RateSickNoteVerifyIP = "sick_note_verify_ip" // a sick note's public verification, by client IP
)

// PublicRateService counts what anonymous visitors ask of the platform,
// across every practice: a platform store, outside any tenant. Keys are
// keyed hashes (32 bytes), never an email address or IP in clear.
type PublicRateService interface {
	// LockPublicRate serialises requests for (kind, key) until the
	// transaction ends, so concurrent requests cannot both pass a limit.
	// Callers lock in one fixed order of kinds, so two never deadlock.
	LockPublicRate(ctx context.Context, kind string, key []byte) error
	// CountPublicRate counts the events for (kind, key) made after since,
	// and when the oldest of them was made (zero if none).
	CountPublicRate(ctx context.Context, kind string, key []byte, since time.Time) (n int, oldest time.Time, err error)
	// RecordPublicRate records one event for (kind, key) now, and forgets
	// events older than a day.
	RecordPublicRate(ctx context.Context, kind string, key []byte) error
}
