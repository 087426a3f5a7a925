package medic_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"medic"
)

// TestAppointmentStatusTransitions writes out every allowed move by hand;
// every other pair of statuses must be refused.
func TestAppointmentStatusTransitions(t *testing.T) {
	type move struct{ from, to medic.AppointmentStatus }
	allowed := map[move]string{
		{medic.StatusBooked, medic.StatusCheckedIn}:     "the patient arrives",
		{medic.StatusBooked, medic.StatusCancelled}:     "cancelled ahead",
		{medic.StatusBooked, medic.StatusNoShow}:        "never came",
		{medic.StatusCheckedIn, medic.StatusInProgress}: "called in",
		{medic.StatusCheckedIn, medic.StatusCancelled}:  "left before being seen",
		{medic.StatusCheckedIn, medic.StatusNoShow}:     "gone from the waiting room",
		{medic.StatusInProgress, medic.StatusCompleted}: "seen",
	}
	for _, from := range medic.AppointmentStatuses {
		for _, to := range medic.AppointmentStatuses {
			_, want := allowed[move{from, to}]
			if got := from.CanBecome(to); got != want {
				t.Errorf("%s -> %s: CanBecome = %v, want %v", from, to, got, want)
			}
		}
	}
	// A few refusals a desk user would try, spelled out.
	for _, m := range []move{
		{medic.StatusCompleted, medic.StatusBooked},
		{medic.StatusCancelled, medic.StatusBooked},
		{medic.StatusNoShow, medic.StatusCheckedIn},
		{medic.StatusBooked, medic.StatusCompleted},
		{medic.StatusBooked, medic.StatusInProgress},
		{medic.StatusInProgress, medic.StatusCancelled},
		{medic.StatusBooked, medic.StatusBooked},
		{medic.StatusBooked, "rescheduled"},
		{"", medic.StatusBooked},
	} {
		if m.from.CanBecome(m.to) {
			t.Errorf("%q -> %q allowed", m.from, m.to)
		}
	}
	if len(medic.AppointmentStatuses) != 6 {
		t.Errorf("AppointmentStatuses has %d statuses; update this test's table", len(medic.AppointmentStatuses))
	}
}

func TestAppointmentStatusHolds(t *testing.T) {
	holds := map[medic.AppointmentStatus]bool{
		medic.StatusBooked: true, medic.StatusCheckedIn: true, medic.StatusInProgress: true, medic.StatusCompleted: true,
		medic.StatusCancelled: false, medic.StatusNoShow: false,
	}
	for _, s := range medic.AppointmentStatuses {
		if s.Holds() != holds[s] {
			t.Errorf("%s.Holds() = %v, want %v", s, s.Holds(), holds[s])
		}
	}
}

func TestAppointmentTypeValidate(t *testing.T) {
	tests := []struct {
		typ    medic.AppointmentType
		fields []string
	}{
		{medic.AppointmentType{Name: "Consultation", DurationMinutes: 15, Color: "#AABBCC"}, nil},
		{medic.AppointmentType{Name: "  ", DurationMinutes: 15}, []string{"name"}},
		{medic.AppointmentType{Name: "Quick", DurationMinutes: 4}, []string{"duration_minutes"}},
		{medic.AppointmentType{Name: "Long", DurationMinutes: 481}, []string{"duration_minutes"}},
		{medic.AppointmentType{Name: "Red", DurationMinutes: 30, Color: "red"}, []string{"color"}},
		{medic.AppointmentType{Name: "Short hex", DurationMinutes: 30, Color: "#abc"}, []string{"color"}},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i, tt.typ.Name), func(t *testing.T) {
			typ := tt.typ
			err := typ.Validate()
			if got := slices.Sorted(maps.Keys(medic.ErrorFields(err))); !slices.Equal(got, tt.fields) {
				t.Errorf("field errors %v (%v), want %v", got, err, tt.fields)
			}
		})
	}
	typ := medic.AppointmentType{Name: " Check-up ", DurationMinutes: 20}
	if err := typ.Validate(); err != nil || typ.Color != "#1a6fb0" || typ.Name != "Check-up" {
		t.Errorf("defaults: %+v, %v", typ, err)
	}
}

func TestTallyCountsEveryStatusAndExpectsHoldingOnes(t *testing.T) {
	as := []*medic.Appointment{{Status: medic.StatusBooked}, {Status: medic.StatusCheckedIn}, {Status: medic.StatusCompleted}, {Status: medic.StatusNoShow}, {Status: medic.StatusCancelled}, {Status: medic.StatusCancelled}}
	got := medic.TallyAppointments(as)
	if got.Total != 6 || got.Expected != 3 || got.ByStatus[medic.StatusCancelled] != 2 || got.ByStatus[medic.StatusNoShow] != 1 {
		t.Fatalf("tally = %+v", got)
	}
	if again := medic.TallyStatuses(got.ByStatus); again.Total != got.Total || again.Expected != got.Expected {
		t.Fatalf("tally from counts %+v differs from tally of the list %+v", again, got)
	}
}

func TestCheckStatusDay(t *testing.T) {
	loc, err := time.LoadLocation("Africa/Johannesburg")
	if err != nil {
		t.Fatal(err)
	}
	today := medic.NewDate(2030, time.March, 5)
	// 23:30 in Johannesburg on the 4th is 21:30 UTC: the practice's date decides.
	lateYesterday := time.Date(2030, time.March, 4, 23, 30, 0, 0, loc)
	earlyToday := time.Date(2030, time.March, 5, 0, 15, 0, 0, loc)
	tomorrow := time.Date(2030, time.March, 6, 9, 0, 0, 0, loc)
	for _, c := range []struct {
		start time.Time
		to    medic.AppointmentStatus
		ok    bool
	}{
		{earlyToday, medic.StatusCheckedIn, true},
		{earlyToday, medic.StatusInProgress, true},
		{earlyToday, medic.StatusNoShow, true},
		{lateYesterday, medic.StatusCheckedIn, false},
		{lateYesterday, medic.StatusNoShow, true},
		{tomorrow, medic.StatusCheckedIn, false},
		{tomorrow, medic.StatusInProgress, false},
		{tomorrow, medic.StatusNoShow, false},
		{tomorrow, medic.StatusCancelled, true},
		{lateYesterday, medic.StatusCompleted, true},
	} {
		err := (&medic.Appointment{Start: c.start}).CheckStatusDay(c.to, today, loc)
		if (err == nil) != c.ok {
			t.Errorf("%s -> %s: err = %v, want ok %v", c.start, c.to, err, c.ok)
		}
		if err != nil && medic.ErrorCode(err) != medic.ECONFLICT {
			t.Errorf("%s -> %s: code %s", c.start, c.to, medic.ErrorCode(err))
		}
	}
}
