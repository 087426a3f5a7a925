package postgres_test

import (
	"errors"
	"testing"
	"time"

	"medic"
	"medic/internal/postgres/pgtest"
)

func fp(x float64) *float64 { return &x }

func TestVitalsStore(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "vitals")
	e := f.mustEncounter(t, "")

	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	v := &medic.Vitals{EncounterID: e.ID, MeasuredAt: at, SystolicMmHg: fp(142), DiastolicMmHg: fp(91), TemperatureC: fp(36.8),
		WeightKg: fp(81.25), HeightCm: fp(176.5)}
	if err := db.CreateVitals(f.ctx, v); err != nil {
		t.Fatalf("create: %v", err)
	}
	if v.ID == "" || v.PatientID != f.pat.ID {
		t.Fatalf("created %+v", v)
	}
	later := &medic.Vitals{EncounterID: e.ID, MeasuredAt: at.Add(time.Hour), PulseBPM: fp(72), SpO2Percent: fp(98)}
	if err := db.CreateVitals(f.ctx, later); err != nil {
		t.Fatalf("create second: %v", err)
	}

	// Read back: values as stored, absent ones nil, oldest first.
	vs, err := db.ListVitals(f.ctx, f.pat.ID, time.Time{}, time.Time{}, 100)
	if err != nil || len(vs) != 2 {
		t.Fatalf("list: %d, %v", len(vs), err)
	}
	got := vs[0]
	if *got.SystolicMmHg != 142 || *got.DiastolicMmHg != 91 || *got.TemperatureC != 36.8 || *got.WeightKg != 81.25 || *got.HeightCm != 176.5 ||
		got.PulseBPM != nil || got.GlucoseMmolL != nil || !got.MeasuredAt.Equal(at) || got.EncounterID != e.ID {
		t.Fatalf("read back %+v", got)
	}
	if *got.BMI() != 26.1 {
		t.Errorf("BMI %v", *got.BMI())
	}
	// The range is [from, to); the limit keeps the newest.
	if vs, _ := db.ListVitals(f.ctx, f.pat.ID, at.Add(time.Minute), time.Time{}, 100); len(vs) != 1 || vs[0].ID != later.ID {
		t.Errorf("from after the first: %d", len(vs))
	}
	if vs, _ := db.ListVitals(f.ctx, f.pat.ID, time.Time{}, at.Add(time.Hour), 100); len(vs) != 1 || vs[0].ID != v.ID {
		t.Errorf("to before the second: %d", len(vs))
	}
	if vs, _ := db.ListVitals(f.ctx, f.pat.ID, time.Time{}, time.Time{}, 1); len(vs) != 1 || vs[0].ID != later.ID {
		t.Errorf("limit 1 keeps the newest: %+v", vs)
	}
	if vs, _ := db.EncounterVitals(f.ctx, e.ID); len(vs) != 2 {
		t.Errorf("encounter vitals: %d", len(vs))
	}

	// The database refuses what validation would (a path that skipped it).
	for name, bad := range map[string]*medic.Vitals{
		"systolic 400":            {EncounterID: e.ID, SystolicMmHg: fp(400), DiastolicMmHg: fp(80)},
		"diastolic over systolic": {EncounterID: e.ID, SystolicMmHg: fp(120), DiastolicMmHg: fp(130)},
		"nothing measured":        {EncounterID: e.ID},
	} {
		if err := db.CreateVitals(f.ctx, bad); err == nil {
			t.Errorf("%s stored", name)
		}
	}

	// A finished encounter takes no more vitals.
	e.Status, e.FinishedAt = medic.EncounterFinished, time.Now()
	if err := db.SaveEncounter(f.ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateVitals(f.ctx, &medic.Vitals{EncounterID: e.ID, PulseBPM: fp(80)}); !errors.Is(err, medic.ErrEncounterFinished) {
		t.Errorf("vitals on a finished encounter: %v", err)
	}

	// Merging the chart moves its vitals.
	other := mustPatient(t, db, f.ctx, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi-Dube", DateOfBirth: medic.NewDate(1985, 3, 14)})
	if err := db.MergePatients(f.ctx, f.pat.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	if vs, _ := db.ListVitals(f.ctx, other.ID, time.Time{}, time.Time{}, 100); len(vs) != 2 {
		t.Errorf("after the merge the surviving chart has %d vitals", len(vs))
	}
	if moved, err := db.FindEncounter(f.ctx, e.ID); err != nil || moved.PatientID != other.ID {
		t.Errorf("after the merge the encounter is on chart %v (%v), want the surviving one", moved, err)
	}
}

// TestVitalsCrossTenant: practice B records nothing on A's encounters and
// lists none of A's vitals.
func TestVitalsCrossTenant(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a := newSchedFixture(t, db, "vitals-a")
	b := newSchedFixture(t, db, "vitals-b")
	e := a.mustEncounter(t, "")
	if err := db.CreateVitals(a.ctx, &medic.Vitals{EncounterID: e.ID, PulseBPM: fp(70)}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateVitals(b.ctx, &medic.Vitals{EncounterID: e.ID, PulseBPM: fp(70)}); medic.ErrorCode(err) != medic.ENOTFOUND {
		t.Errorf("B records on A's encounter: %v, want ENOTFOUND", err)
	}
	if vs, err := db.ListVitals(b.ctx, a.pat.ID, time.Time{}, time.Time{}, 100); err != nil || len(vs) != 0 {
		t.Errorf("B lists %d of A's vitals (%v)", len(vs), err)
	}
	if vs, err := db.EncounterVitals(b.ctx, e.ID); err != nil || len(vs) != 0 {
		t.Errorf("B lists %d of A's encounter's vitals (%v)", len(vs), err)
	}
	if vs, _ := db.ListVitals(a.ctx, a.pat.ID, time.Time{}, time.Time{}, 100); len(vs) != 1 {
		t.Errorf("A lists %d", len(vs))
	}
}
