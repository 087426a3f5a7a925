package medic

import (
	"context"
	"strings"
	"time"
)

// AppointmentType is a kind of visit with a duration.
type AppointmentType struct {
	ID              string
	PracticeID      string
	Name            string
	DurationMinutes int
	Color           string
	OnlineBookable  bool
	Active          bool
	// TariffCodeID is the consultation code billed for a visit of this
	// type ("" for none).
	TariffCodeID string
	CreatedAt    time.Time
}

// Validate checks the fields a user can set.
func (t *AppointmentType) Validate() error {
	f := FieldErrors{}
	f.RequiredLine("name", &t.Name, MaxShortText, "Enter a name.")
	if t.DurationMinutes < 5 || t.DurationMinutes > 480 {
		f.Add("duration_minutes", "Use 5 to 480 minutes.")
	}
	if t.Color = strings.TrimSpace(t.Color); t.Color == "" {
		t.Color = "#1a6fb0"
	} else if c, err := NormalizeColor(t.Color); err != nil {
		f.Add("color", ErrorMessage(err))
	} else {
		t.Color = c
	}
	return f.Err()
}

type AppointmentStatus string

const (
	StatusBooked     AppointmentStatus = "booked"
	StatusCheckedIn  AppointmentStatus = "checked_in"
	StatusInProgress AppointmentStatus = "in_progress"
	StatusCompleted  AppointmentStatus = "completed"
	StatusCancelled  AppointmentStatus = "cancelled"
	StatusNoShow     AppointmentStatus = "no_show"
)

// AppointmentStatuses in the order a visit goes through them.
var AppointmentStatuses = []AppointmentStatus{StatusBooked, StatusCheckedIn, StatusInProgress, StatusCompleted, StatusCancelled, StatusNoShow}

var statusTransitions = map[AppointmentStatus][]AppointmentStatus{
	StatusBooked:     {StatusCheckedIn, StatusCancelled, StatusNoShow},
	StatusCheckedIn:  {StatusInProgress, StatusCancelled, StatusNoShow},
	StatusInProgress: {StatusCompleted},
}

// CanBecome reports whether an appointment may move from s to next.
func (s AppointmentStatus) CanBecome(next AppointmentStatus) bool {
	for _, n := range statusTransitions[s] {
		if n == next {
			return true
		}
	}
	return false
}

// Holds reports whether an appointment in status s occupies its slots.
func (s AppointmentStatus) Holds() bool { return s != StatusCancelled && s != StatusNoShow }

type AppointmentSource string

const (
	SourceDesk   AppointmentSource = "desk"
	SourceOnline AppointmentSource = "online"
)

// Appointment is a booked visit.
type Appointment struct {
	ID                string
	PracticeID        string
	PatientID         string
	PractitionerID    string
	LocationID        string
	AppointmentTypeID string
	Start, End        time.Time
	Status            AppointmentStatus
	Source            AppointmentSource
	Notes             string
	CancelReason      string
	// Overbooked appointments were booked beyond capacity by an admin or
	// doctor who gave OverbookReason.
	Overbooked     bool
	OverbookReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// Joined for display.
	PatientName      string
	PractitionerName string
	LocationName     string
	TypeName         string
	TypeColor        string
}

// Reference is the appointment's short reference for people: the last
// eight hex digits of its id (random in a UUIDv7), upper case.
func (a *Appointment) Reference() string {
	if len(a.ID) < 8 {
		return ""
	}
	return strings.ToUpper(a.ID[len(a.ID)-8:])
}

// ParseReference reads a reference as typed ("4f2a9c1e", "#4F2A 9C1E");
// ok is false unless it is eight hex digits.
func ParseReference(s string) (ref string, ok bool) {
	s = strings.TrimPrefix(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), "#")
	if len(s) != 8 {
		return "", false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return "", false
		}
	}
	return strings.ToLower(s), true
}

// AppointmentFilter narrows an appointment listing; zero fields match all.
type AppointmentFilter struct {
	PatientID string
	// PatientIDs, when set, keeps the records of any of these charts (a
	// bulk export reads charts in batches).
	PatientIDs     []string
	PractitionerID string
	LocationID     string
	From, To       time.Time // appointments starting in [From, To)
	Statuses       []AppointmentStatus
	Descending     bool // latest start first (ListAppointments)
}

// SlotClaim is one slot an appointment occupies, with the capacity the
// schedule gives it. The store counts places per (practitioner, slot start)
// and the database refuses a count above capacity.
type SlotClaim struct {
	Start    time.Time
	Capacity int
}

// ErrSlotFull is the answer when the database refuses a booking.
var ErrSlotFull = &Error{Code: ECONFLICT, Message: "That time was just taken. Choose another slot."}

