package bench

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"medic/internal/server/servertest"
)

// TestGenerateClinical: the share of charts gets its visits, each with a
// vitals set and a primary diagnosis, the blood pressure falling over the
// years; a second run adds nothing.
func TestGenerateClinical(t *testing.T) {
	env := servertest.New(t)
	ctx := context.Background()
	gen := GenConfig{Practices: 2, PatientsPerPractice: 50, AppointmentDays: 5, AppointmentsPerPractitionerPerDay: 1, Seed: 3, Now: servertest.Start}
	if err := Generate(ctx, env.DB.OwnerURL, gen, nil); err != nil {
		t.Fatal(err)
	}
	cfg := ClinicalConfig{Share: 0.1, Encounters: 12, Years: 2, Seed: 1, Now: servertest.Start}
	for range 2 {
		if err := GenerateClinical(ctx, env.DB.OwnerURL, cfg, nil); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var charts, encounters, vitals, primaries int
	if err := conn.QueryRow(ctx, `SELECT count(DISTINCT patient_id), count(*),
			(SELECT count(*) FROM encounter_vitals), (SELECT count(*) FROM encounter_diagnoses WHERE is_primary)
		FROM encounters WHERE status = 'finished'`).Scan(&charts, &encounters, &vitals, &primaries); err != nil {
		t.Fatal(err)
	}
	// 10% of 50 charts in each of 2 practices, 12 visits each.
	if charts != 10 || encounters != 120 || vitals != 120 || primaries != 120 {
		t.Errorf("%d charts, %d visits, %d vitals sets, %d primary diagnoses; want 10, 120, 120, 120", charts, encounters, vitals, primaries)
	}
	var first, last float64
	if err := conn.QueryRow(ctx, `SELECT avg(systolic_mmhg) FILTER (WHERE measured_at < $1), avg(systolic_mmhg) FILTER (WHERE measured_at > $2)
		FROM encounter_vitals`, servertest.Start.AddDate(-1, -9, 0), servertest.Start.AddDate(0, -3, 0)).Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	if last >= first-10 {
		t.Errorf("mean systolic %.0f in the first months, %.0f in the last: treatment should show", first, last)
	}
	var outside int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM encounters WHERE started_at < $1 OR started_at > $2`,
		servertest.Start.AddDate(-2, 0, -1), servertest.Start.AddDate(0, 0, 4)).Scan(&outside); err != nil {
		t.Fatal(err)
	}
	if outside != 0 {
		t.Errorf("%d visits outside the two years", outside)
	}
}
