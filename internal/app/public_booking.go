package app

import (
	"context"
	"time"

	"medic"
)

// PublicBookingInfo is what the public booking page of a practice shows.
type PublicBookingInfo struct {
	Practice      *medic.Practice          // active only
	Locations     []*medic.Location        // active
	Practitioners []*medic.Practitioner    // active, with location assignments
	Types         []*medic.AppointmentType // active and online-bookable
}

// PublicBooking loads the public booking page of the practice with slug:
// ENOTFOUND for an unknown slug, EUNAVAILABLE for a suspended practice.
func (a *App) PublicBooking(ctx context.Context, slug string) (*PublicBookingInfo, error) {
	return nil, medic.Errorf(medic.EUNAVAILABLE, "Not yet.")
}

// PublicAvailability lists the open online slots of the practice with slug.
func (a *App) PublicAvailability(ctx context.Context, slug string, q AvailabilityQuery) ([]medic.Slot, error) {
	return nil, medic.Errorf(medic.EUNAVAILABLE, "Not yet.")
}

// BookingCodeRequest asks for a code to verify an email address.
type BookingCodeRequest struct{ Email, IP string }

// RequestBookingCode emails a 6-digit code to in.Email.
func (a *App) RequestBookingCode(ctx context.Context, slug string, in BookingCodeRequest) error {
	return medic.Errorf(medic.EUNAVAILABLE, "Not yet.")
}

// PublicBookingRequest is a patient's booking from the public page.
type PublicBookingRequest struct {
	Email, Code                                   string
	PractitionerID, LocationID, AppointmentTypeID string
	Start                                         time.Time
	GivenName, FamilyName                         string
	DateOfBirth                                   medic.Date
	Phone, Reason                                 string
	IP                                            string
}

// PublicBookingResult is what the patient is told after booking.
type PublicBookingResult struct {
	AppointmentID                            string
	Start, End                               time.Time
	ManageURL                                string // absolute, signed
	PractitionerName, LocationName, TypeName string
}

// ConfirmPublicBooking verifies the code and books, atomically.
func (a *App) ConfirmPublicBooking(ctx context.Context, slug string, in PublicBookingRequest) (*PublicBookingResult, error) {
	return nil, medic.Errorf(medic.EUNAVAILABLE, "Not yet.")
}

// ManagedBooking is a booking as its patient sees it through the signed link.
type ManagedBooking struct {
	Practice                                      *medic.Practice
	AppointmentID                                 string
	PractitionerID, LocationID, AppointmentTypeID string
	Start, End                                    time.Time
	Status                                        medic.AppointmentStatus
	PractitionerName, LocationName, TypeName      string
	CanChange                                     bool // booked, and now is before Start - cancellation window
	ChangeDeadline                                time.Time
}

// ManagedBooking returns the booking a signed link names; ENOTFOUND for a
// bad, forged or expired token.
func (a *App) ManagedBooking(ctx context.Context, token string) (*ManagedBooking, error) {
	return nil, medic.ErrNotFound
}

// CancelManagedBooking cancels the booking a signed link names.
func (a *App) CancelManagedBooking(ctx context.Context, token, reason string) (*ManagedBooking, error) {
	return nil, medic.ErrNotFound
}

// RescheduleManagedBooking moves the booking a signed link names.
func (a *App) RescheduleManagedBooking(ctx context.Context, token string, start time.Time) (*ManagedBooking, error) {
	return nil, medic.ErrNotFound
}
