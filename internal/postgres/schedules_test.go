package postgres_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"medic"
	"medic/internal/postgres/pgtest"
)

func TestScheduleRules(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "rules")
	ctx := f.ctx
	checkup := &medic.AppointmentType{Name: "Check-up", DurationMinutes: 30, Active: true}
	if err := db.CreateAppointmentType(ctx, checkup); err != nil {
		t.Fatal(err)
	}

	r := &medic.ScheduleRule{PractitionerID: f.pr.ID, LocationID: f.loc.ID, Weekday: time.Tuesday, Start: 8*60 + 30, End: 12 * 60,
		SlotMinutes: 15, Capacity: 2, AppointmentTypeIDs: []string{f.typ.ID, checkup.ID}, EffectiveFrom: medic.NewDate(2026, 1, 1)}
	if err := db.CreateScheduleRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	open := &medic.ScheduleRule{PractitionerID: f.pr.ID, LocationID: f.loc.ID, Weekday: time.Monday, Start: 14 * 60, End: 17 * 60,
		SlotMinutes: 20, Capacity: 1, EffectiveFrom: medic.NewDate(2026, 1, 1), EffectiveTo: medic.NewDate(2026, 6, 30)}
	if err := db.CreateScheduleRule(ctx, open); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindScheduleRule(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", *r) {
		t.Errorf("found\n%+v\nwant\n%+v", *got, *r)
	}
	got, _ = db.FindScheduleRule(ctx, open.ID)
	if got.AppointmentTypeIDs == nil || len(got.AppointmentTypeIDs) != 0 || !got.EffectiveTo.Equal(medic.NewDate(2026, 6, 30)) || !got.Allows(checkup.ID) {
		t.Errorf("open rule read back as %+v", got)
	}

	rs, err := db.ListScheduleRules(ctx, f.pr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].ID != open.ID || rs[1].ID != r.ID {
		t.Errorf("rules of the practitioner, by weekday: %v", rs)
	}
	if all, _ := db.ListScheduleRules(ctx, ""); len(all) != 2 {
		t.Errorf("all rules: %d", len(all))
	}
	if none, err := db.ListScheduleRules(ctx, "x"); err != nil || len(none) != 0 {
		t.Errorf("rules of a non-UUID practitioner: %v, %v", none, err)
	}

	r.Capacity, r.End, r.AppointmentTypeIDs, r.EffectiveTo = 3, 13*60, []string{checkup.ID}, medic.NewDate(2026, 12, 31)
	if err := db.UpdateScheduleRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, _ = db.FindScheduleRule(ctx, r.ID)
	if got.Capacity != 3 || got.End != 13*60 || !slices.Equal(got.AppointmentTypeIDs, []string{checkup.ID}) || !got.EffectiveTo.Equal(r.EffectiveTo) {
		t.Errorf("updated rule read back as %+v", got)
	}

	missing := "00000000-0000-4000-8000-000000000000"
	bad := *r
	bad.AppointmentTypeIDs = []string{missing}
	wantCode(t, "update with an unknown type", db.UpdateScheduleRule(ctx, &bad), medic.ENOTFOUND)
	bad.AppointmentTypeIDs = []string{"consultation"}
	wantCode(t, "update with a non-UUID type", db.UpdateScheduleRule(ctx, &bad), medic.ENOTFOUND)
	bad = *r
	bad.LocationID = missing
	wantCode(t, "update with an unknown location", db.UpdateScheduleRule(ctx, &bad), medic.ENOTFOUND)
	bad = *r
	bad.ID = missing
	wantCode(t, "update an unknown rule", db.UpdateScheduleRule(ctx, &bad), medic.ENOTFOUND)

	if err := db.DeleteScheduleRule(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindScheduleRule(ctx, r.ID); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("deleted rule: %v", err)
	}
	wantCode(t, "delete twice", db.DeleteScheduleRule(ctx, r.ID), medic.ENOTFOUND)
	wantCode(t, "delete non-UUID", db.DeleteScheduleRule(ctx, "x"), medic.ENOTFOUND)
}

func TestScheduleExceptions(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "exceptions")
	ctx := f.ctx
	day := time.Date(2026, 7, 6, 0, 0, 0, 0, time.UTC)

	leave := &medic.ScheduleException{PractitionerID: f.pr.ID, Kind: medic.ExceptionLeave, Start: day, End: day.Add(5 * 24 * time.Hour), Reason: "Leave"}
	extra := &medic.ScheduleException{PractitionerID: f.pr.ID, Kind: medic.ExceptionExtra, Start: day.Add(8*24*time.Hour + 8*time.Hour),
		End: day.Add(8*24*time.Hour + 12*time.Hour), LocationID: f.loc.ID, SlotMinutes: 15, Capacity: 2, Reason: "Saturday clinic"}
	for _, e := range []*medic.ScheduleException{leave, extra} {
		if err := db.CreateScheduleException(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "exception at an unknown location", db.CreateScheduleException(ctx, &medic.ScheduleException{PractitionerID: f.pr.ID,
		Kind: medic.ExceptionExtra, Start: day, End: day.Add(time.Hour), LocationID: "00000000-0000-4000-8000-000000000000", SlotMinutes: 15, Capacity: 1}), medic.ENOTFOUND)

	ids := func(from, to time.Time, practitioner string) []string {
		t.Helper()
		es, err := db.ListScheduleExceptions(ctx, practitioner, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"everything", time.Time{}, time.Time{}, []string{leave.ID, extra.ID}},
		{"window ending where the leave starts", day.Add(-24 * time.Hour), day, nil},
		{"window starting where the leave ends", day.Add(5 * 24 * time.Hour), day.Add(6 * 24 * time.Hour), nil},
		{"window inside the leave", day.Add(24 * time.Hour), day.Add(25 * time.Hour), []string{leave.ID}},
		{"window over both", day.Add(4 * 24 * time.Hour), day.Add(9 * 24 * time.Hour), []string{leave.ID, extra.ID}},
		{"open start", time.Time{}, day.Add(time.Minute), []string{leave.ID}},
		{"open end", day.Add(8 * 24 * time.Hour), time.Time{}, []string{extra.ID}},
	} {
		if got := ids(tc.from, tc.to, f.pr.ID); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := ids(time.Time{}, time.Time{}, ""); len(got) != 2 {
		t.Errorf("all practitioners: %v", got)
	}
	es, _ := db.ListScheduleExceptions(ctx, f.pr.ID, day.Add(8*24*time.Hour), time.Time{})
	if len(es) != 1 || es[0].LocationID != f.loc.ID || es[0].Capacity != 2 || es[0].Kind != medic.ExceptionExtra || !es[0].Start.Equal(extra.Start) || es[0].Reason != "Saturday clinic" {
		t.Errorf("extra hours read back as %+v", es)
	}
	if err := db.DeleteScheduleException(ctx, leave.ID); err != nil {
		t.Fatal(err)
	}
	if got := ids(time.Time{}, time.Time{}, f.pr.ID); !slices.Equal(got, []string{extra.ID}) {
		t.Errorf("after deleting the leave: %v", got)
	}
	wantCode(t, "delete twice", db.DeleteScheduleException(ctx, leave.ID), medic.ENOTFOUND)
}
