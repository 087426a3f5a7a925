package medic_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST cases must not depend on the machine's zoneinfo

	"medic"
)

// The clinic in these tests is in Johannesburg (no daylight saving) unless a
// case says otherwise. 2026-06-01 is a Monday.
const (
	locA = "loc-a"
	locB = "loc-b"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func mustDate(t testing.TB, s string) medic.Date {
	t.Helper()
	d, err := medic.ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// at is the instant a local clock in loc reads "2006-01-02 15:04".
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

// weekly returns a rule on wd at locA, effective from 2026-01-01, every
// type, capacity 1, cut into slot-minute slots.
func weekly(t testing.TB, wd time.Weekday, start, end string, slot int) *medic.ScheduleRule {
	t.Helper()
	s, err := medic.ParseClockTime(start)
	if err != nil {
		t.Fatal(err)
	}
	e := medic.ClockTime(24 * 60) // ParseClockTime stops at 23:59
	if end != "24:00" {
		if e, err = medic.ParseClockTime(end); err != nil {
			t.Fatal(err)
		}
	}
	return &medic.ScheduleRule{
		ID: "rule-" + wd.String() + "-" + start, PractitionerID: "pr-1", LocationID: locA,
		Weekday: wd, Start: s, End: e, SlotMinutes: slot, Capacity: 1,
		EffectiveFrom: mustDate(t, "2026-01-01"),
	}
}

func consult(minutes int) *medic.AppointmentType {
	return &medic.AppointmentType{ID: "type-consult", Name: "Consultation", DurationMinutes: minutes, Active: true}
}

// baseInput is Dr Dlamini's Monday 09:00-12:00 at locA in 30-minute slots,
// asked for a 30-minute consultation on Monday 1 June 2026, a week ahead.
func baseInput(t testing.TB) medic.AvailabilityInput {
	jhb := mustZone(t, "Africa/Johannesburg")
	return medic.AvailabilityInput{
		Location: jhb,
		Now:      at(t, jhb, "2026-05-25 08:00"),
		From:     at(t, jhb, "2026-06-01 00:00"),
		To:       at(t, jhb, "2026-06-02 00:00"),
		Practitioner: &medic.Practitioner{
			ID: "pr-1", Name: "Dr N. Dlamini", Status: medic.PractitionerActive,
			Assignments: []medic.LocationAssignment{
				{LocationID: locA, Primary: true, StartDate: mustDate(t, "2026-01-01")},
				{LocationID: locB, StartDate: mustDate(t, "2026-01-01")},
			},
		},
		Rules: []*medic.ScheduleRule{weekly(t, time.Monday, "09:00", "12:00", 30)},
		Type:  consult(30),
	}
}

// starts renders slots as local "2006-01-02 15:04" (with the location when
// it is not locA) for comparison with a case's list.
func starts(slots []medic.Slot, loc *time.Location) []string {
	out := make([]string, 0, len(slots))
	for _, s := range slots {
		v := s.Start.In(loc).Format("2006-01-02 15:04")
		if s.LocationID != locA {
			v += " " + s.LocationID
		}
		out = append(out, v)
	}
	return out
}

// on prefixes clock times with a day: on("2026-06-01", "09:00") is
// "2026-06-01 09:00".
func on(day string, clocks ...string) []string {
	out := make([]string, len(clocks))
	for i, c := range clocks {
		out[i] = day + " " + c
	}
	return out
}

func remaining(slots []medic.Slot, loc *time.Location) map[string]int {
	out := map[string]int{}
	for _, s := range slots {
		out[s.Start.In(loc).Format("15:04")] = s.Remaining
	}
	return out
}

func TestComputeSlots(t *testing.T) {
	const mon = "2026-06-01"
	allMorning := on(mon, "09:00", "09:30", "10:00", "10:30", "11:00", "11:30")
	tests := []struct {
		name  string
		setup func(t *testing.T, in *medic.AvailabilityInput)
		want  []string
		check func(t *testing.T, in medic.AvailabilityInput, got []medic.Slot)
	}{
		{
			name: "a weekly rule gives every half hour of the morning",
			want: allMorning,
			check: func(t *testing.T, in medic.AvailabilityInput, got []medic.Slot) {
				for _, s := range got {
					if s.End.Sub(s.Start) != 30*time.Minute || s.Remaining != 1 || s.PractitionerID != "pr-1" || s.LocationID != locA {
						t.Errorf("slot %v: end %v remaining %d practitioner %q location %q", s.Start, s.End, s.Remaining, s.PractitionerID, s.LocationID)
					}
					if len(s.Claims) != 1 || !s.Claims[0].Start.Equal(s.Start) || s.Claims[0].Capacity != 1 {
						t.Errorf("slot %v: claims %+v, want the slot itself with capacity 1", s.Start, s.Claims)
					}
				}
			},
		},
		{
			name: "the rule repeats on the same weekday only",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Rules[0] = weekly(t, time.Monday, "09:00", "10:00", 30)
				in.To = at(t, in.Location, "2026-06-15 00:00")
			},
			want: slices.Concat(on("2026-06-01", "09:00", "09:30"), on("2026-06-08", "09:00", "09:30")),
		},
		{
			name: "a rule applies from its effective date to its end date inclusive",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				r := weekly(t, time.Monday, "09:00", "09:30", 30)
				r.EffectiveFrom, r.EffectiveTo = mustDate(t, "2026-06-08"), mustDate(t, "2026-06-15")
				in.Rules[0] = r
				in.To = at(t, in.Location, "2026-06-30 00:00")
			},
			want: []string{"2026-06-08 09:00", "2026-06-15 09:00"},
		},
		{
			name: "no slots at a location outside the practitioner's assignment dates",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Rules[0] = weekly(t, time.Monday, "09:00", "09:30", 30)
				in.Practitioner.Assignments = []medic.LocationAssignment{
					{LocationID: locA, StartDate: mustDate(t, "2026-06-08"), EndDate: mustDate(t, "2026-06-15")},
				}
				in.To = at(t, in.Location, "2026-06-30 00:00")
			},
			want: []string{"2026-06-08 09:00", "2026-06-15 09:00"},
		},
		{
			name: "no slots at a location the practitioner is not assigned to",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Practitioner.Assignments = in.Practitioner.Assignments[1:]
			},
		},
		{
			name: "a rule limited to other appointment types offers nothing",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Rules[0].AppointmentTypeIDs = []string{"type-procedure"}
			},
		},
		{
			name: "a rule listing the type offers it",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Rules[0].AppointmentTypeIDs = []string{"type-procedure", "type-consult"}
			},
			want: allMorning,
		},
		{
			name: "an hour-long visit takes two slots and never runs past the end of the block",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Type = consult(60)
			},
			want: on(mon, "09:00", "09:30", "10:00", "10:30", "11:00"),
			check: func(t *testing.T, in medic.AvailabilityInput, got []medic.Slot) {
				for _, s := range got {
					if s.End.Sub(s.Start) != time.Hour {
						t.Errorf("slot %v ends %v, want an hour later", s.Start, s.End)
					}
					if len(s.Claims) != 2 || !s.Claims[0].Start.Equal(s.Start) || !s.Claims[1].Start.Equal(s.Start.Add(30*time.Minute)) {
						t.Errorf("slot %v claims %+v, want it and the next slot", s.Start, s.Claims)
					}
				}
			},
		},
		{
			name: "a 45-minute visit takes two 30-minute slots but ends after 45 minutes",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Type = consult(45)
			},
			want: on(mon, "09:00", "09:30", "10:00", "10:30", "11:00"),
			check: func(t *testing.T, in medic.AvailabilityInput, got []medic.Slot) {
				if s := got[0]; s.End.Sub(s.Start) != 45*time.Minute || len(s.Claims) != 2 {
					t.Errorf("first slot ends %v with %d claims, want 45 minutes and 2", s.End, len(s.Claims))
				}
			},
		},
		{
			name: "a visit longer than the block is never offered",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Type = consult(240)
			},
		},
		{
			name: "capacity 3 with 2 booked leaves 1 place",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Rules[0].Capacity = 3
				// The store may hand back keys in UTC: lookups go by instant.
				in.Booked = map[time.Time]int{at(t, in.Location, "2026-06-01 09:00").UTC(): 2}
			},
			want: allMorning,
			check: func(t *testing.T, in medic.AvailabilityInput, got []medic.Slot) {
				r := remaining(got, in.Location)
				if r["09:00"] != 1 || r["09:30"] != 3 {
					t.Errorf("remaining %v, want 1 at 09:00 and 3 at 09:30", r)
				}
				if got[0].Claims[0].Capacity != 3 {
					t.Errorf("claim capacity %d, want 3", got[0].Claims[0].Capacity)
				}
			},
		},
		{
			name: "a full slot is hidden",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Booked = map[time.Time]int{at(t, in.Location, "2026-06-01 09:30"): 1}
			},
			want: on(mon, "09:00", "10:00", "10:30", "11:00", "11:30"),
		},
		{
			name: "an hour-long visit is hidden when either of its slots is full",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Type = consult(60)
				in.Booked = map[time.Time]int{at(t, in.Location, "2026-06-01 09:30"): 1}
			},
			want: on(mon, "10:00", "10:30", "11:00"),
		},
		{
			name: "a full slot is listed with no places left when capacity is ignored",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.IgnoreCapacity = true
				in.Booked = map[time.Time]int{at(t, in.Location, "2026-06-01 09:30"): 1}
			},
			want: allMorning,
			check: func(t *testing.T, in medic.AvailabilityInput, got []medic.Slot) {
				if r := remaining(got, in.Location); r["09:30"] != 0 || r["09:00"] != 1 {
					t.Errorf("remaining %v, want 0 at 09:30 and 1 at 09:00", r)
				}
			},
		},
		{
			name: "an overbooked slot shows no places, never a negative count",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.IgnoreCapacity = true
				in.Booked = map[time.Time]int{at(t, in.Location, "2026-06-01 09:00"): 3}
			},
			want: allMorning,
			check: func(t *testing.T, in medic.AvailabilityInput, got []medic.Slot) {
				if got[0].Remaining != 0 {
					t.Errorf("remaining %d, want 0", got[0].Remaining)
				}
			},
		},
		{
			name: "leave removes the slots it touches",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Exceptions = []*medic.ScheduleException{{
					PractitionerID: "pr-1", Kind: medic.ExceptionLeave,
					Start: at(t, in.Location, "2026-06-01 10:00"), End: at(t, in.Location, "2026-06-01 11:00"),
				}}
			},
			want: on(mon, "09:00", "09:30", "11:00", "11:30"),
		},
		{
			name: "leave removes a longer visit that would run into it",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Type = consult(60)
				in.Exceptions = []*medic.ScheduleException{{
					PractitionerID: "pr-1", Kind: medic.ExceptionLeave,
					Start: at(t, in.Location, "2026-06-01 10:00"), End: at(t, in.Location, "2026-06-01 11:00"),
				}}
			},
			want: on(mon, "09:00", "11:00"),
		},
		{
			name: "a week of leave removes the whole day",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Exceptions = []*medic.ScheduleException{{
					PractitionerID: "pr-1", Kind: medic.ExceptionLeave,
					Start: at(t, in.Location, "2026-05-30 00:00"), End: at(t, in.Location, "2026-06-06 00:00"),
				}}
			},
		},
		{
			name: "extra hours add slots of their own length and capacity for every type",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Rules[0].AppointmentTypeIDs = []string{"type-procedure"} // the rule itself offers nothing
				in.To = at(t, in.Location, "2026-06-03 00:00")
				in.Exceptions = []*medic.ScheduleException{{
					ID: "extra-1", PractitionerID: "pr-1", Kind: medic.ExceptionExtra, LocationID: locA,
					Start: at(t, in.Location, "2026-06-02 14:00"), End: at(t, in.Location, "2026-06-02 16:00"),
					SlotMinutes: 20, Capacity: 2,
				}}
			},
			// A 30-minute visit takes two 20-minute slots; 15:40 has no second one.
			want: on("2026-06-02", "14:00", "14:20", "14:40", "15:00", "15:20"),
			check: func(t *testing.T, in medic.AvailabilityInput, got []medic.Slot) {
				s := got[0]
				if s.Remaining != 2 || len(s.Claims) != 2 || s.Claims[1].Capacity != 2 ||
					!s.Claims[1].Start.Equal(s.Start.Add(20*time.Minute)) || !s.End.Equal(s.Start.Add(30*time.Minute)) {
					t.Errorf("first extra slot %+v", s)
				}
			},
		},
		{
			name: "extra hours at a location the practitioner is not assigned to offer nothing",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Rules = nil
				in.Exceptions = []*medic.ScheduleException{{
					PractitionerID: "pr-1", Kind: medic.ExceptionExtra, LocationID: "loc-elsewhere",
					Start: at(t, in.Location, "2026-06-01 14:00"), End: at(t, in.Location, "2026-06-01 15:00"),
					SlotMinutes: 30, Capacity: 1,
				}}
			},
		},
		{
			name: "extra hours that overlap the rule at the same location do not count a slot twice",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Exceptions = []*medic.ScheduleException{{
					PractitionerID: "pr-1", Kind: medic.ExceptionExtra, LocationID: locA,
					Start: at(t, in.Location, "2026-06-01 11:00"), End: at(t, in.Location, "2026-06-01 13:00"),
					SlotMinutes: 30, Capacity: 5,
				}}
			},
			want: slices.Concat(allMorning, on(mon, "12:00", "12:30")),
			check: func(t *testing.T, in medic.AvailabilityInput, got []medic.Slot) {
				if r := remaining(got, in.Location); r["11:00"] != 1 || r["12:00"] != 5 {
					t.Errorf("remaining %v, want the rule's 1 at 11:00 and the extra's 5 at 12:00", r)
				}
			},
		},
		{
			name: "a buffer keeps a gap before and after another appointment",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.BufferMinutes = 15
				in.Rules[0].Capacity = 2
				ten := at(t, in.Location, "2026-06-01 10:00")
				in.Busy = []medic.Interval{{Start: ten, End: ten.Add(30 * time.Minute)}}
				in.Booked = map[time.Time]int{ten: 1}
			},
			// 09:30 would end as the 10:00 visit starts and 10:30 would start
			// as it ends; 10:00 itself overlaps and is a matter of capacity.
			want: on(mon, "09:00", "10:00", "11:00", "11:30"),
		},
		{
			name: "a gap exactly the buffer's length is allowed",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.BufferMinutes = 30
				ten := at(t, in.Location, "2026-06-01 10:00")
				in.Busy = []medic.Interval{{Start: ten, End: ten.Add(30 * time.Minute)}}
				in.Booked = map[time.Time]int{ten: 1}
			},
			want: on(mon, "09:00", "11:00", "11:30"),
		},
		{
			name: "with no buffer, back-to-back visits are fine",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				ten := at(t, in.Location, "2026-06-01 10:00")
				in.Busy = []medic.Interval{{Start: ten, End: ten.Add(30 * time.Minute)}}
				in.Booked = map[time.Time]int{ten: 1}
			},
			want: on(mon, "09:00", "09:30", "10:30", "11:00", "11:30"),
		},
		{
			name: "lead time hides starts too soon from now",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Now = at(t, in.Location, "2026-06-01 09:10")
				in.LeadTimeMinutes = 60
			},
			want: on(mon, "10:30", "11:00", "11:30"),
		},
		{
			name: "slots already started are gone even with no lead time",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Now = at(t, in.Location, "2026-06-01 10:00")
			},
			want: on(mon, "10:00", "10:30", "11:00", "11:30"),
		},
		{
			name: "only starts inside the asked range",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.From = at(t, in.Location, "2026-06-01 09:30")
				in.To = at(t, in.Location, "2026-06-01 10:30")
			},
			want: on(mon, "09:30", "10:00"),
		},
		{
			name: "an inactive practitioner has no slots",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Practitioner.Status = medic.PractitionerInactive
			},
		},
		{
			name: "a practitioner on leave has no slots",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Practitioner.Status = medic.PractitionerOnLeave
			},
		},
		{
			name: "an inactive appointment type has no slots",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Type.Active = false
			},
		},
		{
			name: "no appointment type: single slots of the rule's length",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Type = nil
			},
			want: []string{"2026-06-01 09:00", "2026-06-01 09:30", "2026-06-01 10:00", "2026-06-01 10:30", "2026-06-01 11:00", "2026-06-01 11:30"},
		},
		{
			name: "an empty range has no slots",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.To = in.From
			},
		},
		{
			name: "every location when none is chosen",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				tue := weekly(t, time.Tuesday, "09:00", "10:00", 30)
				tue.LocationID = locB
				in.Rules = []*medic.ScheduleRule{weekly(t, time.Monday, "09:00", "10:00", 30), tue}
				in.To = at(t, in.Location, "2026-06-03 00:00")
			},
			want: []string{"2026-06-01 09:00", "2026-06-01 09:30", "2026-06-02 09:00 loc-b", "2026-06-02 09:30 loc-b"},
		},
		{
			name: "the location filter keeps only that location's slots",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				tue := weekly(t, time.Tuesday, "09:00", "10:00", 30)
				tue.LocationID = locB
				in.Rules = []*medic.ScheduleRule{weekly(t, time.Monday, "09:00", "10:00", 30), tue}
				in.To = at(t, in.Location, "2026-06-03 00:00")
				in.LocationID = locB
			},
			want: []string{"2026-06-02 09:00 loc-b", "2026-06-02 09:30 loc-b"},
		},
		{
			name: "overlapping rules at two locations never double count: the first location id keeps the time",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				b := weekly(t, time.Monday, "09:00", "10:00", 30)
				b.LocationID = locB
				a := weekly(t, time.Monday, "09:30", "10:30", 30)
				in.Rules = []*medic.ScheduleRule{b, a}
			},
			want: []string{"2026-06-01 09:00 loc-b", "2026-06-01 09:30", "2026-06-01 10:00"},
		},
		{
			name: "the same rule twice is counted once",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				dup := *in.Rules[0]
				dup.ID = "rule-dup"
				dup.Capacity = 9
				in.Rules = append(in.Rules, &dup)
			},
			want: allMorning,
			check: func(t *testing.T, in medic.AvailabilityInput, got []medic.Slot) {
				if got[0].Remaining != 1 {
					t.Errorf("remaining %d, want the first rule's 1", got[0].Remaining)
				}
			},
		},
		{
			name: "a rule to midnight ends at midnight",
			setup: func(t *testing.T, in *medic.AvailabilityInput) {
				in.Rules[0] = weekly(t, time.Monday, "23:00", "24:00", 30)
				in.To = at(t, in.Location, "2026-06-03 00:00")
			},
			want: on(mon, "23:00", "23:30"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput(t)
			if tt.setup != nil {
				tt.setup(t, &in)
			}
			got := medic.ComputeSlots(in)
			if g := starts(got, in.Location); !slices.Equal(g, tt.want) {
				t.Fatalf("slots\n got %q\nwant %q", g, tt.want)
			}
			if tt.check != nil {
				tt.check(t, in, got)
			}
		})
	}
}

