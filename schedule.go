package medic

import (
	"context"
	"fmt"
	"time"
)

// Clock times are minutes after local midnight in the practice's zone.
type ClockTime int

// ParseClockTime parses HH:MM (24:00 is the end of the day).
func ParseClockTime(s string) (ClockTime, error) {
	if s == "24:00" {
		return 24 * 60, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, Errorf(EINVALID, "Use a time like 08:30.")
	}
	return ClockTime(t.Hour()*60 + t.Minute()), nil
}

func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// On is the instant of wall-clock time c on day in loc, read the way the
// availability engine reads it (the first of a repeated reading; 24:00 is
// the next midnight).
func (c ClockTime) On(day Date, loc *time.Location) time.Time {
	t, _ := wallClock(day, c, loc)
	return t
}

// ScheduleRule is a weekly working block of a practitioner at a location.
type ScheduleRule struct {
	ID                 string
	PracticeID         string
	PractitionerID     string
	LocationID         string
	Weekday            time.Weekday
	Start, End         ClockTime
	SlotMinutes        int
	Capacity           int      // bookings per slot
	AppointmentTypeIDs []string // empty: every type
	EffectiveFrom      Date
	EffectiveTo        Date // zero: open-ended
	CreatedAt          time.Time
}

// ActiveOn reports whether the rule applies on day.
func (r *ScheduleRule) ActiveOn(day Date) bool {
	return day.Weekday() == r.Weekday && !day.Before(r.EffectiveFrom) && (r.EffectiveTo.IsZero() || !day.After(r.EffectiveTo))
}

// Allows reports whether appointments of typeID may be booked in the rule.
func (r *ScheduleRule) Allows(typeID string) bool {
	if len(r.AppointmentTypeIDs) == 0 {
		return true
	}
	for _, t := range r.AppointmentTypeIDs {
		if t == typeID {
			return true
		}
	}
	return false
}

// Overlaps reports whether two rules of one practitioner clash: same
// weekday, overlapping hours and overlapping effective periods.
func (r *ScheduleRule) Overlaps(o *ScheduleRule) bool {
	if r.Weekday != o.Weekday || r.Start >= o.End || o.Start >= r.End {
		return false
	}
	rEnd, oEnd := r.EffectiveTo, o.EffectiveTo
	return (rEnd.IsZero() || !rEnd.Before(o.EffectiveFrom)) && (oEnd.IsZero() || !oEnd.Before(r.EffectiveFrom))
}

// Validate checks a rule on its own (overlaps are checked by the use case).
func (r *ScheduleRule) Validate() error {
	f := FieldErrors{}
	if r.PractitionerID == "" {
		f.Add("practitioner_id", "Choose a practitioner.")
	}
	if r.LocationID == "" {
		f.Add("location_id", "Choose a location.")
	}
	if r.Weekday < time.Sunday || r.Weekday > time.Saturday {
		f.Add("weekday", "Choose a weekday.")
	}
	if r.Start < 0 || r.End > 24*60 || r.Start >= r.End {
		f.Add("end", "The end must be after the start, within one day.")
	}
	if r.SlotMinutes < 5 || r.SlotMinutes > 480 {
		f.Add("slot_minutes", "Use 5 to 480 minutes.")
	} else if r.End > r.Start && int(r.End-r.Start)%r.SlotMinutes != 0 {
		f.Add("slot_minutes", "The working hours must divide into whole slots.")
	}
	if r.Capacity < 1 || r.Capacity > 100 {
		f.Add("capacity", "Use 1 to 100 bookings per slot.")
	}
	if r.EffectiveFrom.IsZero() {
		f.Add("effective_from", "Enter the date the rule starts.")
	}
	if !r.EffectiveTo.IsZero() && r.EffectiveTo.Before(r.EffectiveFrom) {
		f.Add("effective_to", "The rule cannot end before it starts.")
	}
	return f.Err()
}

type ExceptionKind string

const (
	// ExceptionLeave blocks a range: no slots inside it.
	ExceptionLeave ExceptionKind = "leave"
	// ExceptionExtra adds one-off working hours at a location.
	ExceptionExtra ExceptionKind = "extra"
)

// ScheduleException is leave or one-off extra hours of a practitioner.
type ScheduleException struct {
	ID             string
	PracticeID     string
	PractitionerID string
	Kind           ExceptionKind
	Start, End     time.Time // the range (leave) or the extra hours
	LocationID     string    // extra hours only
	SlotMinutes    int       // extra hours only
	Capacity       int       // extra hours only
	Reason         string
	CreatedAt      time.Time
}

