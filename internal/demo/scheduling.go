package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"medic"
)

// scheduleDays is how many days ahead, today included, the demo keeps
// appointments in.
const scheduleDays = 14

// scheduling puts the practice's appointment types, practitioners with
// their schedules, patients and the coming two weeks' appointments in
// place, and says what it changed.
func (l *loader) scheduling(ctx context.Context, spec practiceSpec, p *medic.Practice, locs []*medic.Location, members map[string]*medic.Member) ([]string, error) {
	zone, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", p.TimeZone, err)
	}
	today := medic.DateOf(l.clock.Now().In(zone))
	var what []string
	types, w, err := l.appointmentTypes(ctx)
	if err != nil {
		return nil, fmt.Errorf("appointment types: %w", err)
	}
	what = append(what, w...)
	prs, w, err := l.practitioners(ctx, spec, locs, members, today)
	if err != nil {
		return nil, fmt.Errorf("practitioners: %w", err)
	}
	what = append(what, w...)
	// The charts' allergy and problem lists are recorded as the practice's
	// doctor's (their author shows on the chart), not the system's.
	pctx := ctx
	if m := members["doctor@"+spec.Slug+".example"]; m != nil {
		pctx = medic.WithActor(ctx, medic.Actor{UserID: m.UserID, Email: "doctor@" + spec.Slug + ".example"})
	}
	patients, created, err := l.patients(pctx, spec, today)
	if err != nil {
		return nil, fmt.Errorf("patients: %w", err)
	}
	if created > 0 {
		what = append(what, fmt.Sprintf("%d patients created", created))
	}
	booked := 0
	for i, pr := range prs {
		n, err := l.appointments(ctx, spec, zone, today, pr, types, patients)
		if err != nil {
			return nil, fmt.Errorf("appointments of %s: %w", spec.Practitioners[i].Name, err)
		}
		booked += n
	}
	if booked > 0 {
		what = append(what, fmt.Sprintf("%d appointments booked", booked))
	}
	return what, nil
}

// appointmentTypes creates the demo types that are missing (by name) and
// puts back the duration and the active and online flags of those a
// visitor changed. It returns them in the order of appointmentTypes.
func (l *loader) appointmentTypes(ctx context.Context) ([]*medic.AppointmentType, []string, error) {
	have, err := l.s.ListAppointmentTypes(ctx)
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]*medic.AppointmentType{}
	for _, t := range have {
		if byName[t.Name] == nil {
			byName[t.Name] = t
		}
	}
	var out []*medic.AppointmentType
	var what []string
	for _, ts := range appointmentTypes {
		t := byName[ts.Name]
		switch {
		case t == nil:
			t = &medic.AppointmentType{Name: ts.Name, DurationMinutes: ts.Minutes, Color: ts.Color, OnlineBookable: ts.OnlineBookable, Active: true}
			if err := t.Validate(); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", ts.Name, err)
			}
			if err := l.s.CreateAppointmentType(ctx, t); err != nil {
				return nil, nil, err
			}
			what = append(what, "appointment type "+ts.Name+" created")
		case !t.Active || t.OnlineBookable != ts.OnlineBookable || t.DurationMinutes != ts.Minutes:
			t.Active, t.OnlineBookable, t.DurationMinutes = true, ts.OnlineBookable, ts.Minutes
			if err := l.s.UpdateAppointmentType(ctx, t); err != nil {
				return nil, nil, err
			}
			what = append(what, "appointment type "+ts.Name+" put back")
		}
		out = append(out, t)
	}
	return out, what, nil
}

