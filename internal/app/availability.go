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
	// Every read is in LoadSchedule's one pipeline, its own transaction.
	return a.availability(ctx, q)
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
	// Appointments may span a day boundary of the window: widen the reads.
	snap, err := a.Schedules.LoadSchedule(ctx, medic.ScheduleQuery{PractitionerID: q.PractitionerID, LocationID: q.LocationID,
		AppointmentTypeID: q.AppointmentTypeID, From: q.From.Add(-24 * time.Hour), To: q.To.Add(24 * time.Hour), Busy: true})
	if err != nil {
		return nil, err
	}
	if q.AppointmentTypeID != "" {
		if snap.Type == nil {
			return nil, fieldNotFound(medic.ErrNotFound, "type", "Choose an appointment type of this practice.")
		}
		if !snap.Type.Active || (q.OnlineOnly && !snap.Type.OnlineBookable) {
			return []medic.Slot{}, nil
		}
	}
	if q.LocationID != "" && snap.Location == nil {
		return nil, fieldNotFound(medic.ErrNotFound, "location", "Choose a location of this practice.")
	}
	if q.PractitionerID != "" && len(snap.Practitioners) == 0 {
		return nil, fieldNotFound(medic.ErrNotFound, "practitioner", "Choose a practitioner of this practice.")
	}
	to := q.To
	if limit := a.now().Add(snap.Practice.Booking.Horizon()); q.OnlineOnly && to.After(limit) {
		to = limit // patients book online only so far ahead
	}
	loc := a.location(ctx)
	out := []medic.Slot{}
	for _, ps := range snap.Practitioners {
		in := a.availabilityInput(snap, ps, q.LocationID, q.From, to, loc)
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

// availabilityInput is the engine's input for one practitioner of snap.
func (a *App) availabilityInput(snap *medic.ScheduleSnapshot, ps *medic.PractitionerSchedule, locationID string, from, to time.Time, loc *time.Location) medic.AvailabilityInput {
	p := snap.Practice
	in := medic.AvailabilityInput{Location: loc, Now: a.now(), From: from, To: to, Practitioner: ps.Practitioner, Type: snap.Type, LocationID: locationID,
		BufferMinutes: p.Booking.BufferMinutes, LeadTimeMinutes: p.Booking.LeadTimeMinutes,
		Rules: ps.Rules, Exceptions: ps.Exceptions, Booked: ps.Booked}
	if p.Booking.BufferMinutes > 0 {
		in.Busy = ps.Busy
	}
	return in
}

// fieldNotFound turns a not-found reference into a field error; other
// errors pass through.
func fieldNotFound(err error, field, msg string) error {
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return &medic.Error{Code: medic.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
	}
	return err
}
