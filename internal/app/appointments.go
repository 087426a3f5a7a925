package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"medic"
)

// BookingRequest books a patient into a slot.
type BookingRequest struct {
	PatientID, PractitionerID, LocationID, AppointmentTypeID string
	Start                                                    time.Time
	Notes                                                    string
	// Overbook books beyond capacity: admins and doctors only, with a reason.
	Overbook       bool
	OverbookReason string
	Source         medic.AppointmentSource
}

func (in *BookingRequest) validate() error {
	f := medic.FieldErrors{}
	for field, v := range map[string]string{"patient_id": in.PatientID, "practitioner_id": in.PractitionerID, "location_id": in.LocationID, "appointment_type_id": in.AppointmentTypeID} {
		if v == "" {
			f.Add(field, "Required.")
		}
	}
	if in.Start.IsZero() {
		f.Add("start", "Choose a time.")
	}
	f.MultiLine("notes", &in.Notes, medic.MaxNotesLength)
	if in.Overbook {
		f.RequiredLine("overbook_reason", &in.OverbookReason, medic.MaxReasonLength, "Give the reason for booking beyond capacity.")
	} else {
		f.Line("overbook_reason", &in.OverbookReason, medic.MaxReasonLength)
	}
	if in.Source == "" {
		in.Source = medic.SourceDesk
	}
	return f.Err()
}

// canOverbook: only admins and doctors may book beyond capacity.
func canOverbook(t medic.Tenant) bool { return t.Role == medic.RoleAdmin || t.Role == medic.RoleDoctor }

// BookAppointment books a slot. The database refuses a slot that is full
// (ErrSlotFull, 409) however many requests race for it.
func (a *App) BookAppointment(ctx context.Context, in BookingRequest) (*medic.Appointment, error) {
	t, err := a.allow(ctx, "appointment.book")
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	if in.Overbook && !canOverbook(t) {
		return nil, a.denied(ctx, "appointment.overbook", medic.Errorf(medic.EFORBIDDEN, "Only an admin or a doctor may book beyond capacity."))
	}
	var ap *medic.Appointment
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		// The chart is read with the schedule, in the same round trip.
		slot, snap, err := a.findSlot(ctx, in.PatientID, in.PractitionerID, in.LocationID, in.AppointmentTypeID, in.Start, in.Source == medic.SourceOnline, nil)
		if err != nil {
			return err
		}
		if snap.Patient == nil {
			return fieldNotFound(medic.ErrNotFound, "patient_id", "Choose a patient of this practice.")
		}
		ap, err = a.bookSlot(ctx, in, snap.Patient, slot, snap)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ap, nil
}

// book books patient into the slot of in, audits it and enqueues the
// confirmation and reminder, in the transaction of ctx; it checks no
// permission (BookAppointment and public booking do). in must be valid.
func (a *App) book(ctx context.Context, in BookingRequest, patient *medic.Patient) (*medic.Appointment, error) {
	slot, snap, err := a.findSlot(ctx, "", in.PractitionerID, in.LocationID, in.AppointmentTypeID, in.Start, in.Source == medic.SourceOnline, nil)
	if err != nil {
		return nil, err
	}
	return a.bookSlot(ctx, in, patient, slot, snap)
}

// bookSlot books patient into slot, found in snap.
func (a *App) bookSlot(ctx context.Context, in BookingRequest, patient *medic.Patient, slot medic.Slot, snap *medic.ScheduleSnapshot) (*medic.Appointment, error) {
	if patient.Status != medic.PatientActive {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "This chart is not active.", Fields: map[string]string{"patient_id": "Reactivate the chart first."}}
	}
	if slot.Remaining <= 0 && !in.Overbook {
		return nil, medic.ErrSlotFull
	}
	pr, typ := snap.Practitioners[0].Practitioner, snap.Type
	ap := &medic.Appointment{PatientID: patient.ID, PractitionerID: pr.ID, LocationID: in.LocationID, AppointmentTypeID: typ.ID,
		Start: slot.Start, End: slot.End, Status: medic.StatusBooked, Source: in.Source, Notes: in.Notes,
		Overbooked: in.Overbook && slot.Remaining <= 0,
		// The names shown and mailed come from what was read, not a re-read.
		PatientName: patient.GivenName + " " + patient.FamilyName, PractitionerName: pr.Name, LocationName: snap.Location.Name,
		TypeName: typ.Name, TypeColor: typ.Color}
	if ap.Overbooked {
		ap.OverbookReason = in.OverbookReason
	}
	if err := a.Appointments.BookAppointment(ctx, ap, slot.Claims); err != nil {
		return nil, err
	}
	detail := map[string]string{"start": ap.Start.UTC().Format(time.RFC3339), "source": string(ap.Source)}
	if ap.Overbooked {
		detail["overbook_reason"] = ap.OverbookReason
	}
	if err := a.auditAppointment(ctx, "appointment.booked", ap, detail); err != nil {
		return nil, err
	}
	return ap, a.notifyBooking(ctx, snap.Practice, ap, patient, "confirmed")
}

