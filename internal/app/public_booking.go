package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/auth"
)

// Public booking limits (issue 4): a code is 6 digits from a CSPRNG, valid
// 10 minutes, single use, refused after 5 wrong tries; at most 3 codes per
// email and per IP (IPv6: per /64) per 10 minutes, across all practices.
const (
	bookingCodeDigits   = 6
	bookingCodeValidity = 10 * time.Minute
	bookingCodeTries    = 5
	bookingCodeLimit    = 3
	bookingCodeWindow   = 10 * time.Minute
)

// PublicBookingInfo is what the public booking page of a practice shows.
type PublicBookingInfo struct {
	Practice      *medic.Practice          // active only
	Locations     []*medic.Location        // active
	Practitioners []*medic.Practitioner    // active, with location assignments
	Types         []*medic.AppointmentType // active and online-bookable
}

// RetryError is a refusal (ETOOMANY) that says when to try again.
type RetryError struct {
	Err   *medic.Error
	After time.Duration
}

func (e *RetryError) Error() string { return e.Err.Error() }
func (e *RetryError) Unwrap() error { return e.Err }

// publicPractice enters the practice with slug for an anonymous patient:
// ENOTFOUND for an unknown slug, EUNAVAILABLE for a suspended practice.
// The store still takes the tenant from context and RLS fences every read;
// the actor is nobody, whoever may be signed in on this browser.
func (a *App) publicPractice(ctx context.Context, slug string) (context.Context, *medic.Practice, error) {
	p, err := a.PublicPractice(ctx, slug)
	if err != nil {
		return ctx, nil, err
	}
	return publicTenant(ctx, p), p, nil
}

func publicTenant(ctx context.Context, p *medic.Practice) context.Context {
	ctx = medic.WithActor(ctx, medic.Actor{})
	return medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
}

// PublicBooking loads the public booking page of the practice with slug:
// ENOTFOUND for an unknown slug, EUNAVAILABLE for a suspended practice.
func (a *App) PublicBooking(ctx context.Context, slug string) (*PublicBookingInfo, error) {
	ctx, p, err := a.publicPractice(ctx, slug)
	if err != nil {
		return nil, err
	}
	info := &PublicBookingInfo{Practice: p, Locations: []*medic.Location{}, Practitioners: []*medic.Practitioner{}, Types: []*medic.AppointmentType{}}
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		ls, err := a.activeLocations(ctx)
		if err != nil {
			return err
		}
		info.Locations = ls
		prs, err := a.everyPractitioner(ctx)
		if err != nil {
			return err
		}
		for _, pr := range prs {
			if pr.Status == medic.PractitionerActive {
				info.Practitioners = append(info.Practitioners, pr)
			}
		}
		types, err := a.AppointmentTypes.ListAppointmentTypes(ctx)
		if err != nil {
			return err
		}
		for _, t := range types {
			if t.Active && t.OnlineBookable {
				info.Types = append(info.Types, t)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

func (a *App) everyPractitioner(ctx context.Context) ([]*medic.Practitioner, error) {
	var out []*medic.Practitioner
	page := medic.Page{Limit: medic.MaxLimit}
	for {
		items, next, err := a.Practitioners.ListPractitioners(ctx, page)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		page.Cursor = next
	}
}

func (a *App) activeLocations(ctx context.Context) ([]*medic.Location, error) {
	out := []*medic.Location{}
	page := medic.Page{Limit: medic.MaxLimit}
	for {
		ls, next, err := a.Locations.ListLocations(ctx, page)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			if l.Active {
				out = append(out, l)
			}
		}
		if next == "" {
			return out, nil
		}
		page.Cursor = next
	}
}

// PublicAvailability lists the open online slots of the practice with slug,
// through the desk's engine with the online lead time; never full slots.
// Without a type it lists the slots of every online-bookable type.
func (a *App) PublicAvailability(ctx context.Context, slug string, q AvailabilityQuery) ([]medic.Slot, error) {
	ctx, _, err := a.publicPractice(ctx, slug)
	if err != nil {
		return nil, err
	}
	q.OnlineOnly, q.Desk, q.IncludeFull = true, false, false
	out := []medic.Slot{}
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = a.publicSlots(ctx, q)
		return err
	})
	return out, err
}

