package app

import (
	"context"
	"strconv"
	"time"

	"medic"
)

// MaxCalendarAppointments bounds what one calendar view reads and shows: a
// day of a large practice (20 practitioners, 400 appointments) fits with
// room to spare; a week of the whole of one is cut there, and the page says
// so and offers the filters.
const MaxCalendarAppointments = 1000

// maxCalendarRange is a week, with room for a daylight-saving hour.
const maxCalendarRange = 7*24*time.Hour + time.Hour

// CalendarQuery is one view of the calendar: a day or a week, of one
// practitioner, one location or the whole practice.
type CalendarQuery struct {
	PractitionerID, LocationID string
	From, To                   time.Time
	// Slots asks for the range's working times too, full ones included (as
	// Availability with Desk and IncludeFull): the day grid's columns and
	// free times, the week's closed days.
	Slots bool
}

// Calendar is what a calendar view shows.
type Calendar struct {
	Appointments []*medic.Appointment // by start time
	Slots        []medic.Slot
	// Capped is true when the range holds more than
	// MaxCalendarAppointments: the first ones are in Appointments.
	Capped bool
}

// Calendar reads a view of the calendar in one read use case: its
// appointments in one query (not page by page), its working times, and
// one audit event naming every patient shown, however many.
func (a *App) Calendar(ctx context.Context, q CalendarQuery) (*Calendar, error) {
	if _, err := a.allow(ctx, "appointment.list"); err != nil {
		return nil, err
	}
	if !q.To.After(q.From) || q.To.Sub(q.From) > maxCalendarRange {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "A calendar shows a day or a week.", Fields: map[string]string{"date": "Choose a day or a week."}}
	}
	c := &Calendar{}
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		f := medic.AppointmentFilter{PractitionerID: q.PractitionerID, LocationID: q.LocationID, From: q.From, To: q.To}
		as, err := a.Appointments.ListAppointmentRange(ctx, f, MaxCalendarAppointments+1)
		if err != nil {
			return err
		}
		if len(as) > MaxCalendarAppointments {
			as, c.Capped = as[:MaxCalendarAppointments], true
		}
		c.Appointments = as
		if q.Slots {
			if c.Slots, err = a.availability(ctx, AvailabilityQuery{PractitionerID: q.PractitionerID, LocationID: q.LocationID,
				From: q.From, To: q.To, Desk: true, IncludeFull: true}); err != nil {
				return err
			}
		}
		detail := map[string]string{"results": strconv.Itoa(len(as)), "from": q.From.UTC().Format(time.RFC3339), "to": q.To.UTC().Format(time.RFC3339)}
		if c.Capped {
			detail["capped"] = "true"
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "appointment.listed", EntityType: "appointment", PatientIDs: patientsOf(as), Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