// locationsWorked lists the indexes of the locations a practitioner works
// at, the primary first.
func (ps practitionerSpec) locationsWorked() []int {
	out := []int{ps.Primary}
	for _, half := range [][5]int{ps.Morning, ps.Afternoon} {
		for _, i := range half {
			if i >= 0 && !containsInt(out, i) {
				out = append(out, i)
			}
		}
	}
	return out
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// practitioners creates the demo practitioners that are missing (by name)
// with their location assignments and weekly rules, and puts back what
// would leave one without availability: an inactive or on-leave status,
// an ended or missing assignment, no rules at all. A practitioner is linked
// to its demo member unless that member has another profile. It returns
// them in the order of spec.Practitioners.
func (l *loader) practitioners(ctx context.Context, spec practiceSpec, locs []*medic.Location, members map[string]*medic.Member, today medic.Date) ([]*medic.Practitioner, []string, error) {
	byName := map[string]*medic.Practitioner{}
	page := medic.Page{Limit: medic.MaxLimit}
	for {
		ps, next, err := l.s.ListPractitioners(ctx, page)
		if err != nil {
			return nil, nil, err
		}
		for _, pr := range ps {
			if byName[pr.Name] == nil {
				byName[pr.Name] = pr
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	// Assignments and rules start on the first of January of last year:
	// fixed for a long while, whatever the time of day of the load.
	since := medic.NewDate(today.Year()-1, time.January, 1)
	horizon := today.AddDays(scheduleDays)
	var out []*medic.Practitioner
	var what []string
	for _, ps := range spec.Practitioners {
		pr := byName[ps.Name]
		memberID := ""
		if m := members[ps.Member]; m != nil {
			other, err := l.s.FindPractitionerByMember(ctx, m.ID)
			switch {
			case medic.ErrorCode(err) == medic.ENOTFOUND:
				memberID = m.ID
			case err != nil:
				return nil, nil, err
			case pr != nil && other.ID == pr.ID:
				memberID = m.ID
			}
		}
		if pr == nil {
			pr = &medic.Practitioner{Name: ps.Name, Specialty: ps.Specialty, RegistrationNumber: ps.RegistrationNumber,
				PracticeNumber: ps.PracticeNumber, Qualifications: ps.Qualifications, MemberID: memberID, Status: medic.PractitionerActive}
			for _, i := range ps.locationsWorked() {
				pr.Assignments = append(pr.Assignments, medic.LocationAssignment{LocationID: locs[i].ID, Primary: i == ps.Primary, StartDate: since})
			}
			if err := pr.Validate(); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", ps.Name, err)
			}
			if err := l.s.CreatePractitioner(ctx, pr); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", ps.Name, err)
			}
			what = append(what, "practitioner "+ps.Name+" created")
		} else {
			var fixes []string
			if pr.Status != medic.PractitionerActive {
				pr.Status = medic.PractitionerActive
				fixes = append(fixes, "made active")
			}
			if pr.MemberID == "" && memberID != "" {
				pr.MemberID = memberID
				fixes = append(fixes, "linked to "+ps.Member)
			}
			for _, i := range ps.locationsWorked() {
				if assignedThrough(pr, locs[i].ID, today, horizon) {
					continue
				}
				primary := false
				kept := pr.Assignments[:0]
				for _, a := range pr.Assignments {
					if a.LocationID == locs[i].ID {
						primary = a.Primary
						continue
					}
					kept = append(kept, a)
				}
				if !primary && i == ps.Primary {
					primary = true
					for _, a := range kept {
						primary = primary && !a.Primary
					}
				}
				pr.Assignments = append(kept, medic.LocationAssignment{LocationID: locs[i].ID, Primary: primary, StartDate: since})
				fixes = append(fixes, "assigned to "+locs[i].Name)
			}
			if len(fixes) > 0 {
				if err := pr.Validate(); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", ps.Name, err)
				}
				if err := l.s.UpdatePractitioner(ctx, pr); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", ps.Name, err)
				}
				what = append(what, "practitioner "+ps.Name+" "+strings.Join(fixes, ", "))
			}
		}
		if pr.MemberID != "" && !pr.HasSignature {
			// The doctor who signs in signs the demo's documents too.
			if err := l.s.SetSignature(ctx, pr.ID, &medic.Signature{ContentType: "image/png", Data: demoSignature()}); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", ps.Name, err)
			}
			pr.HasSignature = true
			what = append(what, "signature of "+ps.Name+" uploaded")
		}
		rules, err := l.s.ListScheduleRules(ctx, pr.ID)
		if err != nil {
			return nil, nil, err
		}
		if len(rules) == 0 {
			// Rules are created with the practitioner, or again when a
			// visitor removed them all; edited rules are left alone.
			for _, r := range demoRules(spec, ps, pr.ID, locs, since) {
				if err := r.Validate(); err != nil {
					return nil, nil, fmt.Errorf("%s: rule %s %s-%s: %w", ps.Name, r.Weekday, r.Start, r.End, err)
				}
				if err := l.s.CreateScheduleRule(ctx, r); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", ps.Name, err)
				}
			}
			what = append(what, "schedule of "+ps.Name+" created")
		}
		out = append(out, pr)
	}
	return out, what, nil
}