// findSlot checks that start is a slot of the practitioner's schedule at
// the location for the type, and returns it with the places it claims and
// what was read to find it (patientID, if given, is read along).
// Desk bookings ignore the online lead time but not the past.
// moving is the appointment being rescheduled: its own places and time do
// not stand in its way.
func (a *App) findSlot(ctx context.Context, patientID, practitionerID, locationID, typeID string, start time.Time, online bool, moving *medic.Appointment) (medic.Slot, *medic.ScheduleSnapshot, error) {
	var none medic.Slot
	if practitionerID == "" {
		return none, nil, fieldNotFound(medic.ErrNotFound, "practitioner_id", "Choose a practitioner of this practice.")
	}
	snap, err := a.Schedules.LoadSchedule(ctx, medic.ScheduleQuery{PatientID: patientID, PractitionerID: practitionerID, LocationID: locationID,
		AppointmentTypeID: typeID, From: start.Add(-24 * time.Hour), To: start.Add(24 * time.Hour), Busy: true})
	if err != nil {
		return none, nil, err
	}
	switch {
	case len(snap.Practitioners) == 0:
		return none, nil, fieldNotFound(medic.ErrNotFound, "practitioner_id", "Choose a practitioner of this practice.")
	case snap.Type == nil:
		return none, nil, fieldNotFound(medic.ErrNotFound, "appointment_type_id", "Choose an appointment type of this practice.")
	case online && !snap.Type.OnlineBookable:
		return none, nil, &medic.Error{Code: medic.EINVALID, Message: "This appointment type cannot be booked online.", Fields: map[string]string{"appointment_type_id": "Not bookable online."}}
	case snap.Location == nil:
		return none, nil, fieldNotFound(medic.ErrNotFound, "location_id", "Choose a location of this practice.")
	case online && !snap.Location.Active:
		return none, nil, &medic.Error{Code: medic.EINVALID, Message: "This location does not take bookings now.", Fields: map[string]string{"location_id": "Choose another location."}}
	case online && start.After(a.now().Add(snap.Practice.Booking.Horizon())):
		return none, nil, &medic.Error{Code: medic.EINVALID, Message: "That is too far ahead to book online.", Fields: map[string]string{"start": "Choose a time sooner; call the practice for later dates."}}
	}
	in := a.availabilityInput(snap, snap.Practitioners[0], locationID, start, start.Add(time.Minute), a.location(ctx))
	in.IgnoreCapacity = true
	if !online {
		in.LeadTimeMinutes = 0
	}
	if moving != nil {
		for t, n := range in.Booked {
			// Its own places count as free only in its own practitioner's slots.
			if moving.PractitionerID == practitionerID && !t.Before(moving.Start) && t.Before(moving.End) && n > 0 && !moving.Overbooked {
				in.Booked[t] = n - 1
			}
		}
		busy := in.Busy[:0]
		for _, b := range in.Busy {
			if !(b.Start.Equal(moving.Start) && b.End.Equal(moving.End)) {
				busy = append(busy, b)
			}
		}
		in.Busy = busy
	}
	slot, ok := medic.FindSlot(medic.ComputeSlots(in), start, locationID)
	if !ok {
		return none, nil, &medic.Error{Code: medic.EINVALID, Message: "That is not an open time for this practitioner, location and appointment type.",
			Fields: map[string]string{"start": "Choose one of the open slots."}}
	}
	return slot, snap, nil
}

