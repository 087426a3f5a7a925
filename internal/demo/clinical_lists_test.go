package demo_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"medic/internal/demo"
	"medic/internal/postgres/pgtest"
)

// TestLoadClinicalLists: every demo practice has a severe penicillin
// allergy, "no known allergies" statements, coded problems and diagnosed
// encounters, all authored by the practice's doctor, and referrals.
func TestLoadClinicalLists(t *testing.T) {
	db := pgtest.New(t)
	ctx := t.Context()
	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	owner, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	for _, slug := range []string{"sunrise", "harbour"} {
		for what, sql := range map[string]string{
			"severe penicillin allergies": `SELECT count(*) FROM patient_allergies a JOIN practices p ON p.id = a.practice_id
				WHERE p.slug = $1 AND a.substance = 'Penicillin' AND a.severity = 'severe' AND a.status = 'active'`,
			"no known allergies statements": `SELECT count(*) FROM patient_no_known_allergies n JOIN practices p ON p.id = n.practice_id WHERE p.slug = $1`,
			"coded problems":                `SELECT count(*) FROM patient_conditions c JOIN practices p ON p.id = c.practice_id WHERE p.slug = $1 AND c.code IS NOT NULL`,
			"primary diagnoses on finished encounters": `SELECT count(*) FROM encounter_diagnoses d JOIN encounters e ON e.practice_id = d.practice_id AND e.id = d.encounter_id
				JOIN practices p ON p.id = d.practice_id WHERE p.slug = $1 AND d.is_primary AND e.status = 'finished'`,
		} {
			if n := count(t, owner, sql, slug); n == 0 {
				t.Errorf("%s: no %s", slug, what)
			}
		}
		// Item 9: every demo allergy and problem has its author (the
		// practice's doctor), as one a member records does.
		for _, table := range []string{"patient_allergies", "patient_conditions", "patient_no_known_allergies"} {
			if n := count(t, owner, `SELECT count(*) FROM `+table+` x JOIN practices p ON p.id = x.practice_id
				WHERE p.slug = $1 AND x.recorded_by IS NULL`, slug); n != 0 {
				t.Errorf("%s: %d %s without an author", slug, n, table)
			}
		}
		// Referrals, internal and external, sent and drafts, each dated at
		// the visit it came from.
		for what, sql := range map[string]string{
			"internal referrals": `SELECT count(*) FROM referrals r JOIN practices p ON p.id = r.practice_id WHERE p.slug = $1 AND r.kind = 'internal'`,
			"external referrals": `SELECT count(*) FROM referrals r JOIN practices p ON p.id = r.practice_id WHERE p.slug = $1 AND r.kind = 'external'`,
			"sent referrals":     `SELECT count(*) FROM referrals r JOIN practices p ON p.id = r.practice_id WHERE p.slug = $1 AND r.status = 'sent'`,
			"showcase cardiology referral": `SELECT count(*) FROM referrals r JOIN practices p ON p.id = r.practice_id
				JOIN patients pt ON pt.practice_id = r.practice_id AND pt.id = r.patient_id
				WHERE p.slug = $1 AND r.to_speciality = 'Cardiology' AND pt.email LIKE '%.bp.%'`,
		} {
			if n := count(t, owner, sql, slug); n == 0 {
				t.Errorf("%s: no %s", slug, what)
			}
		}
		if n := count(t, owner, `SELECT count(*) FROM referrals r JOIN encounters e ON e.practice_id = r.practice_id AND e.id = r.encounter_id
			JOIN practices p ON p.id = r.practice_id WHERE p.slug = $1 AND r.created_at <> e.finished_at`, slug); n != 0 {
			t.Errorf("%s: %d referrals not dated at their visit", slug, n)
		}
	}
}