// publicSlots is the online availability for q, at active locations only.
func (a *App) publicSlots(ctx context.Context, q AvailabilityQuery) ([]medic.Slot, error) {
	locs, err := a.activeLocations(ctx)
	if err != nil {
		return nil, err
	}
	active := map[string]bool{}
	for _, l := range locs {
		active[l.ID] = true
	}
	var typeIDs []string
	if q.AppointmentTypeID != "" {
		typeIDs = []string{q.AppointmentTypeID}
	} else {
		types, err := a.AppointmentTypes.ListAppointmentTypes(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range types {
			if t.Active && t.OnlineBookable {
				typeIDs = append(typeIDs, t.ID)
			}
		}
	}
	out := []medic.Slot{}
	seen := map[string]bool{}
	for _, id := range typeIDs {
		q.AppointmentTypeID = id
		slots, err := a.availability(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, s := range slots {
			key := s.Start.String() + s.End.String() + s.PractitionerID + s.LocationID
			if s.Remaining <= 0 || !active[s.LocationID] || seen[key] {
				continue
			}
			seen[key] = true
			s.Claims = nil
			out = append(out, s)
		}
	}
	if len(typeIDs) > 1 {
		sortSlots(out)
	}
	return out, nil
}

// BookingCodeRequest asks for a code to verify an email address.
type BookingCodeRequest struct{ Email, IP string }

// RequestBookingCode emails a 6-digit code to in.Email. The answer is the
// same whether or not the practice knows the email; past the limits it is
// ETOOMANY (a *RetryError saying when to try again).
func (a *App) RequestBookingCode(ctx context.Context, slug string, in BookingCodeRequest) error {
	ctx, p, err := a.publicPractice(ctx, slug)
	if err != nil {
		return err
	}
	email, err := medic.NormalizeEmail(in.Email)
	if err != nil || strings.ContainsAny(in.Email, "\r\n") {
		return &medic.Error{Code: medic.EINVALID, Message: "Enter a valid email address.", Fields: map[string]string{"email": "Enter a valid email address."}}
	}
	var refused *RetryError
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		// The limits are platform-wide: the email and the client's network
		// count the codes they asked for at every practice, checked and
		// recorded under their locks in this transaction.
		keys, err := a.bookingCodeRateKeys(ctx, email, in.IP)
		if err != nil {
			return err
		}
		refused, err = a.checkRate(ctx, keys, bookingCodeLimit, bookingCodeWindow,
			"Too many codes were asked for. Wait %s and ask again, or use the last code you received.")
		if err != nil {
			return err
		}
		if refused != nil {
			// The refusal is committed to the log; nothing else is written.
			return a.Audit.Record(ctx, medic.AuditEvent{Action: "booking.code_refused", EntityType: "booking_code", Outcome: medic.OutcomeDenied,
				Detail: map[string]string{"reason": "rate_limit"}})
		}
		code, err := auth.NewNumericCode(bookingCodeDigits)
		if err != nil {
			return err
		}
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return err
		}
		key, err := a.signingKey(ctx, "booking-code")
		if err != nil {
			return err
		}
		c := &medic.BookingCode{Email: email, Salt: salt, Hash: bookingCodeHash(key, salt, p.ID, email, code), ExpiresAt: a.now().Add(bookingCodeValidity), IP: in.IP}
		if err := a.BookingCodes.CreateBookingCode(ctx, c); err != nil {
			return err
		}
		if err := a.recordRate(ctx, keys); err != nil {
			return err
		}
		if err := a.audit(ctx, "booking.code_requested", "booking_code", c.ID, nil); err != nil {
			return err
		}
		return a.Mail.EnqueueMail(ctx, medic.Mail{
			To:      []string{email},
			Subject: headerText("Your booking code for " + p.Name),
			Text: fmt.Sprintf("Your code to confirm your booking at %s is:\n\n    %s\n\nIt is valid for 10 minutes. If you did not ask for it, ignore this email.\n",
				p.Name, code),
		})
	})
	if err != nil {
		return err
	}
	if refused != nil {
		return refused
	}
	return nil
}

