package medic_test

import (
	"testing"
	"time"

	"medic"
)

func TestChangeRule(t *testing.T) {
	loc := time.FixedZone("SAST", 2*3600)
	start := time.Date(2026, 12, 8, 9, 0, 0, 0, loc)
	b := medic.BookingSettings{CancellationWindowMinutes: 24 * 60}
	for _, c := range []struct {
		now  time.Time
		b    medic.BookingSettings
		want string
	}{
		{start.Add(-48 * time.Hour), b, "You can move or cancel this appointment online until Mon 7 Dec 2026, 09:00 (24 hours before it starts)."},
		// Booked inside the window: closed from the first, and never "closed at" a time before the booking.
		{start.Add(-2 * time.Hour), b, "This appointment can no longer be moved or cancelled online (online changes close 24 hours before it starts)."},
		{start.Add(-24 * time.Hour), b, "This appointment can no longer be moved or cancelled online (online changes close 24 hours before it starts)."},
		{start.Add(-time.Minute), medic.BookingSettings{}, "You can move or cancel this appointment online until Tue 8 Dec 2026, 09:00 (until it starts)."},
		{start.Add(-3 * time.Hour), medic.BookingSettings{CancellationWindowMinutes: 90}, "You can move or cancel this appointment online until Tue 8 Dec 2026, 07:30 (90 minutes before it starts)."},
	} {
		r := c.b.ChangeRule(start, c.now)
		if got := r.Sentence(loc); got != c.want {
			t.Errorf("at %v: %q, want %q", c.now, got, c.want)
		}
		if r.Open != c.now.Before(r.Deadline) {
			t.Errorf("at %v: open %v", c.now, r.Open)
		}
	}
}