// assignedThrough reports whether pr is assigned to location on every day
// of [from, to).
func assignedThrough(pr *medic.Practitioner, location string, from, to medic.Date) bool {
	for _, a := range pr.Assignments {
		if a.LocationID == location && !a.StartDate.After(from) && (a.EndDate.IsZero() || !a.EndDate.Before(to)) {
			return true
		}
	}
	return false
}

// demoRules are a practitioner's weekly rules: Monday to Friday, a morning
// block (08:00-13:00) and an afternoon block (14:00-17:00) at the locations
// its spec names, each trimmed to that location's opening hours that day.
func demoRules(spec practiceSpec, ps practitionerSpec, practitionerID string, locs []*medic.Location, since medic.Date) []*medic.ScheduleRule {
	var out []*medic.ScheduleRule
	for d := range 5 {
		weekday := time.Monday + time.Weekday(d)
		day := medic.Weekdays[d]
		for _, half := range []struct {
			loc        int
			start, end medic.ClockTime
		}{{ps.Morning[d], morningStart, morningEnd}, {ps.Afternoon[d], afternoonStart, afternoonEnd}} {
			if half.loc < 0 {
				continue
			}
			open, close, ok := openingHours(spec.Locations[half.loc].Hours[day])
			if !ok {
				continue
			}
			start, end := max(half.start, open), min(half.end, close)
			// Whole slots only.
			start = (start + demoSlotMinutes - 1) / demoSlotMinutes * demoSlotMinutes
			end = end / demoSlotMinutes * demoSlotMinutes
			if end-start < demoSlotMinutes {
				continue
			}
			out = append(out, &medic.ScheduleRule{PractitionerID: practitionerID, LocationID: locs[half.loc].ID, Weekday: weekday,
				Start: start, End: end, SlotMinutes: demoSlotMinutes, Capacity: demoCapacity, AppointmentTypeIDs: []string{}, EffectiveFrom: since})
		}
	}
	return out
}

// openingHours parses "08:00-17:00".
func openingHours(span string) (open, close medic.ClockTime, ok bool) {
	from, to, found := strings.Cut(span, "-")
	if !found {
		return 0, 0, false
	}
	o, err1 := medic.ParseClockTime(strings.TrimSpace(from))
	c, err2 := medic.ParseClockTime(strings.TrimSpace(to))
	return o, c, err1 == nil && err2 == nil && o < c
}