// AppointmentService stores appointments of the practice in context;
// ENOTFOUND for another practice's.
type AppointmentService interface {
	ListAppointments(ctx context.Context, f AppointmentFilter, p Page) ([]*Appointment, string, error)
	// ListAppointmentRange lists the first limit appointments matching f by
	// start time in one read, for a view of a bounded range (a calendar's
	// day or week) that shows them all rather than page by page.
	ListAppointmentRange(ctx context.Context, f AppointmentFilter, limit int) ([]*Appointment, error)
	FindAppointment(ctx context.Context, id string) (*Appointment, error)
	// PatientVisits returns a chart's next appointment from now that still
	// holds its place (booked, checked in, in progress) and its last
	// completed visit before now; either may be nil.
	PatientVisits(ctx context.Context, patientID string, now time.Time) (next, last *Appointment, err error)
	// FindAppointmentByReference finds the appointment whose Reference is
	// ref (lower case, from ParseReference); ENOTFOUND if none.
	FindAppointmentByReference(ctx context.Context, ref string) (*Appointment, error)
	// BookAppointment inserts a and takes one place in each claimed slot in
	// the same transaction; ErrSlotFull if any slot is full (unless
	// a.Overbooked, whose places are counted apart and never refused).
	BookAppointment(ctx context.Context, a *Appointment, claims []SlotClaim) error
	// MoveAppointment releases a's places and claims the new ones
	// atomically; ErrSlotFull leaves the appointment where it was.
	MoveAppointment(ctx context.Context, a *Appointment, start, end time.Time, claims []SlotClaim) error
	// SetAppointmentStatus changes the status if it is still `from`
	// (ECONFLICT otherwise); leaving a holding status releases the places.
	SetAppointmentStatus(ctx context.Context, id string, from, to AppointmentStatus, reason string) error
	// BookedPlaces counts the places taken per slot start of a practitioner
	// in [from, to) (overbooked places excluded).
	BookedPlaces(ctx context.Context, practitionerID string, from, to time.Time) (map[time.Time]int, error)
	// Busy lists the holding appointments of a practitioner overlapping [from, to).
	Busy(ctx context.Context, practitionerID string, from, to time.Time) ([]Interval, error)
	CountAppointmentsByStatus(ctx context.Context, from, to time.Time) (map[AppointmentStatus]int, error)
	// AppointmentsVersion changes whenever the appointments matching f
	// change (added, moved in or out, status): a cheap check before a reload.
	AppointmentsVersion(ctx context.Context, f AppointmentFilter) (string, error)
	// DailyCounts counts holding appointments per local day in [from, to).
	DailyCounts(ctx context.Context, from, to time.Time, loc *time.Location) (map[Date]int, error)
}

// AppointmentTypeService manages appointment types of the practice in context.
type AppointmentTypeService interface {
	ListAppointmentTypes(ctx context.Context) ([]*AppointmentType, error)
	FindAppointmentType(ctx context.Context, id string) (*AppointmentType, error)
	CreateAppointmentType(ctx context.Context, t *AppointmentType) error
	UpdateAppointmentType(ctx context.Context, t *AppointmentType) error
}

// Interval is a half-open time range [Start, End).
type Interval struct{ Start, End time.Time }

// CheckText checks the free text of a stored appointment with the rules its
// use cases apply (notes multi-line; reasons one line).
func (a *Appointment) CheckText() error {
	f := FieldErrors{}
	notes, cancel, overbook := a.Notes, a.CancelReason, a.OverbookReason
	f.MultiLine("notes", &notes, MaxNotesLength)
	f.Line("cancel_reason", &cancel, MaxReasonLength)
	f.Line("overbook_reason", &overbook, MaxReasonLength)
	return f.Err()
}

// DayTally is the one definition of a day's appointment figures, shown by
// the dashboard and by Today alike: every appointment of the day counted
// under its status, and Expected, those that still hold their time (not
// cancelled, not a no-show), which is also what the week chart counts.
type DayTally struct {
	ByStatus map[AppointmentStatus]int
	Expected int
	Total    int
}

// TallyStatuses builds the day's tally from counts per status.
func TallyStatuses(byStatus map[AppointmentStatus]int) DayTally {
	t := DayTally{ByStatus: map[AppointmentStatus]int{}}
	for s, n := range byStatus {
		t.ByStatus[s] = n
		t.Total += n
		if s.Holds() {
			t.Expected += n
		}
	}
	return t
}

// TallyAppointments is TallyStatuses for a list of appointments.
func TallyAppointments(as []*Appointment) DayTally {
	by := map[AppointmentStatus]int{}
	for _, a := range as {
		by[a.Status]++
	}
	return TallyStatuses(by)
}

// CheckStatusDay refuses a status change that does not fit the appointment's
// date in the practice's time zone loc, today being the practice's date:
// arrival (check-in) and starting the visit only on its own day, a no-show
// not before its day. Other changes (cancel, complete) are not tied to a day.
func (a *Appointment) CheckStatusDay(to AppointmentStatus, today Date, loc *time.Location) error {
	day := DateOf(a.Start.In(loc))
	on := day.Time().Format("Mon 2 Jan 2006")
	switch to {
	case StatusCheckedIn, StatusInProgress:
		if !day.Equal(today) {
			what := "checked in"
			if to == StatusInProgress {
				what = "started"
			}
			return &Error{Code: ECONFLICT, Message: "This appointment is on " + on + "; it can only be " + what + " on that day.",
				Fields: map[string]string{"status": "Only on " + on + "."}}
		}
	case StatusNoShow:
		if day.After(today) {
			return &Error{Code: ECONFLICT, Message: "This appointment is on " + on + "; it cannot be marked as a no-show before that day.",
				Fields: map[string]string{"status": "Not before " + on + "."}}
		}
	}
	return nil
}
