package app

import (
	"context"
	"fmt"
	"time"

	"medic"
)

// ErrScheduleStrandsAppointments says a schedule change would leave future
// appointments outside working hours. The appointments are returned and
// never deleted; the caller may confirm the change anyway.
var ErrScheduleStrandsAppointments = &medic.Error{Code: medic.ECONFLICT, Message: "This change leaves booked appointments outside working hours. Review them, then confirm to save anyway (the appointments are kept)."}

// ListScheduleRules lists rules (any member; "" for every practitioner).
func (a *App) ListScheduleRules(ctx context.Context, practitionerID string) ([]*medic.ScheduleRule, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	return a.Schedules.ListScheduleRules(ctx, practitionerID)
}

// GetScheduleRule returns one rule.
func (a *App) GetScheduleRule(ctx context.Context, id string) (*medic.ScheduleRule, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	return a.Schedules.FindScheduleRule(ctx, id)
}

// SaveScheduleRule creates (r.ID == "") or replaces a rule (admin). Rules of
// one practitioner may not overlap, at any location. When the change strands
// future appointments they are returned with ErrScheduleStrandsAppointments
// unless confirm.
func (a *App) SaveScheduleRule(ctx context.Context, r *medic.ScheduleRule, confirm bool) ([]*medic.Appointment, error) {
	if _, err := a.allow(ctx, "schedule.save"); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var stranded []*medic.Appointment
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		if r.ID != "" {
			// A rule stays with its practitioner: the checks below look at
			// one practitioner's rules and appointments only.
			cur, err := a.Schedules.FindScheduleRule(ctx, r.ID)
			if err != nil {
				return err
			}
			if cur.PractitionerID != r.PractitionerID {
				return &medic.Error{Code: medic.EINVALID, Message: "A rule cannot move to another practitioner.",
					Fields: map[string]string{"practitioner_id": "Delete this rule and create one for the other practitioner."}}
			}
		}
		if err := a.checkRuleRefs(ctx, r); err != nil {
			return err
		}
		if err := a.Schedules.LockPractitionerSchedule(ctx, r.PractitionerID); err != nil {
			return err
		}
		rules, err := a.Schedules.ListScheduleRules(ctx, r.PractitionerID)
		if err != nil {
			return err
		}
		var others []*medic.ScheduleRule
		var old *medic.ScheduleRule
		for _, o := range rules {
			if o.ID == r.ID {
				old = o
				continue
			}
			if r.Overlaps(o) {
				loc, _ := a.Locations.FindLocation(ctx, o.LocationID)
				where := ""
				if loc != nil {
					where = " at " + loc.Name
				}
				return &medic.Error{Code: medic.EINVALID, Message: "The practitioner already works then.", Fields: map[string]string{
					"start": fmt.Sprintf("Overlaps the %s %s–%s rule%s.", o.Weekday, o.Start, o.End, where)}}
			}
			others = append(others, o)
		}
		if r.ID != "" && old == nil {
			return medic.ErrNotFound
		}
		if old != nil {
			if stranded, err = a.stranded(ctx, r.PractitionerID, rules, append(others, r), nil); err != nil {
				return err
			}
			if len(stranded) > 0 && !confirm {
				return ErrScheduleStrandsAppointments
			}
			if err := a.Schedules.UpdateScheduleRule(ctx, r); err != nil {
				return err
			}
			return a.audit(ctx, "schedule.rule_updated", "schedule_rule", r.ID, map[string]string{"stranded_appointments": fmt.Sprint(len(stranded))})
		}
		if err := a.Schedules.CreateScheduleRule(ctx, r); err != nil {
			return err
		}
		return a.audit(ctx, "schedule.rule_created", "schedule_rule", r.ID, nil)
	})
	return stranded, err
}

