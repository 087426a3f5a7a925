package app

import (
	"context"
	"time"

	"medic"
)

// ManagedBooking is a booking as its patient sees it through the signed link.
type ManagedBooking struct {
	Practice                                      *medic.Practice
	AppointmentID                                 string
	PractitionerID, LocationID, AppointmentTypeID string
	Start, End                                    time.Time
	Status                                        medic.AppointmentStatus
	PractitionerName, LocationName, TypeName      string
	CanChange                                     bool // booked, and the change rule is open
	ChangeDeadline                                time.Time
	// ChangeText states the practice's change-and-cancel rule for this
	// appointment, in the words of the done page and the mail.
	ChangeText string
}

// managed opens the booking a signed link names, in its practice's tenant:
// ENOTFOUND for a bad, forged or expired token (all alike), EUNAVAILABLE
// when the practice is suspended.
func (a *App) managed(ctx context.Context, token string) (context.Context, *medic.Practice, string, error) {
	key, err := a.signingKey(ctx, "manage-link")
	if err != nil {
		return ctx, nil, "", err
	}
	apID, practiceID, ok := verifyManageToken(key, token, a.now())
	if !ok {
		return ctx, nil, "", medic.ErrNotFound
	}
	p, err := a.Practices.FindPracticeByRef(ctx, practiceID)
	if err != nil {
		return ctx, nil, "", err
	}
	if p.Status != medic.PracticeActive {
		return ctx, nil, "", medic.Errorf(medic.EUNAVAILABLE, "This practice is not available at the moment.")
	}
	return publicTenant(ctx, p), p, apID, nil
}

func (a *App) toManaged(p *medic.Practice, ap *medic.Appointment) *ManagedBooking {
	rule := p.Booking.ChangeRule(ap.Start, a.now())
	return &ManagedBooking{Practice: p, AppointmentID: ap.ID, PractitionerID: ap.PractitionerID, LocationID: ap.LocationID, AppointmentTypeID: ap.AppointmentTypeID,
		Start: ap.Start, End: ap.End, Status: ap.Status, PractitionerName: ap.PractitionerName, LocationName: ap.LocationName, TypeName: ap.TypeName,
		CanChange: ap.Status == medic.StatusBooked && rule.Open, ChangeDeadline: rule.Deadline, ChangeText: rule.Sentence(practiceZone(p))}
}

// ManagedBooking returns the booking a signed link names; ENOTFOUND for a
// bad, forged or expired token. The view is audited. Manage-link requests
// (this, cancel, reschedule) are limited per client IP first (ETOOMANY, a
// *RetryError).
func (a *App) ManagedBooking(ctx context.Context, token, ip string) (*ManagedBooking, error) {
	if err := a.limitManageLink(ctx, ip); err != nil {
		return nil, err
	}
	ctx, p, apID, err := a.managed(ctx, token)
	if err != nil {
		return nil, err
	}
	var out *ManagedBooking
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		ap, err := a.Appointments.FindAppointment(ctx, apID)
		if err != nil {
			return err
		}
		out = a.toManaged(p, ap)
		return a.auditAppointment(ctx, "booking.managed_viewed", ap, nil)
	})
	return out, err
}

// tooLate refuses a change inside the practice's cancellation window.
func tooLate(p *medic.Practice, mb *ManagedBooking) error {
	if mb.Status != medic.StatusBooked {
		return medic.Errorf(medic.ECONFLICT, "This appointment is %s and can no longer be changed.", label(mb.Status))
	}
	msg := "It is too late to change this appointment online"
	if p.Phone != "" {
		msg += "; please call " + p.Name + " on " + p.Phone
	} else {
		msg += "; please contact " + p.Name
	}
	return medic.Errorf(medic.ECONFLICT, "%s.", msg)
}

// CancelManagedBooking cancels the booking a signed link names, up to the
// practice's cancellation window before it starts; limited per client IP.
func (a *App) CancelManagedBooking(ctx context.Context, token, reason, ip string) (*ManagedBooking, error) {
	if err := a.limitManageLink(ctx, ip); err != nil {
		return nil, err
	}
	ctx, p, apID, err := a.managed(ctx, token)
	if err != nil {
		return nil, err
	}
	if reason, err = medic.Line(reason, medic.MaxReasonLength); err != nil {
		return nil, &medic.Error{Code: medic.EINVALID, Message: medic.ErrorMessage(err), Fields: map[string]string{"reason": medic.ErrorMessage(err)}}
	}
	if reason == "" {
		reason = "Cancelled by the patient online."
	}
	var out *ManagedBooking
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		ap, err := a.Appointments.FindAppointment(ctx, apID)
		if err != nil {
			return err
		}
		if mb := a.toManaged(p, ap); !mb.CanChange {
			return tooLate(p, mb)
		}
		if err := a.Appointments.SetAppointmentStatus(ctx, ap.ID, medic.StatusBooked, medic.StatusCancelled, reason); err != nil {
			return err
		}
		if err := a.auditAppointment(ctx, "appointment.cancelled", ap, map[string]string{"from": string(medic.StatusBooked), "to": string(medic.StatusCancelled), "by": "patient_link"}); err != nil {
			return err
		}
		if ap, err = a.Appointments.FindAppointment(ctx, apID); err != nil {
			return err
		}
		patient, err := a.Patients.FindPatient(ctx, ap.PatientID)
		if err != nil {
			return err
		}
		if err := a.notifyBooking(ctx, p, ap, patient, "cancelled"); err != nil {
			return err
		}
		if err := a.notifyPractice(ctx, p, ap, patient, medic.NotificationOnlineCancellation); err != nil {
			return err
		}
		out = a.toManaged(p, ap)
		return nil
	})
	return out, err
}

// RescheduleManagedBooking moves the booking a signed link names to another
// open online slot of the same practitioner, location and type, up to the
// cancellation window before its current start. A slot that went is
// ErrSlotFull and leaves the booking where it was. Limited per client IP.
func (a *App) RescheduleManagedBooking(ctx context.Context, token string, start time.Time, ip string) (*ManagedBooking, error) {
	if err := a.limitManageLink(ctx, ip); err != nil {
		return nil, err
	}
	ctx, p, apID, err := a.managed(ctx, token)
	if err != nil {
		return nil, err
	}
	if start.IsZero() {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Choose the new time.", Fields: map[string]string{"start": "Choose the new time."}}
	}
	var out *ManagedBooking
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		ap, err := a.Appointments.FindAppointment(ctx, apID)
		if err != nil {
			return err
		}
		if mb := a.toManaged(p, ap); !mb.CanChange {
			return tooLate(p, mb)
		}
		// The desk's move, as an online booking (no staff actor: the online
		// lead time applies); it audits and emails the patient.
		if ap, err = a.reschedule(ctx, apID, start, "", ""); err != nil {
			return err
		}
		patient, err := a.Patients.FindPatient(ctx, ap.PatientID)
		if err != nil {
			return err
		}
		if err := a.notifyPractice(ctx, p, ap, patient, medic.NotificationOnlineReschedule); err != nil {
			return err
		}
		out = a.toManaged(p, ap)
		return nil
	})
	return out, err
}

// ManageLinkPractice returns the active practice a signed link belongs to
// (the JSON API answers CORS with its origins); ENOTFOUND for a bad token.
func (a *App) ManageLinkPractice(ctx context.Context, token string) (*medic.Practice, error) {
	_, p, _, err := a.managed(ctx, token)
	return p, err
}

// Reference is the booking's short reference (medic.Appointment.Reference).
func (b *ManagedBooking) Reference() string {
	return (&medic.Appointment{ID: b.AppointmentID}).Reference()
}
