package postgres_test

import (
	"errors"
	"testing"

	"medic"
	"medic/internal/postgres/pgtest"
)

func TestAppointmentTypes(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := asPractice(t.Context(), mustCreatePractice(t, db, "types"))

	consult := &medic.AppointmentType{Name: "Consultation", DurationMinutes: 15, Color: "#2a7f62", OnlineBookable: true, Active: true}
	vaccine := &medic.AppointmentType{Name: "Annual flu vaccine", DurationMinutes: 10}
	for _, ty := range []*medic.AppointmentType{consult, vaccine} {
		if err := db.CreateAppointmentType(ctx, ty); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.FindAppointmentType(ctx, consult.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *consult {
		t.Errorf("found %+v, want %+v", *got, *consult)
	}
	if vaccine.Color != "#1a6fb0" {
		t.Errorf("default colour %q", vaccine.Color)
	}

	ts, err := db.ListAppointmentTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].ID != vaccine.ID || ts[1].ID != consult.ID {
		t.Errorf("listed %v, want by name (inactive ones included)", ts)
	}

	consult.Name, consult.DurationMinutes, consult.OnlineBookable, consult.Active = "Long consultation", 30, false, false
	if err := db.UpdateAppointmentType(ctx, consult); err != nil {
		t.Fatal(err)
	}
	got, _ = db.FindAppointmentType(ctx, consult.ID)
	if *got != *consult {
		t.Errorf("updated type read back as %+v", *got)
	}

	for _, id := range []string{"x", "00000000-0000-4000-8000-000000000000"} {
		if _, err := db.FindAppointmentType(ctx, id); !errors.Is(err, medic.ErrNotFound) {
			t.Errorf("FindAppointmentType(%q): %v", id, err)
		}
		if err := db.UpdateAppointmentType(ctx, &medic.AppointmentType{ID: id, Name: "X", DurationMinutes: 10}); !errors.Is(err, medic.ErrNotFound) {
			t.Errorf("UpdateAppointmentType(%q): %v", id, err)
		}
	}
}