func (a *App) checkRuleRefs(ctx context.Context, r *medic.ScheduleRule) error {
	f := medic.FieldErrors{}
	if _, err := a.Practitioners.FindPractitioner(ctx, r.PractitionerID); err != nil {
		f.Add("practitioner_id", "Choose a practitioner of this practice.")
	}
	if _, err := a.Locations.FindLocation(ctx, r.LocationID); err != nil {
		f.Add("location_id", "Choose a location of this practice.")
	}
	for _, id := range r.AppointmentTypeIDs {
		if _, err := a.AppointmentTypes.FindAppointmentType(ctx, id); err != nil {
			f.Add("appointment_type_ids", "Choose appointment types of this practice.")
		}
	}
	return f.Err()
}

// DeleteScheduleRule removes a rule (admin); stranded appointments are
// returned with ErrScheduleStrandsAppointments unless confirm, and kept.
func (a *App) DeleteScheduleRule(ctx context.Context, id string, confirm bool) ([]*medic.Appointment, error) {
	if _, err := a.allow(ctx, "schedule.delete"); err != nil {
		return nil, err
	}
	var stranded []*medic.Appointment
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		r, err := a.Schedules.FindScheduleRule(ctx, id)
		if err != nil {
			return err
		}
		if err := a.Schedules.LockPractitionerSchedule(ctx, r.PractitionerID); err != nil {
			return err
		}
		rules, err := a.Schedules.ListScheduleRules(ctx, r.PractitionerID)
		if err != nil {
			return err
		}
		var rest []*medic.ScheduleRule
		for _, o := range rules {
			if o.ID != id {
				rest = append(rest, o)
			}
		}
		if stranded, err = a.stranded(ctx, r.PractitionerID, rules, rest, nil); err != nil {
			return err
		}
		if len(stranded) > 0 && !confirm {
			return ErrScheduleStrandsAppointments
		}
		if err := a.Schedules.DeleteScheduleRule(ctx, id); err != nil {
			return err
		}
		return a.audit(ctx, "schedule.rule_deleted", "schedule_rule", id, map[string]string{"stranded_appointments": fmt.Sprint(len(stranded))})
	})
	return stranded, err
}

// ListScheduleExceptions lists a practitioner's exceptions in [from, to).
func (a *App) ListScheduleExceptions(ctx context.Context, practitionerID string, from, to time.Time) ([]*medic.ScheduleException, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	return a.Schedules.ListScheduleExceptions(ctx, practitionerID, from, to)
}