func (a *App) auditAppointment(ctx context.Context, action string, ap *medic.Appointment, detail map[string]string) error {
	return a.Audit.Record(ctx, medic.AuditEvent{Action: action, EntityType: "appointment", EntityID: ap.ID, PatientID: ap.PatientID, Detail: detail})
}

// GetAppointment returns one appointment; the read is audited.
func (a *App) GetAppointment(ctx context.Context, id string) (*medic.Appointment, error) {
	if _, err := a.allow(ctx, "appointment.view"); err != nil {
		return nil, err
	}
	var ap *medic.Appointment
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if ap, err = a.Appointments.FindAppointment(ctx, id); err != nil {
			return err
		}
		return a.auditAppointment(ctx, "appointment.viewed", ap, nil)
	})
	return ap, err
}

// ListAppointments lists appointments (calendars, today's list, a chart's
// tab); the read is audited.
func (a *App) ListAppointments(ctx context.Context, f medic.AppointmentFilter, p medic.Page) ([]*medic.Appointment, string, error) {
	if _, err := a.allow(ctx, "appointment.list"); err != nil {
		return nil, "", err
	}
	var out []*medic.Appointment
	var next string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Appointments.ListAppointments(ctx, f, p); err != nil {
			return err
		}
		e := medic.AuditEvent{Action: "appointment.listed", EntityType: "appointment", PatientIDs: patientsOf(out),
			Detail: map[string]string{"results": strconv.Itoa(len(out))}}
		// Only a chart of this practice is named: the filter may hold another
		// practice's id, or no id at all (the column is a uuid).
		if f.PatientID != "" {
			if patient, err := a.Patients.FindPatient(ctx, f.PatientID); err == nil {
				e.PatientID = patient.ID
			} else if medic.ErrorCode(err) != medic.ENOTFOUND {
				return err
			}
		}
		return a.Audit.Record(ctx, e)
	})
	return out, next, err
}

// AppointmentsVersion is a fingerprint of the appointments matching f, for
// a live page to ask whether to reload (every few seconds, from every open
// Today): one statement in a read, no transaction of its own; it reads no
// patient data.
func (a *App) AppointmentsVersion(ctx context.Context, f medic.AppointmentFilter) (string, error) {
	if _, err := a.allow(ctx, "appointment.list"); err != nil {
		return "", err
	}
	var v string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		v, err = a.Appointments.AppointmentsVersion(ctx, f)
		return err
	})
	return v, err
}

// patientsOf are the patients of a list of appointments: a list shows
// patient names, so it is a read of each one's data, recorded with the
// list's one audit event and findable by patient.
func patientsOf(aps []*medic.Appointment) []string {
	ids := make([]string, len(aps))
	for i, ap := range aps {
		ids[i] = ap.PatientID
	}
	return ids
}

// RescheduleAppointment moves a booked appointment to another slot (and
// optionally practitioner or location), releasing the old places.
func (a *App) RescheduleAppointment(ctx context.Context, id string, start time.Time, practitionerID, locationID string) (*medic.Appointment, error) {
	if _, err := a.allow(ctx, "appointment.reschedule"); err != nil {
		return nil, err
	}
	if start.IsZero() {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Choose the new time.", Fields: map[string]string{"start": "Choose the new time."}}
	}
	var ap *medic.Appointment
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		ap, err = a.reschedule(ctx, id, start, practitionerID, locationID)
		return err
	})
	return ap, err
}