// patients creates the practice's demo charts that are missing: a chart
// with the same email or ID number counts as there (a visitor may have
// edited one or the other). It returns the charts in the generated order
// and how many it created.
func (l *loader) patients(ctx context.Context, spec practiceSpec, today medic.Date) ([]*medic.Patient, int, error) {
	byEmail, byID := map[string]*medic.Patient{}, map[string]*medic.Patient{}
	page := medic.Page{Limit: medic.MaxLimit}
	for {
		ps, next, err := l.s.SearchPatients(ctx, medic.PatientFilter{IncludeInactive: true, Sort: "created"}, page)
		if err != nil {
			return nil, 0, err
		}
		for _, p := range ps {
			if p.Email != "" && byEmail[p.Email] == nil {
				byEmail[p.Email] = p
			}
			if p.IDNumber != "" && byID[p.IDNumber] == nil {
				byID[p.IDNumber] = p
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	var out []*medic.Patient
	created := 0
	for _, g := range generatePatients(spec.Slug, spec.City, patientsPerPractice) {
		if p := byEmail[g.Email]; p != nil {
			out = append(out, p)
			continue
		}
		if p := byID[g.IDNumber]; p != nil {
			out = append(out, p)
			continue
		}
		p := g
		if err := p.Validate(today); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", p.FullName(), err)
		}
		if err := l.s.CreatePatient(ctx, &p); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", p.FullName(), err)
		}
		out = append(out, &p)
		created++
	}
	return out, created, nil
}

// bookingChance is the chance that the demo books a free slot days ahead:
// this week fuller than next.
func bookingChance(days int) float64 { return 0.55 - 0.02*float64(days) }

// appointments books the practitioner's demo appointments over the coming
// two weeks through the store, each claiming the slots the availability
// engine gives it, so availability sees them as taken. What each day holds
// is drawn from a generator seeded by the practice, practitioner and date,
// so a reload plans the same; a planned appointment is skipped if the
// practitioner already has one (in any status, by the demo or a visitor)
// overlapping it, or a slot it needs is full. Appointments earlier today
// are completed (a few missed or cancelled), the current one is in
// progress, and a few later ones are cancelled with a reason.
func (l *loader) appointments(ctx context.Context, spec practiceSpec, zone *time.Location, today medic.Date, pr *medic.Practitioner,
	types []*medic.AppointmentType, patients []*medic.Patient) (int, error) {
	if pr.Status != medic.PractitionerActive || len(patients) == 0 {
		return 0, nil
	}
	now := l.clock.Now()
	from, to := today.In(zone), today.AddDays(scheduleDays).In(zone)
	rules, err := l.s.ListScheduleRules(ctx, pr.ID)
	if err != nil {
		return 0, err
	}
	exceptions, err := l.s.ListScheduleExceptions(ctx, pr.ID, from.Add(-24*time.Hour), to.Add(24*time.Hour))
	if err != nil {
		return 0, err
	}
	places, err := l.s.BookedPlaces(ctx, pr.ID, from.Add(-24*time.Hour), to.Add(24*time.Hour))
	if err != nil {
		return 0, err
	}
	booked := make(map[time.Time]int, len(places))
	for t, n := range places {
		booked[t.UTC()] = n
	}
	var taken []medic.Interval // every appointment of the practitioner, whatever its status
	page := medic.Page{Limit: medic.MaxLimit}
	for {
		as, next, err := l.s.ListAppointments(ctx, medic.AppointmentFilter{PractitionerID: pr.ID, From: from.Add(-24 * time.Hour), To: to}, page)
		if err != nil {
			return 0, err
		}
		for _, a := range as {
			taken = append(taken, medic.Interval{Start: a.Start, End: a.End})
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}

	n := 0
	for d := range scheduleDays {
		day := today.AddDays(d)
		r := newRand("appointments", spec.Slug, pr.Name, day.String())
		in := medic.AvailabilityInput{Location: zone, Now: day.In(zone), From: day.In(zone), To: day.AddDays(1).In(zone),
			Practitioner: pr, Rules: rules, Exceptions: exceptions, Booked: booked, IgnoreCapacity: true}
		grid := medic.ComputeSlots(in)
		byType := make([][]medic.Slot, len(types))
		for i, t := range types {
			in.Type = t
			byType[i] = medic.ComputeSlots(in)
		}
		for _, s := range grid {
			// Draw everything for every slot, booked or not, so that one
			// slot's fate never shifts another's.
			book := r.Float64() < bookingChance(d)
			typeRoll, patientRoll, statusRoll, sourceRoll, noteRoll, reasonRoll := r.IntN(100), r.IntN(1<<20), r.IntN(100), r.IntN(100), r.IntN(1<<20), r.IntN(1<<20)
			if !book {
				continue
			}
			ti := pickType(typeRoll)
			slot, ok := medic.FindSlot(byType[ti], s.Start, s.LocationID)
			if !ok { // e.g. a 30-minute visit in a block's last slot
				ti = 0
				if slot, ok = medic.FindSlot(byType[ti], s.Start, s.LocationID); !ok {
					continue
				}
			}
			if overlaps(taken, slot.Start, slot.End) || full(booked, slot.Claims) {
				continue
			}
			ts := appointmentTypes[ti]
			patient := choosePatient(patients, patientRoll, ts.Name == "Chronic care review")
			source := medic.SourceDesk
			if ts.OnlineBookable && sourceRoll < 30 {
				source = medic.SourceOnline
			}
			status, reason := demoStatus(slot, now, statusRoll, reasonRoll)
			ap := &medic.Appointment{PatientID: patient.ID, PractitionerID: pr.ID, LocationID: slot.LocationID, AppointmentTypeID: types[ti].ID,
				Start: slot.Start, End: slot.End, Status: medic.StatusBooked, Source: source, Notes: ts.Notes[noteRoll%len(ts.Notes)]}
			if err := l.s.BookAppointment(ctx, ap, slot.Claims); medic.ErrorCode(err) == medic.ECONFLICT {
				continue // taken after all; the store said so
			} else if err != nil {
				return 0, err
			}
			from := medic.StatusBooked
			for _, next := range statusPath[status] {
				if err := l.s.SetAppointmentStatus(ctx, ap.ID, from, next, reason); err != nil {
					return 0, err
				}
				from = next
			}
			// The desk hears of the patients' own bookings of the coming
			// days (and their cancellations), as online booking tells it.
			if source == medic.SourceOnline && d < onlineNoticeDays {
				kind, verb := medic.NotificationOnlineBooking, "booked online"
				if status == medic.StatusCancelled {
					kind, verb = medic.NotificationOnlineCancellation, "cancelled online"
				}
				if err := l.s.CreateNotification(ctx, &medic.Notification{Kind: kind, AppointmentID: ap.ID,
					Title: patient.FullName() + " " + verb,
					Body:  fmt.Sprintf("%s with %s, %s.", ts.Name, pr.Name, slot.Start.In(zone).Format("Mon 2 Jan 2006 15:04"))}); err != nil {
					return 0, err
				}
			}
			taken = append(taken, medic.Interval{Start: slot.Start, End: slot.End})
			if status.Holds() {
				for _, c := range slot.Claims {
					booked[c.Start.UTC()]++
				}
			}
			n++
		}
	}
	return n, nil
}

// onlineNoticeDays is how many days ahead the demo's online bookings come
// with the notification a real one makes (not the whole fortnight's).
const onlineNoticeDays = 3

// statusPath is how a booked appointment reaches a status.
var statusPath = map[medic.AppointmentStatus][]medic.AppointmentStatus{
	medic.StatusBooked:     nil,
	medic.StatusCheckedIn:  {medic.StatusCheckedIn},
	medic.StatusInProgress: {medic.StatusCheckedIn, medic.StatusInProgress},
	medic.StatusCompleted:  {medic.StatusCheckedIn, medic.StatusInProgress, medic.StatusCompleted},
	medic.StatusNoShow:     {medic.StatusNoShow},
	medic.StatusCancelled:  {medic.StatusCancelled},
}

// demoStatus is where an appointment stands at now: over ones completed
// (some missed, a few cancelled), the current one in progress or checked
// in, the next half hour's partly checked in, later ones booked (a few
// cancelled).
func demoStatus(s medic.Slot, now time.Time, roll, reasonRoll int) (medic.AppointmentStatus, string) {
	reason := cancelReasons[reasonRoll%len(cancelReasons)]
	switch {
	case !s.End.After(now):
		switch {
		case roll < 7:
			return medic.StatusNoShow, ""
		case roll < 12:
			return medic.StatusCancelled, reason
		}
		return medic.StatusCompleted, ""
	case !s.Start.After(now):
		if roll < 70 {
			return medic.StatusInProgress, ""
		}
		return medic.StatusCheckedIn, ""
	case s.Start.Sub(now) <= 30*time.Minute && roll < 50:
		return medic.StatusCheckedIn, ""
	case roll < 7:
		return medic.StatusCancelled, reason
	}
	return medic.StatusBooked, ""
}

// pickType chooses an appointment type by weight from a roll in [0, 100).
func pickType(roll int) int {
	for i, t := range appointmentTypes {
		if roll < t.Weight {
			return i
		}
		roll -= t.Weight
	}
	return 0
}

// choosePatient picks a chart by roll; a chronic care review goes to the
// next patient with a chronic condition.
func choosePatient(patients []*medic.Patient, roll int, chronic bool) *medic.Patient {
	i := roll % len(patients)
	if chronic {
		for k := range patients {
			if p := patients[(i+k)%len(patients)]; len(p.ChronicConditions) > 0 {
				return p
			}
		}
	}
	return patients[i]
}

func overlaps(taken []medic.Interval, start, end time.Time) bool {
	for _, t := range taken {
		if t.Start.Before(end) && start.Before(t.End) {
			return true
		}
	}
	return false
}

func full(booked map[time.Time]int, claims []medic.SlotClaim) bool {
	for _, c := range claims {
		if booked[c.Start.UTC()] >= c.Capacity {
			return true
		}
	}
	return false
}