// AddScheduleException records leave or extra hours (admin). Leave that
// strands appointments needs confirm, like a rule change.
func (a *App) AddScheduleException(ctx context.Context, e *medic.ScheduleException, confirm bool) ([]*medic.Appointment, error) {
	if _, err := a.allow(ctx, "schedule.exception"); err != nil {
		return nil, err
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	var stranded []*medic.Appointment
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		f := medic.FieldErrors{}
		pr, err := a.Practitioners.FindPractitioner(ctx, e.PractitionerID)
		if err != nil {
			f.Add("practitioner_id", "Choose a practitioner of this practice.")
		}
		if e.LocationID != "" {
			if _, err := a.Locations.FindLocation(ctx, e.LocationID); err != nil {
				f.Add("location_id", "Choose a location of this practice.")
			} else if pr != nil && e.Kind == medic.ExceptionExtra && !pr.AssignedAt(e.LocationID, medic.DateOf(e.Start.In(a.location(ctx)))) {
				f.Add("location_id", "The practitioner is not assigned to this location on that day.")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := a.Schedules.LockPractitionerSchedule(ctx, e.PractitionerID); err != nil {
			return err
		}
		if e.Kind == medic.ExceptionLeave {
			rules, err := a.Schedules.ListScheduleRules(ctx, e.PractitionerID)
			if err != nil {
				return err
			}
			withLeave := func(es []*medic.ScheduleException) []*medic.ScheduleException { return append(es[:len(es):len(es)], e) }
			if stranded, err = a.stranded(ctx, e.PractitionerID, rules, rules, withLeave); err != nil {
				return err
			}
			if len(stranded) > 0 && !confirm {
				return ErrScheduleStrandsAppointments
			}
		}
		if err := a.Schedules.CreateScheduleException(ctx, e); err != nil {
			return err
		}
		return a.audit(ctx, "schedule.exception_added", "schedule_exception", e.ID, map[string]string{"kind": string(e.Kind), "stranded_appointments": fmt.Sprint(len(stranded))})
	})
	return stranded, err
}

// DeleteScheduleException removes leave or extra hours (admin). Removing
// extra hours that strands appointments needs confirm, like a rule change;
// the appointments are returned and kept.
func (a *App) DeleteScheduleException(ctx context.Context, id string, confirm bool) ([]*medic.Appointment, error) {
	if _, err := a.allow(ctx, "schedule.exception_delete"); err != nil {
		return nil, err
	}
	var stranded []*medic.Appointment
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		e, err := a.Schedules.FindScheduleException(ctx, id)
		if err != nil {
			return err
		}
		if e.Kind == medic.ExceptionExtra {
			if err := a.Schedules.LockPractitionerSchedule(ctx, e.PractitionerID); err != nil {
				return err
			}
			rules, err := a.Schedules.ListScheduleRules(ctx, e.PractitionerID)
			if err != nil {
				return err
			}
			without := func(es []*medic.ScheduleException) []*medic.ScheduleException {
				var out []*medic.ScheduleException
				for _, o := range es {
					if o.ID != id {
						out = append(out, o)
					}
				}
				return out
			}
			if stranded, err = a.stranded(ctx, e.PractitionerID, rules, rules, without); err != nil {
				return err
			}
			if len(stranded) > 0 && !confirm {
				return ErrScheduleStrandsAppointments
			}
		}
		if err := a.Schedules.DeleteScheduleException(ctx, id); err != nil {
			return err
		}
		return a.audit(ctx, "schedule.exception_deleted", "schedule_exception", id, map[string]string{"kind": string(e.Kind), "stranded_appointments": fmt.Sprint(len(stranded))})
	})
	return stranded, err
}

// stranded lists the practitioner's future holding appointments that the
// change strands: inside the working hours given by the rules before (and
// the existing exceptions), outside those given by the rules after (and the
// existing exceptions as changeExceptions makes them, if set). Appointments
// already outside working hours are not the change's doing and do not hold
// it up.
func (a *App) stranded(ctx context.Context, practitionerID string, before, after []*medic.ScheduleRule,
	changeExceptions func([]*medic.ScheduleException) []*medic.ScheduleException) ([]*medic.Appointment, error) {
	now := a.now()
	until := now.AddDate(2, 0, 0)
	appts, err := a.allAppointments(ctx, medic.AppointmentFilter{PractitionerID: practitionerID, From: now, To: until,
		Statuses: []medic.AppointmentStatus{medic.StatusBooked, medic.StatusCheckedIn}})
	if err != nil || len(appts) == 0 {
		return nil, err
	}
	exceptions, err := a.Schedules.ListScheduleExceptions(ctx, practitionerID, now, until)
	if err != nil {
		return nil, err
	}
	afterExceptions := exceptions
	if changeExceptions != nil {
		afterExceptions = changeExceptions(exceptions)
	}
	loc := a.location(ctx)
	var out []*medic.Appointment
	for _, ap := range appts {
		if medic.CoveredBySchedule(ap, before, exceptions, loc) && !medic.CoveredBySchedule(ap, after, afterExceptions, loc) {
			out = append(out, ap)
		}
	}
	return out, nil
}

// allAppointments pages through every appointment matching f.
func (a *App) allAppointments(ctx context.Context, f medic.AppointmentFilter) ([]*medic.Appointment, error) {
	var out []*medic.Appointment
	page := medic.Page{Limit: medic.MaxLimit}
	for {
		items, next, err := a.Appointments.ListAppointments(ctx, f, page)
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