// bookingCodeHash is the HMAC-SHA-256 of the code under a key derived from
// the platform key, with the code's own salt, bound to practice and email:
// the stored hash alone cannot be brute-forced offline.
func bookingCodeHash(key, salt []byte, practiceID, email, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(salt)
	m.Write([]byte("\x00" + practiceID + "\x00" + email + "\x00" + code))
	return m.Sum(nil)
}

// headerText makes s safe for a mail header: line breaks (and other
// control characters) become spaces.
func headerText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func humanDuration(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d.Seconds())) + " seconds"
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return strconv.Itoa(m) + " minutes"
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

// notifyPractice tells the desk of an online booking, cancellation or move:
// a notification row, and an email to the practice's notification address
// if it has one. Name, time and type only: no reason, no clinical detail.
func (a *App) notifyPractice(ctx context.Context, p *medic.Practice, ap *medic.Appointment, patient *medic.Patient, kind string) error {
	when := ap.Start.In(a.location(ctx)).Format("Mon 2 Jan 2006 15:04")
	verb := map[string]string{
		medic.NotificationOnlineBooking:      "booked online",
		medic.NotificationOnlineCancellation: "cancelled online",
		medic.NotificationOnlineReschedule:   "moved online",
	}[kind]
	name := headerText(patient.FullName())
	n := &medic.Notification{Kind: kind, AppointmentID: ap.ID,
		Title: fmt.Sprintf("%s %s", name, verb),
		Body:  fmt.Sprintf("%s with %s at %s, %s.", ap.TypeName, ap.PractitionerName, ap.LocationName, when)}
	if err := a.Notifications.CreateNotification(ctx, n); err != nil {
		return err
	}
	if p.Booking.NotifyEmail == "" {
		return nil
	}
	return a.Mail.EnqueueMail(ctx, medic.Mail{
		To:      []string{p.Booking.NotifyEmail},
		Subject: headerText("Appointment " + verb + ": " + when),
		Text: fmt.Sprintf("An appointment was %s at %s.\n\nPatient: %s\nWhen: %s\nType: %s\nWith: %s\nWhere: %s\n\nOpen the desk for details: %s/\n",
			verb, p.Name, name, when, ap.TypeName, ap.PractitionerName, ap.LocationName, a.BaseURL),
	})
}

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

// practiceZone is the practice's time zone (UTC if its name is unknown).
func practiceZone(p *medic.Practice) *time.Location {
	if l, err := loadLocation(p.TimeZone); err == nil {
		return l
	}
	return time.UTC
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

// NextPublicSlots lists up to n open online slots of the practitioner at the
// location for the type, from `from` on (to offer when a slot went).
func (a *App) NextPublicSlots(ctx context.Context, slug, practitionerID, locationID, typeID string, from time.Time, n int) ([]medic.Slot, error) {
	if from.Before(a.now()) {
		from = a.now()
	}
	slots, err := a.PublicAvailability(ctx, slug, AvailabilityQuery{PractitionerID: practitionerID, LocationID: locationID, AppointmentTypeID: typeID,
		From: from, To: from.Add(14 * 24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	if len(slots) > n {
		slots = slots[:n]
	}
	return slots, nil
}

// ManageLinkPractice returns the active practice a signed link belongs to
// (the JSON API answers CORS with its origins); ENOTFOUND for a bad token.
func (a *App) ManageLinkPractice(ctx context.Context, token string) (*medic.Practice, error) {
	_, p, _, err := a.managed(ctx, token)
	return p, err
}

// Reference is the booking's short reference (medic.Appointment.Reference).
func (r *PublicBookingResult) Reference() string {
	return (&medic.Appointment{ID: r.AppointmentID}).Reference()
}

// Reference is the booking's short reference (medic.Appointment.Reference).
func (b *ManagedBooking) Reference() string {
	return (&medic.Appointment{ID: b.AppointmentID}).Reference()
}
