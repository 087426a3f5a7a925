package app

import (
	"context"
	"sort"
	"time"

	"medic"
)

// maxAvailabilityRange bounds one availability query.
const maxAvailabilityRange = 62 * 24 * time.Hour

// AvailabilityQuery asks for open slots. PractitionerID "" means every
// active practitioner; AppointmentTypeID "" means one slot of each rule's
// length; From/To default to the next 7 days.
type AvailabilityQuery struct {
	PractitionerID, LocationID, AppointmentTypeID string
	From, To                                      time.Time
	// OnlineOnly keeps online-bookable types only (public booking).
	OnlineOnly bool
	// Desk lists what staff may book at the desk: the online lead time does
	// not apply (the past still does), as in BookAppointment.
	Desk bool
	// IncludeFull lists full slots too (Remaining 0), so that an admin or
	// doctor can pick one to book beyond capacity.
	IncludeFull bool
}

// Availability computes the open slots of the practice in context.
func (a *App) Availability(ctx context.Context, q AvailabilityQuery) ([]medic.Slot, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	// One transaction for all the reads: one BEGIN/set-tenant/COMMIT
	// instead of one per read.
	var out []medic.Slot
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = a.availability(ctx, q)
		return err
	})
	return out, err
}

func (a *App) availability(ctx context.Context, q AvailabilityQuery) ([]medic.Slot, error) {
	now := a.now()
	if q.From.IsZero() {
		q.From = now
	}
	if q.To.IsZero() {
		q.To = q.From.Add(7 * 24 * time.Hour)
	}
	if !q.To.After(q.From) || q.To.Sub(q.From) > maxAvailabilityRange {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Ask for at most 62 days, with `to` after `from`.", Fields: map[string]string{"to": "Use a range of at most 62 days after from."}}
	}
	p, err := a.GetPractice(ctx)
	if err != nil {
		return nil, err
	}
	var typ *medic.AppointmentType
	if q.AppointmentTypeID != "" {
		if typ, err = a.AppointmentTypes.FindAppointmentType(ctx, q.AppointmentTypeID); err != nil {
			return nil, fieldNotFound(err, "type", "Choose an appointment type of this practice.")
		}
		if !typ.Active || (q.OnlineOnly && !typ.OnlineBookable) {
			return []medic.Slot{}, nil
		}
	}
	if q.LocationID != "" {
		if _, err := a.Locations.FindLocation(ctx, q.LocationID); err != nil {
			return nil, fieldNotFound(err, "location", "Choose a location of this practice.")
		}
	}
	var practitioners []*medic.Practitioner
	if q.PractitionerID != "" {
		pr, err := a.Practitioners.FindPractitioner(ctx, q.PractitionerID)
		if err != nil {
			return nil, fieldNotFound(err, "practitioner", "Choose a practitioner of this practice.")
		}
		practitioners = append(practitioners, pr)
	} else if practitioners, err = a.allPractitioners(ctx); err != nil {
		return nil, err
	}
	loc := a.location(ctx)
	out := []medic.Slot{}
	for _, pr := range practitioners {
		in, err := a.availabilityInput(ctx, p, pr, typ, q.LocationID, q.From, q.To, loc)
		if err != nil {
			return nil, err
		}
		if q.Desk {
			in.LeadTimeMinutes = 0
		}
		in.IgnoreCapacity = q.IncludeFull
		out = append(out, medic.ComputeSlots(in)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].PractitionerID < out[j].PractitionerID
	})
	return out, nil
}

// availabilityInput loads what the engine needs for one practitioner.
func (a *App) availabilityInput(ctx context.Context, p *medic.Practice, pr *medic.Practitioner, typ *medic.AppointmentType, locationID string, from, to time.Time, loc *time.Location) (medic.AvailabilityInput, error) {
	in := medic.AvailabilityInput{Location: loc, Now: a.now(), From: from, To: to, Practitioner: pr, Type: typ, LocationID: locationID,
		BufferMinutes: p.Booking.BufferMinutes, LeadTimeMinutes: p.Booking.LeadTimeMinutes}
	// Appointments may span a day boundary of the window: widen the reads.
	wFrom, wTo := from.Add(-24*time.Hour), to.Add(24*time.Hour)
	var err error
	if in.Rules, err = a.Schedules.ListScheduleRules(ctx, pr.ID); err != nil {
		return in, err
	}
	if in.Exceptions, err = a.Schedules.ListScheduleExceptions(ctx, pr.ID, wFrom, wTo); err != nil {
		return in, err
	}
	if in.Booked, err = a.Appointments.BookedPlaces(ctx, pr.ID, wFrom, wTo); err != nil {
		return in, err
	}
	if p.Booking.BufferMinutes > 0 {
		if in.Busy, err = a.Appointments.Busy(ctx, pr.ID, wFrom, wTo); err != nil {
			return in, err
		}
	}
	return in, nil
}

func (a *App) allPractitioners(ctx context.Context) ([]*medic.Practitioner, error) {
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

// fieldNotFound turns a not-found reference into a field error; other
// errors pass through.
func fieldNotFound(err error, field, msg string) error {
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return &medic.Error{Code: medic.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
	}
	return err
}
