package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"medic"
)

// Public booking, as the pages go: the practice and its free times here;
// the emailed code in public_code.go; the booking it confirms in
// public_confirm.go; the patient's manage link in public_manage.go.

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

// practiceZone is the practice's time zone (UTC if its name is unknown).
func practiceZone(p *medic.Practice) *time.Location {
	if l, err := loadLocation(p.TimeZone); err == nil {
		return l
	}
	return time.UTC
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