// slotString renders a slot in UTC with its claims for the DST cases, where
// the exact instants matter: "00:30Z-01:30Z [00:30Z 01:00Z]".
func slotString(s medic.Slot) string {
	var b strings.Builder
	b.WriteString(s.Start.UTC().Format("2006-01-02T15:04Z") + "-" + s.End.UTC().Format("15:04Z") + " [")
	for i, c := range s.Claims {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.Start.UTC().Format("15:04Z"))
	}
	b.WriteString("] " + strconv.Itoa(s.Remaining))
	return b.String()
}

// TestComputeSlotsDaylightSaving checks a London practice on the two
// Sundays the clocks change in 2026: on 29 March 01:00 GMT jumps to 02:00
// BST (01:00Z); on 25 October 02:00 BST falls back to 01:00 GMT (01:00Z).
func TestComputeSlotsDaylightSaving(t *testing.T) {
	london := mustZone(t, "Europe/London")
	tests := []struct {
		name     string
		day      string // the local day asked for
		duration int
		want     []string
	}{
		{
			name: "spring forward: the missing hour has no slots", day: "2026-03-29", duration: 30,
			want: []string{
				// 00:30 GMT; 01:00 and 01:30 do not exist; then 02:00, 02:30, 03:00 BST.
				"2026-03-29T00:30Z-01:00Z [00:30Z] 1",
				"2026-03-29T01:00Z-01:30Z [01:00Z] 1",
				"2026-03-29T01:30Z-02:00Z [01:30Z] 1",
				"2026-03-29T02:00Z-02:30Z [02:00Z] 1",
				// 09:00 BST is 08:00Z.
				"2026-03-29T08:00Z-08:30Z [08:00Z] 1",
				"2026-03-29T08:30Z-09:00Z [08:30Z] 1",
				"2026-03-29T09:00Z-09:30Z [09:00Z] 1",
				"2026-03-29T09:30Z-10:00Z [09:30Z] 1",
				"2026-03-29T10:00Z-10:30Z [10:00Z] 1",
				"2026-03-29T10:30Z-11:00Z [10:30Z] 1",
			},
		},
		{
			name: "spring forward: an hour's visit spans the jump in real time", day: "2026-03-29", duration: 60,
			want: []string{
				// 00:30 GMT plus an hour is 02:30 BST: the next existing slot is 02:00 BST.
				"2026-03-29T00:30Z-01:30Z [00:30Z 01:00Z] 1",
				"2026-03-29T01:00Z-02:00Z [01:00Z 01:30Z] 1",
				"2026-03-29T01:30Z-02:30Z [01:30Z 02:00Z] 1", // ends 03:30 BST, the block's end
				"2026-03-29T08:00Z-09:00Z [08:00Z 08:30Z] 1",
				"2026-03-29T08:30Z-09:30Z [08:30Z 09:00Z] 1",
				"2026-03-29T09:00Z-10:00Z [09:00Z 09:30Z] 1",
				"2026-03-29T09:30Z-10:30Z [09:30Z 10:00Z] 1",
				"2026-03-29T10:00Z-11:00Z [10:00Z 10:30Z] 1",
			},
		},
		{
			name: "fall back: the repeated hour is offered once, the first time", day: "2026-10-25", duration: 30,
			want: []string{
				// 00:30, 01:00, 01:30 BST; the second 01:00 and 01:30 (GMT) are skipped; 02:00 GMT on.
				"2026-10-24T23:30Z-00:00Z [23:30Z] 1",
				"2026-10-25T00:00Z-00:30Z [00:00Z] 1",
				"2026-10-25T00:30Z-01:00Z [00:30Z] 1",
				"2026-10-25T02:00Z-02:30Z [02:00Z] 1",
				"2026-10-25T02:30Z-03:00Z [02:30Z] 1",
				"2026-10-25T03:00Z-03:30Z [03:00Z] 1",
				// 09:00 GMT is 09:00Z.
				"2026-10-25T09:00Z-09:30Z [09:00Z] 1",
				"2026-10-25T09:30Z-10:00Z [09:30Z] 1",
				"2026-10-25T10:00Z-10:30Z [10:00Z] 1",
				"2026-10-25T10:30Z-11:00Z [10:30Z] 1",
				"2026-10-25T11:00Z-11:30Z [11:00Z] 1",
				"2026-10-25T11:30Z-12:00Z [11:30Z] 1",
			},
		},
		{
			name: "fall back: an hour's visit takes the next slot on the wall clock", day: "2026-10-25", duration: 60,
			want: []string{
				"2026-10-24T23:30Z-00:30Z [23:30Z 00:00Z] 1",
				"2026-10-25T00:00Z-01:00Z [00:00Z 00:30Z] 1",
				// 01:30 BST plus an hour is 01:30 GMT; its second slot is 02:00 GMT.
				"2026-10-25T00:30Z-01:30Z [00:30Z 02:00Z] 1",
				"2026-10-25T02:00Z-03:00Z [02:00Z 02:30Z] 1",
				"2026-10-25T02:30Z-03:30Z [02:30Z 03:00Z] 1",
				"2026-10-25T09:00Z-10:00Z [09:00Z 09:30Z] 1",
				"2026-10-25T09:30Z-10:30Z [09:30Z 10:00Z] 1",
				"2026-10-25T10:00Z-11:00Z [10:00Z 10:30Z] 1",
				"2026-10-25T10:30Z-11:30Z [10:30Z 11:00Z] 1",
				"2026-10-25T11:00Z-12:00Z [11:00Z 11:30Z] 1",
			},
		},
		{
			name: "the Saturday before the spring change is on GMT", day: "2026-03-28", duration: 60,
			want: []string{"2026-03-28T09:00Z-10:00Z [09:00Z] 1", "2026-03-28T10:00Z-11:00Z [10:00Z] 1"},
		},
		{
			name: "the Saturday before the autumn change is on BST", day: "2026-10-24", duration: 60,
			want: []string{"2026-10-24T08:00Z-09:00Z [08:00Z] 1", "2026-10-24T09:00Z-10:00Z [09:00Z] 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sat := weekly(t, time.Saturday, "09:00", "11:00", 60)
			night := weekly(t, time.Sunday, "00:30", "03:30", 30)
			morning := weekly(t, time.Sunday, "09:00", "12:00", 30)
			in := medic.AvailabilityInput{
				Location: london,
				Now:      at(t, london, "2026-01-01 00:00"),
				From:     at(t, london, tt.day+" 00:00"),
				To:       mustDate(t, tt.day).AddDays(1).In(london),
				Practitioner: &medic.Practitioner{ID: "pr-1", Status: medic.PractitionerActive,
					Assignments: []medic.LocationAssignment{{LocationID: locA, StartDate: mustDate(t, "2026-01-01")}}},
				Rules: []*medic.ScheduleRule{morning, night, sat},
				Type:  consult(tt.duration),
			}
			got := medic.ComputeSlots(in)
			g := make([]string, len(got))
			for i, s := range got {
				g[i] = slotString(s)
			}
			if !slices.Equal(g, tt.want) {
				t.Fatalf("slots\n got %q\nwant %q", g, tt.want)
			}
		})
	}
}

