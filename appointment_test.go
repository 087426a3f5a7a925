package medic_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

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
