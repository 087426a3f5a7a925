package app

import (
	"context"
	"crypto/hmac"
	"errors"
	"regexp"
	"strings"
	"time"

	"medic"
)

// PublicBookingRequest is a patient's booking from the public page.
type PublicBookingRequest struct {
	Email, Code                                   string
	PractitionerID, LocationID, AppointmentTypeID string
	Start                                         time.Time
	GivenName, FamilyName                         string
	DateOfBirth                                   medic.Date
	Phone, Reason                                 string
	IP                                            string
	// Website is the honeypot: a field people never see or fill in. When it
	// is not empty a robot sent the form; nothing is booked.
	Website string
}

// PublicBookingResult is what the patient is told after booking.
type PublicBookingResult struct {
	AppointmentID                            string
	Start, End                               time.Time
	ManageURL                                string // absolute, signed
	PractitionerName, LocationName, TypeName string
	ChangeText                               string // the change-and-cancel rule, as the mail states it
}

var codeRE = regexp.MustCompile(`^[0-9]{6}$`)

// ErrHoneypot answers a form a robot filled in: generic, with no hint.
var ErrHoneypot = &medic.Error{Code: medic.EINVALID, Message: "We could not take this booking. Please call the practice."}

// validate normalises the request and checks its fields, returning the
// chart a new patient would get.
func (in *PublicBookingRequest) validate(today medic.Date) (*medic.Patient, error) {
	f := medic.FieldErrors{}
	email, err := medic.NormalizeEmail(in.Email)
	if err != nil || strings.ContainsAny(in.Email, "\r\n") {
		f.Add("email", "Enter a valid email address.")
	}
	in.Email = email
	in.Code = strings.TrimSpace(in.Code)
	if !codeRE.MatchString(in.Code) {
		f.Add("code", "Enter the 6-digit code we emailed you.")
	}
	for field, v := range map[string]string{"practitioner_id": in.PractitionerID, "location_id": in.LocationID, "appointment_type_id": in.AppointmentTypeID} {
		if v == "" {
			f.Add(field, "Required.")
		}
	}
	if in.Start.IsZero() {
		f.Add("start", "Choose a time.")
	}
	if strings.TrimSpace(in.Phone) == "" {
		f.Add("phone", "Enter your mobile number, such as 082 555 0100.")
	}
	// The reason for the visit becomes the appointment's notes.
	f.MultiLine("reason", &in.Reason, medic.MaxReasonLength)
	p := &medic.Patient{GivenName: in.GivenName, FamilyName: in.FamilyName, DateOfBirth: in.DateOfBirth, Email: email, Phone: in.Phone, Status: medic.PatientActive}
	if err := p.Validate(today); err != nil {
		for k, v := range PublicPatientErrors(err) {
			f.Add(k, v)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	in.GivenName, in.FamilyName, in.Phone = p.GivenName, p.FamilyName, p.Phone
	return p, nil
}

// PublicPatientErrors are the field messages of a chart's validation
// error as the public form words them: it says "First name" and
// "Surname", not the desk's "given name" and "family name".
func PublicPatientErrors(err error) map[string]string {
	said := map[string]string{"given_name": "Enter your first name.", "family_name": "Enter your surname."}
	out := map[string]string{}
	for k, v := range medic.ErrorFields(err) {
		if said[k] != "" && strings.HasPrefix(v, "Enter the") {
			v = said[k]
		}
		out[k] = v
	}
	return out
}

// codeRefusal is the answer to a wrong, used, expired or exhausted code.
func codeRefusal(msg string) error {
	return &medic.Error{Code: medic.EINVALID, Message: msg, Fields: map[string]string{"code": msg}}
}

// ConfirmPublicBooking verifies the code and books, in one transaction:
// the code is consumed, the patient's chart in this practice found (email
// and date of birth) or created, the slot booked under the database
// guarantee, the patient's confirmation and the practice's notification
// queued. A slot that went meanwhile (ErrSlotFull) rolls all of it back, so
// the same code can book another slot. A wrong code is EINVALID on "code",
// and the wrong try is counted. A booking that fails after the code was
// accepted is audited as booking.confirm_failed on its own. Before any of
// it, confirmations are limited per client IP (ETOOMANY, a *RetryError).
func (a *App) ConfirmPublicBooking(ctx context.Context, slug string, in PublicBookingRequest) (*PublicBookingResult, error) {
	if err := a.limitConfirm(ctx, in.IP); err != nil {
		return nil, err
	}
	ctx, p, err := a.publicPractice(ctx, slug)
	if err != nil {
		return nil, err
	}
	if in.Website != "" {
		_ = a.Tx.InTx(ctx, func(ctx context.Context) error {
			return a.Audit.Record(ctx, medic.AuditEvent{Action: "booking.honeypot", EntityType: "appointment", Outcome: medic.OutcomeDenied})
		})
		return nil, ErrHoneypot
	}
	newPatient, err := in.validate(a.today(ctx))
	if err != nil {
		return nil, err
	}
	var refusal error
	var ap *medic.Appointment
	codeAccepted := false
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		c, err := a.BookingCodes.LockLatestBookingCode(ctx, in.Email)
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			refusal = codeRefusal("This code is not valid. Ask for a new one.")
			return a.codeFailed(ctx, "", "no_code")
		} else if err != nil {
			return err
		}
		now := a.now()
		switch {
		case c.UsedAt != nil:
			refusal = codeRefusal("This code was already used. Ask for a new one.")
			return a.codeFailed(ctx, c.ID, "used")
		case !now.Before(c.ExpiresAt):
			refusal = codeRefusal("This code has expired. Ask for a new one.")
			return a.codeFailed(ctx, c.ID, "expired")
		case c.Attempts >= bookingCodeTries:
			refusal = codeRefusal("Too many wrong tries. Ask for a new code.")
			return a.codeFailed(ctx, c.ID, "too_many_tries")
		}
		key, err := a.signingKey(ctx, "booking-code")
		if err != nil {
			return err
		}
		if !hmac.Equal(bookingCodeHash(key, c.Salt, p.ID, in.Email, in.Code), c.Hash) {
			refusal = codeRefusal("This code is not right. Check the email and try again.")
			if err := a.BookingCodes.BookingCodeFailed(ctx, c.ID); err != nil {
				return err
			}
			return a.codeFailed(ctx, c.ID, "wrong")
		}
		if err := a.BookingCodes.UseBookingCode(ctx, c.ID, now); err != nil {
			return err
		}
		codeAccepted = true
		// The chart is looked for in this practice only (the store and RLS
		// fence it); another practice's chart for the same person is never
		// seen, and a new chart here is made instead.
		patient, err := a.BookingCodes.FindOnlinePatient(ctx, in.Email, in.DateOfBirth, newPatient.GivenName, newPatient.FamilyName)
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			patient = newPatient
			if err := a.Patients.CreatePatient(ctx, patient); err != nil {
				return err
			}
			if err := a.auditPatient(ctx, "patient.created", patient.ID, map[string]string{"source": string(medic.SourceOnline)}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		req := BookingRequest{PatientID: patient.ID, PractitionerID: in.PractitionerID, LocationID: in.LocationID, AppointmentTypeID: in.AppointmentTypeID,
			Start: in.Start, Notes: in.Reason, Source: medic.SourceOnline}
		if err := req.validate(); err != nil {
			return err
		}
		if ap, err = a.book(ctx, req, patient); err != nil {
			return err
		}
		if err := a.auditAppointment(ctx, "booking.confirmed", ap, map[string]string{"code_id": c.ID}); err != nil {
			return err
		}
		return a.notifyPractice(ctx, p, ap, patient, medic.NotificationOnlineBooking)
	})
	if err != nil {
		if codeAccepted {
			a.confirmFailed(ctx, in, err)
		}
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	link, err := a.manageURL(ctx, ap)
	if err != nil {
		return nil, err
	}
	return &PublicBookingResult{AppointmentID: ap.ID, Start: ap.Start, End: ap.End, ManageURL: link,
		PractitionerName: ap.PractitionerName, LocationName: ap.LocationName, TypeName: ap.TypeName,
		ChangeText: p.Booking.ChangeRule(ap.Start, a.now()).Sentence(practiceZone(p))}, nil
}

// codeFailed audits a refused code (the transaction then commits only this
// and the counted try).
func (a *App) codeFailed(ctx context.Context, codeID, reason string) error {
	return a.Audit.Record(ctx, medic.AuditEvent{Action: "booking.code_failed", EntityType: "booking_code", EntityID: codeID,
		Outcome: medic.OutcomeFailure, Detail: map[string]string{"reason": reason}})
}

// confirmFailed audits a confirmation that failed after its code was
// accepted (the slot went, the time is not bookable, a field is invalid):
// its transaction rolled back with its audit rows, so this is one event in
// a short transaction of its own. The practitioner and time only; never
// the code, the email or anything of the patient. Best effort: the
// patient's answer is the original error.
func (a *App) confirmFailed(ctx context.Context, in PublicBookingRequest, cause error) {
	reason := "error"
	switch fields := medic.ErrorFields(cause); {
	case errors.Is(cause, medic.ErrSlotFull):
		reason = "slot_taken"
	case medic.ErrorCode(cause) == medic.EINVALID && fields["start"] != "":
		reason = "not_bookable"
	case medic.ErrorCode(cause) == medic.EINVALID:
		reason = "invalid"
	case medic.ErrorCode(cause) == medic.ECONFLICT:
		reason = "conflict"
	}
	detail := map[string]string{"reason": reason, "practitioner_id": in.PractitionerID}
	if !in.Start.IsZero() {
		detail["start"] = in.Start.UTC().Format(time.RFC3339)
	}
	ctx = context.WithoutCancel(ctx)
	_ = a.Tx.InTx(ctx, func(ctx context.Context) error {
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "booking.confirm_failed", EntityType: "appointment",
			Outcome: medic.OutcomeFailure, Detail: detail})
	})
}

// Reference is the booking's short reference (medic.Appointment.Reference).
func (r *PublicBookingResult) Reference() string {
	return (&medic.Appointment{ID: r.AppointmentID}).Reference()
}