func TestComputeSlotsFullInTheRepeatedHour(t *testing.T) {
	london := mustZone(t, "Europe/London")
	in := medic.AvailabilityInput{
		Location: london,
		From:     at(t, london, "2026-10-25 00:00"),
		To:       at(t, london, "2026-10-25 04:00"),
		Practitioner: &medic.Practitioner{ID: "pr-1", Status: medic.PractitionerActive,
			Assignments: []medic.LocationAssignment{{LocationID: locA, StartDate: mustDate(t, "2026-01-01")}}},
		Rules: []*medic.ScheduleRule{weekly(t, time.Sunday, "00:30", "03:30", 30)},
		Type:  consult(30),
		// 01:00 BST, the first time the clock reads 01:00, is 00:00Z.
		Booked: map[time.Time]int{utc(t, "2026-10-25T00:00:00Z"): 1},
	}
	for _, s := range medic.ComputeSlots(in) {
		if s.Start.Equal(utc(t, "2026-10-25T00:00:00Z")) || s.Start.Equal(utc(t, "2026-10-25T01:00:00Z")) {
			t.Errorf("slot %s offered; 01:00 BST is full and 01:00 GMT is the repeated hour", slotString(s))
		}
	}
}

// TestComputeSlotsJohannesburg checks exact instants in a zone with no
// daylight saving (SAST, UTC+2), including a rule that starts at local
// midnight, which is the previous day in UTC.
func TestComputeSlotsJohannesburg(t *testing.T) {
	jhb := mustZone(t, "Africa/Johannesburg")
	in := baseInput(t)
	in.Rules = []*medic.ScheduleRule{weekly(t, time.Monday, "00:00", "01:00", 30), weekly(t, time.Monday, "08:00", "09:00", 30)}
	in.From, in.To = utc(t, "2026-05-31T22:00:00Z"), utc(t, "2026-06-01T22:00:00Z") // Monday 1 June, local
	var got []string
	for _, s := range medic.ComputeSlots(in) {
		got = append(got, slotString(s))
		if s.Start.Location().String() != jhb.String() {
			t.Errorf("slot %v is not in the practice's zone", s.Start)
		}
	}
	want := []string{
		"2026-05-31T22:00Z-22:30Z [22:00Z] 1",
		"2026-05-31T22:30Z-23:00Z [22:30Z] 1",
		"2026-06-01T06:00Z-06:30Z [06:00Z] 1",
		"2026-06-01T06:30Z-07:00Z [06:30Z] 1",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("slots\n got %q\nwant %q", got, want)
	}
}

