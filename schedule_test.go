package medic_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"medic"
)

// block is a Monday rule at locA from start to end, effective over the
// given dates ("" for open-ended).
func block(t *testing.T, wd time.Weekday, start, end, from, to string) *medic.ScheduleRule {
	t.Helper()
	r := weekly(t, wd, start, end, 30)
	r.EffectiveFrom = mustDate(t, from)
	if to != "" {
		r.EffectiveTo = mustDate(t, to)
	}
	return r
}

func TestScheduleRuleOverlaps(t *testing.T) {
	const (
		jan = "2026-01-01"
		jun = "2026-06-30"
		jul = "2026-07-01"
	)
	mon, tue := time.Monday, time.Tuesday
	tests := []struct {
		name string
		a, b *medic.ScheduleRule
		want bool
	}{
		{"the same hours on the same day", block(t, mon, "09:00", "12:00", jan, ""), block(t, mon, "09:00", "12:00", jan, ""), true},
		{"the afternoon starts before the morning ends", block(t, mon, "09:00", "12:00", jan, ""), block(t, mon, "11:30", "15:00", jan, ""), true},
		{"a short block inside a long one", block(t, mon, "08:00", "17:00", jan, ""), block(t, mon, "10:00", "10:30", jan, ""), true},
		{"the afternoon starts as the morning ends", block(t, mon, "09:00", "12:00", jan, ""), block(t, mon, "12:00", "15:00", jan, ""), false},
		{"the morning ends as the afternoon starts", block(t, mon, "12:00", "15:00", jan, ""), block(t, mon, "09:00", "12:00", jan, ""), false},
		{"the same hours on different days", block(t, mon, "09:00", "12:00", jan, ""), block(t, tue, "09:00", "12:00", jan, ""), false},
		{"one period ends before the other starts", block(t, mon, "09:00", "12:00", jan, jun), block(t, mon, "09:00", "12:00", jul, ""), false},
		{"the other way round", block(t, mon, "09:00", "12:00", jul, ""), block(t, mon, "09:00", "12:00", jan, jun), false},
		{"one period ends the day the other starts", block(t, mon, "09:00", "12:00", jan, jul), block(t, mon, "09:00", "12:00", jul, ""), true},
		{"an open-ended rule and a later one", block(t, mon, "09:00", "12:00", jan, ""), block(t, mon, "10:00", "11:00", "2027-01-01", "2027-12-31"), true},
		{"two bounded periods that cross", block(t, mon, "09:00", "12:00", jan, jul), block(t, mon, "09:00", "12:00", "2026-03-01", "2026-12-31"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Overlaps(tt.b); got != tt.want {
				t.Errorf("a.Overlaps(b) = %v, want %v", got, tt.want)
			}
			if got := tt.b.Overlaps(tt.a); got != tt.want {
				t.Errorf("b.Overlaps(a) = %v, want %v (overlap is symmetric)", got, tt.want)
			}
		})
	}
}

func TestScheduleRuleValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(r *medic.ScheduleRule)
		fields []string
	}{
		{name: "Monday 09:00-12:00 in 30-minute slots"},
		{name: "to midnight", edit: func(r *medic.ScheduleRule) { r.Start, r.End = 22*60, 24*60 }},
		{name: "no practitioner", edit: func(r *medic.ScheduleRule) { r.PractitionerID = "" }, fields: []string{"practitioner_id"}},
		{name: "no location", edit: func(r *medic.ScheduleRule) { r.LocationID = "" }, fields: []string{"location_id"}},
		{name: "weekday 7", edit: func(r *medic.ScheduleRule) { r.Weekday = 7 }, fields: []string{"weekday"}},
		{name: "ends before it starts", edit: func(r *medic.ScheduleRule) { r.Start, r.End = 12*60, 9*60 }, fields: []string{"end"}},
		{name: "ends as it starts", edit: func(r *medic.ScheduleRule) { r.End = r.Start }, fields: []string{"end"}},
		{name: "past midnight", edit: func(r *medic.ScheduleRule) { r.Start, r.End = 22*60, 25*60 }, fields: []string{"end"}},
		{name: "slots of 4 minutes", edit: func(r *medic.ScheduleRule) { r.SlotMinutes = 4 }, fields: []string{"slot_minutes"}},
		{name: "slots of 9 hours", edit: func(r *medic.ScheduleRule) { r.SlotMinutes = 540 }, fields: []string{"slot_minutes"}},
		{name: "hours that do not divide into slots", edit: func(r *medic.ScheduleRule) { r.SlotMinutes = 40 }, fields: []string{"slot_minutes"}},
		{name: "capacity 0", edit: func(r *medic.ScheduleRule) { r.Capacity = 0 }, fields: []string{"capacity"}},
		{name: "capacity 101", edit: func(r *medic.ScheduleRule) { r.Capacity = 101 }, fields: []string{"capacity"}},
		{name: "capacity 100", edit: func(r *medic.ScheduleRule) { r.Capacity = 100 }},
		{name: "no start date", edit: func(r *medic.ScheduleRule) { r.EffectiveFrom = medic.Date{} }, fields: []string{"effective_from"}},
		{name: "ends before its start date", edit: func(r *medic.ScheduleRule) { r.EffectiveTo = r.EffectiveFrom.AddDays(-1) }, fields: []string{"effective_to"}},
		{name: "a single day", edit: func(r *medic.ScheduleRule) { r.EffectiveTo = r.EffectiveFrom }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := weekly(t, time.Monday, "09:00", "12:00", 30)
			if tt.edit != nil {
				tt.edit(r)
			}
			err := r.Validate()
			if got := slices.Sorted(maps.Keys(medic.ErrorFields(err))); !slices.Equal(got, tt.fields) {
				t.Errorf("field errors %v (%v), want %v", got, err, tt.fields)
			}
		})
	}
}