// reschedule moves appointment id in the transaction of ctx, without a
// permission check (RescheduleAppointment and the patient's manage link
// check theirs).
func (a *App) reschedule(ctx context.Context, id string, start time.Time, practitionerID, locationID string) (*medic.Appointment, error) {
	ap, err := a.Appointments.FindAppointment(ctx, id)
	if err != nil {
		return nil, err
	}
	err = func() error {
		if ap.Status != medic.StatusBooked {
			return medic.Errorf(medic.ECONFLICT, "Only a booked appointment can be moved; this one is %s.", strings.ReplaceAll(string(ap.Status), "_", " "))
		}
		// Staff may move it to another practitioner (the same checks: their
		// working hours, room in their slot); the patient's link may not.
		if practitionerID == "" {
			practitionerID = ap.PractitionerID
		}
		if practitionerID != ap.PractitionerID && !isStaff(ctx) {
			return &medic.Error{Code: medic.EINVALID, Message: "To change the practitioner, cancel and book again.", Fields: map[string]string{"practitioner_id": "Cancel and book again to change the practitioner."}}
		}
		if locationID == "" {
			locationID = ap.LocationID
		}
		slot, snap, err := a.findSlot(ctx, ap.PatientID, practitionerID, locationID, ap.AppointmentTypeID, start, ap.Source == medic.SourceOnline && !isStaff(ctx), ap)
		if err != nil {
			return err
		}
		if slot.Remaining <= 0 {
			return medic.ErrSlotFull
		}
		from, fromPractitioner := ap.Start, ap.PractitionerID
		ap.LocationID, ap.PractitionerID = locationID, practitionerID
		if err := a.Appointments.MoveAppointment(ctx, ap, slot.Start, slot.End, slot.Claims); err != nil {
			return err
		}
		detail := map[string]string{"from": from.UTC().Format(time.RFC3339), "to": slot.Start.UTC().Format(time.RFC3339)}
		if fromPractitioner != practitionerID {
			detail["from_practitioner_id"], detail["to_practitioner_id"] = fromPractitioner, practitionerID
		}
		if err := a.auditAppointment(ctx, "appointment.rescheduled", ap, detail); err != nil {
			return err
		}
		ap.LocationName, ap.PractitionerName = snap.Location.Name, snap.Practitioners[0].Practitioner.Name
		if snap.Patient == nil {
			return medic.ErrNotFound
		}
		return a.notifyBooking(ctx, snap.Practice, ap, snap.Patient, "moved")
	}()
	if err != nil {
		return nil, err
	}
	return ap, nil
}

// isStaff reports whether a member (not a public patient flow) is acting.
func isStaff(ctx context.Context) bool { return medic.ActorFrom(ctx).UserID != "" }

// SetAppointmentStatus moves an appointment through its life: check in,
// start, complete, no-show, or cancel (with a reason). Only valid changes
// are accepted.
func (a *App) SetAppointmentStatus(ctx context.Context, id string, to medic.AppointmentStatus, reason string) (*medic.Appointment, error) {
	if _, err := a.allow(ctx, "appointment.status"); err != nil {
		return nil, err
	}
	f := medic.FieldErrors{}
	if to == medic.StatusCancelled {
		f.RequiredLine("reason", &reason, medic.MaxReasonLength, "Give a reason for cancelling.")
	} else {
		f.Line("reason", &reason, medic.MaxReasonLength)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var ap *medic.Appointment
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if ap, err = a.Appointments.FindAppointment(ctx, id); err != nil {
			return err
		}
		from := ap.Status
		if !from.CanBecome(to) {
			return &medic.Error{Code: medic.ECONFLICT, Message: fmt.Sprintf("An appointment that is %s cannot become %s.", label(from), label(to)),
				Fields: map[string]string{"status": "Not allowed from " + label(from) + "."}}
		}
		if err := ap.CheckStatusDay(to, a.today(ctx), a.location(ctx)); err != nil {
			return err
		}
		if err := a.Appointments.SetAppointmentStatus(ctx, id, from, to, reason); err != nil {
			return err
		}
		detail := map[string]string{"from": string(from), "to": string(to)}
		if reason != "" {
			detail["reason"] = reason
		}
		if err := a.auditAppointment(ctx, "appointment."+string(to), ap, detail); err != nil {
			return err
		}
		if ap, err = a.Appointments.FindAppointment(ctx, id); err != nil {
			return err
		}
		if to == medic.StatusCancelled {
			patient, err := a.Patients.FindPatient(ctx, ap.PatientID)
			if err != nil {
				return err
			}
			practice, err := a.GetPractice(ctx)
			if err != nil {
				return err
			}
			return a.notifyBooking(ctx, practice, ap, patient, "cancelled")
		}
		return nil
	})
	return ap, err
}

func label(s medic.AppointmentStatus) string { return strings.ReplaceAll(string(s), "_", " ") }