func TestComputeSlotsIsDeterministic(t *testing.T) {
	in := baseInput(t)
	tue := weekly(t, time.Tuesday, "09:00", "12:00", 30)
	tue.LocationID = locB
	in.Rules = []*medic.ScheduleRule{tue, in.Rules[0]}
	in.To = at(t, in.Location, "2026-06-30 00:00")
	first := starts(medic.ComputeSlots(in), in.Location)
	slices.Reverse(in.Rules)
	if again := starts(medic.ComputeSlots(in), in.Location); !slices.Equal(first, again) || len(first) != 9*6 {
		// 1 to 29 June 2026: 5 Mondays and 4 Tuesdays of 6 slots.
		t.Fatalf("slots differ with the rules reordered or miscounted (%d):\n%q\n%q", len(first), first, again)
	}
}

func TestFindSlot(t *testing.T) {
	in := baseInput(t)
	slots := medic.ComputeSlots(in)
	nine := at(t, in.Location, "2026-06-01 09:30")
	if s, ok := medic.FindSlot(slots, nine.UTC(), locA); !ok || !s.Start.Equal(nine) {
		t.Errorf("FindSlot(09:30 in UTC, locA) = %v, %v; want the 09:30 slot", s.Start, ok)
	}
	if _, ok := medic.FindSlot(slots, nine, locB); ok {
		t.Error("found a slot at a location the practitioner does not work at then")
	}
	if _, ok := medic.FindSlot(slots, nine.Add(10*time.Minute), locA); ok {
		t.Error("found a slot at 09:40, off the grid")
	}
	if _, ok := medic.FindSlot(nil, nine, locA); ok {
		t.Error("found a slot in no slots")
	}
}

// BenchmarkComputeSlots is four weeks of a full-time practitioner (weekdays
// 08:00-17:00 in 15-minute slots, capacity 2) with half the places taken.
func BenchmarkComputeSlots(b *testing.B) {
	in := baseInput(b)
	in.Rules = nil
	for wd := time.Monday; wd <= time.Friday; wd++ {
		r := weekly(b, wd, "08:00", "17:00", 15)
		r.Capacity = 2
		in.Rules = append(in.Rules, r)
	}
	in.To = in.From.AddDate(0, 0, 28)
	in.BufferMinutes = 5
	in.Booked = map[time.Time]int{}
	for _, s := range medic.ComputeSlots(in) {
		if s.Start.Minute()%30 == 0 {
			in.Booked[s.Start.UTC()] = 1
			in.Busy = append(in.Busy, medic.Interval{Start: s.Start, End: s.End})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		medic.ComputeSlots(in)
	}
}