func TestScheduleRuleActiveOnAndAllows(t *testing.T) {
	r := block(t, time.Monday, "09:00", "12:00", "2026-06-01", "2026-06-15")
	for day, want := range map[string]bool{
		"2026-05-25": false, // a Monday before
		"2026-06-01": true,
		"2026-06-02": false, // a Tuesday
		"2026-06-15": true,  // the last day
		"2026-06-22": false,
	} {
		if got := r.ActiveOn(mustDate(t, day)); got != want {
			t.Errorf("ActiveOn(%s) = %v, want %v", day, got, want)
		}
	}
	if !r.Allows("anything") {
		t.Error("a rule with no types should allow every type")
	}
	r.AppointmentTypeIDs = []string{"type-consult"}
	if !r.Allows("type-consult") || r.Allows("type-procedure") {
		t.Error("a rule with types should allow only those")
	}
}

func TestClockTime(t *testing.T) {
	for in, want := range map[string]medic.ClockTime{"00:00": 0, "08:30": 510, "23:59": 1439} {
		got, err := medic.ParseClockTime(in)
		if err != nil || got != want || got.String() != in {
			t.Errorf("ParseClockTime(%q) = %d (%s), %v; want %d", in, got, got, err, want)
		}
	}
	for _, in := range []string{"8:3", "25:00", "08:60", "0830", ""} {
		if _, err := medic.ParseClockTime(in); medic.ErrorCode(err) != medic.EINVALID {
			t.Errorf("ParseClockTime(%q) error %v, want EINVALID", in, err)
		}
	}
}

func TestScheduleExceptionValidate(t *testing.T) {
	jhb := mustZone(t, "Africa/Johannesburg")
	nine := at(t, jhb, "2026-06-01 09:00")
	tests := []struct {
		name   string
		e      medic.ScheduleException
		fields []string
	}{
		{"a week of leave", medic.ScheduleException{PractitionerID: "pr-1", Kind: medic.ExceptionLeave, Start: nine, End: nine.AddDate(0, 0, 7)}, nil},
		{"leave ending before it starts", medic.ScheduleException{PractitionerID: "pr-1", Kind: medic.ExceptionLeave, Start: nine, End: nine.Add(-time.Hour)}, []string{"end"}},
		{"extra hours", medic.ScheduleException{PractitionerID: "pr-1", Kind: medic.ExceptionExtra, Start: nine, End: nine.Add(2 * time.Hour), LocationID: locA, SlotMinutes: 20, Capacity: 1}, nil},
		{"extra hours with no location", medic.ScheduleException{PractitionerID: "pr-1", Kind: medic.ExceptionExtra, Start: nine, End: nine.Add(2 * time.Hour), SlotMinutes: 20, Capacity: 1}, []string{"location_id"}},
		{"extra hours not in whole slots", medic.ScheduleException{PractitionerID: "pr-1", Kind: medic.ExceptionExtra, Start: nine, End: nine.Add(50 * time.Minute), LocationID: locA, SlotMinutes: 20, Capacity: 1}, []string{"slot_minutes"}},
		{"extra hours with no capacity", medic.ScheduleException{PractitionerID: "pr-1", Kind: medic.ExceptionExtra, Start: nine, End: nine.Add(time.Hour), LocationID: locA, SlotMinutes: 20}, []string{"capacity"}},
		{"extra hours over a day", medic.ScheduleException{PractitionerID: "pr-1", Kind: medic.ExceptionExtra, Start: nine, End: nine.Add(25 * time.Hour), LocationID: locA, SlotMinutes: 20, Capacity: 1}, []string{"end"}},
		{"an unknown kind", medic.ScheduleException{PractitionerID: "pr-1", Kind: "holiday", Start: nine, End: nine.Add(time.Hour)}, []string{"kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.Validate()
			if got := slices.Sorted(maps.Keys(medic.ErrorFields(err))); !slices.Equal(got, tt.fields) {
				t.Errorf("field errors %v (%v), want %v", got, err, tt.fields)
			}
		})
	}
}
