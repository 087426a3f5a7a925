package medic

import (
	"strconv"
	"time"
)

// ChangeRule is whether a patient may still move or cancel an appointment
// online: until the practice's cancellation window before its start. It
// is computed from the appointment's start alone (not from when it was
// booked), so a booking made inside the window is closed from the first.
type ChangeRule struct {
	Deadline time.Time
	Open     bool // now is before Deadline
	Window   int  // minutes before the start
}

// ChangeRule is the rule for an appointment starting at start, at now.
func (b BookingSettings) ChangeRule(start, now time.Time) ChangeRule {
	d := start.Add(-time.Duration(b.CancellationWindowMinutes) * time.Minute)
	return ChangeRule{Deadline: d, Open: now.Before(d), Window: b.CancellationWindowMinutes}
}

// Sentence states the rule to the patient in the practice's zone: the
// same words on the booking's done page, in its confirmation mail and on
// its manage page.
func (c ChangeRule) Sentence(loc *time.Location) string {
	why := "until it starts"
	if c.Window > 0 {
		why = MinutesLabel(c.Window) + " before it starts"
	}
	if c.Open {
		return "You can move or cancel this appointment online until " + c.Deadline.In(loc).Format("Mon 2 Jan 2006, 15:04") + " (" + why + ")."
	}
	return "This appointment can no longer be moved or cancelled online (online changes close " + why + ")."
}

// MinutesLabel shows a span of minutes in words: "24 hours", "90 minutes".
func MinutesLabel(m int) string {
	switch {
	case m%(24*60) == 0 && m >= 48*60:
		return strconv.Itoa(m/(24*60)) + " days"
	case m%60 == 0 && m != 60 && m != 0:
		return strconv.Itoa(m/60) + " hours"
	case m == 60:
		return "1 hour"
	case m == 1:
		return "1 minute"
	}
	return strconv.Itoa(m) + " minutes"
}
