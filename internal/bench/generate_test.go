package bench

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/postgres/pgtest"
)

func TestGenerate(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 11, 10, 7, 0, 0, practiceZone())
	cfg := GenConfig{Practices: 3, PatientsPerPractice: 50, AppointmentDays: 60, AppointmentsPerPractitionerPerDay: 8, Seed: 7, Now: now}
	if err := Generate(ctx, db.OwnerURL, cfg, nil); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}

	for table, want := range map[string]int{
		"practices": 3, "locations": 6, "practitioners": 9, "practitioner_locations": 9,
		"appointment_types": 9, "schedule_rules": 45, "patients": 150,
	} {
		if got := count(`SELECT count(*) FROM ` + table); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	if n := count(`SELECT count(*) FROM practices WHERE slug LIKE 'bench-%'`); n != 3 {
		t.Errorf("%d practices with the bench- prefix, want 3", n)
	}
	// 60 days hold 42 or 43 weekdays; about 8 a day per practitioner.
	appts := count(`SELECT count(*) FROM appointments`)
	if lo, hi := 9*42*6, 9*43*10; appts < lo || appts > hi {
		t.Errorf("%d appointments, want %d to %d", appts, lo, hi)
	}
	if n := count(`SELECT count(*) FROM appointments WHERE starts_at > now() + interval '1000 days'`); n != 0 {
		t.Errorf("%d appointments far in the future", n)
	}

	// Every chart is valid the way the desk validates it.
	rows, err := conn.Query(ctx, `SELECT given_name, family_name, date_of_birth, sex, id_number, passport, email, phone FROM patients`)
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		Given, Family string
		DOB           time.Time
		Sex, ID, Pass string
		Email, Phone  string
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[rec])
	if err != nil {
		t.Fatal(err)
	}
	today := medic.DateOf(now)
	withID := 0
	for _, r := range recs {
		p := medic.Patient{GivenName: r.Given, FamilyName: r.Family, DateOfBirth: medic.DateOf(r.DOB), Sex: medic.Sex(r.Sex),
			IDNumber: r.ID, Passport: r.Pass, Email: r.Email, Phone: r.Phone}
		if err := p.Validate(today); err != nil {
			t.Errorf("patient %s %s (%s, %s, id %q, %q, %q) is invalid: %v", r.Given, r.Family, p.DateOfBirth, r.Sex, r.ID, r.Email, r.Phone, err)
		}
		if p.Phone != r.Phone || p.Email != r.Email {
			t.Errorf("patient %s %s: phone %q or email %q is not normalised", r.Given, r.Family, r.Phone, r.Email)
		}
		if r.ID != "" {
			withID++
			id, err := medic.ParseSAID(r.ID)
			if err != nil || !id.MatchesBirthDate(p.DateOfBirth) || id.Sex != p.Sex {
				t.Errorf("ID number %s does not match %s %s", r.ID, p.DateOfBirth, r.Sex)
			}
		} else if r.Pass == "" {
			t.Errorf("patient %s %s has neither ID number nor passport", r.Given, r.Family)
		}
	}
	if withID < len(recs)*9/10 {
		t.Errorf("only %d of %d patients have an ID number", withID, len(recs))
	}

	// Practitioners carry HPCSA-style numbers.
	if n := count(`SELECT count(*) FROM practitioners WHERE registration_number !~ '^MP0[0-9]{6}$'`); n != 0 {
		t.Errorf("%d practitioners without an MP0xxxxxx registration number", n)
	}

	// Slots: every holding appointment holds exactly the slots it covers,
	// each slot's booked count is its holders, no slot is over capacity,
	// and non-holding appointments hold nothing.
	checks := map[string]string{
		"holding appointment without its slots": `SELECT count(*) FROM appointments a
			WHERE a.status NOT IN ('cancelled', 'no_show')
			  AND (SELECT count(*) FROM appointment_slots s WHERE s.practice_id = a.practice_id AND s.appointment_id = a.id)
			      <> extract(epoch FROM a.ends_at - a.starts_at) / 900`,
		"slot outside its appointment": `SELECT count(*) FROM appointment_slots s JOIN appointments a ON a.practice_id = s.practice_id AND a.id = s.appointment_id
			WHERE s.slot_start < a.starts_at OR s.slot_start >= a.ends_at OR s.practitioner_id <> a.practitioner_id`,
		"released appointment holding slots": `SELECT count(*) FROM appointment_slots s JOIN appointments a ON a.practice_id = s.practice_id AND a.id = s.appointment_id
			WHERE a.status IN ('cancelled', 'no_show')`,
		"slot whose booked count is not its holders": `SELECT count(*) FROM slot_places sp
			WHERE sp.booked <> (SELECT count(*) FROM appointment_slots s WHERE s.practice_id = sp.practice_id
				AND s.practitioner_id = sp.practitioner_id AND s.slot_start = sp.slot_start AND NOT s.overbooked)`,
		"slot over capacity": `SELECT count(*) FROM slot_places WHERE booked > capacity`,
		"appointment outside working hours": `SELECT count(*) FROM appointments
			WHERE extract(isodow FROM starts_at AT TIME ZONE 'Africa/Johannesburg') > 5
			   OR (starts_at AT TIME ZONE 'Africa/Johannesburg')::time < '08:00'
			   OR (ends_at AT TIME ZONE 'Africa/Johannesburg')::time > '17:00'`,
		"appointment at a location its practitioner is not assigned to": `SELECT count(*) FROM appointments a
			WHERE NOT EXISTS (SELECT 1 FROM practitioner_locations pl WHERE pl.practice_id = a.practice_id
				AND pl.practitioner_id = a.practitioner_id AND pl.location_id = a.location_id)`,
	}
	for what, sql := range checks {
		if n := count(sql); n != 0 {
			t.Errorf("%d: %s", n, what)
		}
	}
	if n := count(`SELECT count(*) FROM appointment_slots`); n < appts/2 {
		t.Errorf("only %d appointment slots for %d appointments", n, appts)
	}
	if d, err := Verify(ctx, db.OwnerURL, time.Time{}, nil); err != nil || !d.OK() {
		t.Errorf("Verify = %+v, %v; want no double bookings", d, err)
	}

	// The app role sees the data through row-level security.
	var practiceID string
	if err := conn.QueryRow(ctx, `SELECT id FROM practices WHERE slug = $1`, Slug(2)).Scan(&practiceID); err != nil {
		t.Fatal(err)
	}
	var appSeen int
	err = pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('app.practice_id', $1, true)`, practiceID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM patients`).Scan(&appSeen)
	})
	if err != nil {
		t.Fatal(err)
	}
	if appSeen != 50 {
		t.Errorf("the app role sees %d patients in one practice, want 50", appSeen)
	}

	// A second run with more practices loads only the missing one, and the
	// same seed gives the same data.
	cfg.Practices = 4
	if err := Generate(ctx, db.OwnerURL, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM practices`); n != 4 {
		t.Errorf("%d practices after the second run, want 4", n)
	}
	if n := count(`SELECT count(*) FROM patients`); n != 200 {
		t.Errorf("%d patients after the second run, want 200", n)
	}

	// Verify finds a double booking: a cancelled appointment brought back
	// onto a slot another appointment holds, behind the counter's back.
	tag, err := conn.Exec(ctx, `WITH a AS (
			SELECT a.practice_id, a.id, a.practitioner_id, a.starts_at, a.ends_at FROM appointments a
			WHERE a.status = 'booked' AND a.ends_at - a.starts_at = interval '15 minutes' ORDER BY a.id LIMIT 1),
		b AS (
			UPDATE appointments b SET status = 'booked', cancel_reason = '', starts_at = a.starts_at, ends_at = a.ends_at
			FROM a WHERE b.id = (SELECT c.id FROM appointments c WHERE c.practice_id = a.practice_id
				AND c.practitioner_id = a.practitioner_id AND c.status = 'cancelled' ORDER BY c.id LIMIT 1)
			RETURNING b.practice_id, b.id, b.practitioner_id, b.starts_at)
		INSERT INTO appointment_slots (practice_id, appointment_id, practitioner_id, slot_start) SELECT * FROM b`)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("make a double booking: %v, %v", tag, err)
	}
	d, err := Verify(ctx, db.OwnerURL, time.Time{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.OK() || d.OverCapacity != 1 || d.Miscounted != 1 || d.Overlaps != 1 {
		t.Errorf("Verify after a double booking = %s; want 1 over capacity, 1 miscounted, 1 overlap", d)
	}
}

func TestBuildPracticeIsDeterministic(t *testing.T) {
	cfg := GenConfig{PatientsPerPractice: 20, AppointmentDays: 14, AppointmentsPerPractitionerPerDay: 4, Seed: 3,
		Now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}.withDefaults()
	a, b := buildPractice(cfg, 5, Slug(5)), buildPractice(cfg, 5, Slug(5))
	if a.id != b.id || a.name != b.name || len(a.appointments) != len(b.appointments) || a.patients[7][2] != b.patients[7][2] {
		t.Error("the same seed and practice number gave different data")
	}
	if c := buildPractice(cfg, 6, Slug(6)); c.id == a.id {
		t.Error("two practices got the same id")
	}
}

func TestSAIDNumber(t *testing.T) {
	for _, tc := range []struct {
		dob     medic.Date
		sex     medic.Sex
		citizen bool
	}{
		{medic.NewDate(1985, 7, 23), medic.SexFemale, true},
		{medic.NewDate(2001, 1, 1), medic.SexMale, true},
		{medic.NewDate(1950, 12, 31), medic.SexMale, false},
	} {
		s := SAIDNumber(tc.dob, tc.sex, 1234, tc.citizen)
		id, err := medic.ParseSAID(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if !id.MatchesBirthDate(tc.dob) || id.Sex != tc.sex || id.Citizen != tc.citizen {
			t.Errorf("%s parses as %+v, want %s %s citizen=%v", s, id, tc.dob, tc.sex, tc.citizen)
		}
	}
}