// Validate checks the exception.
func (e *ScheduleException) Validate() error {
	f := FieldErrors{}
	if e.PractitionerID == "" {
		f.Add("practitioner_id", "Choose a practitioner.")
	}
	if e.Start.IsZero() || e.End.IsZero() || !e.End.After(e.Start) {
		f.Add("end", "The end must be after the start.")
	}
	switch e.Kind {
	case ExceptionLeave:
	case ExceptionExtra:
		if e.LocationID == "" {
			f.Add("location_id", "Choose a location for the extra hours.")
		}
		if e.SlotMinutes < 5 || e.SlotMinutes > 480 {
			f.Add("slot_minutes", "Use 5 to 480 minutes.")
		} else if e.End.After(e.Start) && int(e.End.Sub(e.Start).Minutes())%e.SlotMinutes != 0 {
			f.Add("slot_minutes", "The extra hours must divide into whole slots.")
		}
		if e.Capacity < 1 || e.Capacity > 100 {
			f.Add("capacity", "Use 1 to 100 bookings per slot.")
		}
		if e.End.Sub(e.Start) > 24*time.Hour {
			f.Add("end", "Extra hours cover at most one day.")
		}
	default:
		f.Add("kind", "Choose leave or extra.")
	}
	f.Line("reason", &e.Reason, 300)
	return f.Err()
}

// ScheduleService manages rules and exceptions of the practice in context.
type ScheduleService interface {
	// ListScheduleRules lists rules, optionally of one practitioner ("" for all).
	ListScheduleRules(ctx context.Context, practitionerID string) ([]*ScheduleRule, error)
	FindScheduleRule(ctx context.Context, id string) (*ScheduleRule, error)
	CreateScheduleRule(ctx context.Context, r *ScheduleRule) error
	UpdateScheduleRule(ctx context.Context, r *ScheduleRule) error
	DeleteScheduleRule(ctx context.Context, id string) error
	// ListScheduleExceptions lists exceptions of a practitioner ("" for
	// all) overlapping [from, to).
	ListScheduleExceptions(ctx context.Context, practitionerID string, from, to time.Time) ([]*ScheduleException, error)
	FindScheduleException(ctx context.Context, id string) (*ScheduleException, error)
	CreateScheduleException(ctx context.Context, e *ScheduleException) error
	DeleteScheduleException(ctx context.Context, id string) error
	// LockPractitionerSchedule serialises schedule changes of one
	// practitioner until the transaction ends (overlap checks stay true).
	LockPractitionerSchedule(ctx context.Context, practitionerID string) error
	// LoadSchedule reads everything availability and booking need in one
	// go (one round trip): the hot paths make no other reads.
	LoadSchedule(ctx context.Context, q ScheduleQuery) (*ScheduleSnapshot, error)
}

// ScheduleQuery says what LoadSchedule reads. Empty ids are not read; an
// id of another practice reads as nil.
type ScheduleQuery struct {
	PatientID, LocationID, AppointmentTypeID string
	// PractitionerID "" reads every practitioner of the practice.
	PractitionerID string
	// From and To bound the exceptions, taken places and (with Busy) the
	// holding appointments read; those are read only when the practice has
	// buffer minutes, the one use of them.
	From, To time.Time
	Busy     bool
}

// ScheduleSnapshot is what LoadSchedule read for the practice in context.
type ScheduleSnapshot struct {
	Practice      *Practice
	Patient       *Patient         // nil: not asked, or not of this practice
	Location      *Location        // likewise
	Type          *AppointmentType // likewise
	Practitioners []*PractitionerSchedule
}

// PractitionerSchedule is one practitioner with the inputs of the
// availability engine.
type PractitionerSchedule struct {
	Practitioner *Practitioner
	Rules        []*ScheduleRule
	Exceptions   []*ScheduleException
	Booked       map[time.Time]int
	Busy         []Interval
}

// CoveredBySchedule reports whether an appointment lies inside working
// hours: inside one block of a rule active that day at its location, or of
// extra hours, and outside every leave.
func CoveredBySchedule(ap *Appointment, rules []*ScheduleRule, exceptions []*ScheduleException, loc *time.Location) bool {
	for _, e := range exceptions {
		if e.Kind == ExceptionLeave && ap.Start.Before(e.End) && e.Start.Before(ap.End) {
			return false
		}
	}
	for _, e := range exceptions {
		if e.Kind == ExceptionExtra && e.LocationID == ap.LocationID && !ap.Start.Before(e.Start) && !ap.End.After(e.End) {
			return true
		}
	}
	start := ap.Start.In(loc)
	day := DateOf(start)
	for _, r := range rules {
		if r.LocationID != ap.LocationID || !r.ActiveOn(day) {
			continue
		}
		blockStart := r.Start.On(day, loc)
		blockEnd := r.End.On(day, loc)
		if !ap.Start.Before(blockStart) && !ap.End.After(blockEnd) {
			return true
		}
	}
	return false
}
