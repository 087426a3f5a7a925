package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// A chart's allergies and problem list (migration 0015). The chart's
// allergies and chronic_conditions columns are derived from these tables
// by trigger, so the Patient JSON fields keep showing them.

// chartOpen checks the chart exists in the practice (ENOTFOUND) and, when
// writing, that it was not merged away (ECONFLICT). It locks the chart's
// row while writing, so two writes to one chart take turns.
func chartOpen(ctx context.Context, tx pgx.Tx, pid, patientID string, write bool) error {
	if !isUUID(patientID) {
		return medic.ErrNotFound
	}
	if !write && chartKnown(ctx, patientID) {
		return nil // this use case read the chart already (OpenChart)
	}
	sql := `SELECT status FROM patients WHERE practice_id = $1 AND id = $2`
	if write {
		sql += ` FOR UPDATE`
	}
	var status string
	if err := tx.QueryRow(ctx, sql, pid, patientID).Scan(&status); err != nil {
		return notFound(err)
	}
	if write && status == string(medic.PatientMerged) {
		return errChartMerged
	}
	return nil
}

const allergyColumns = `a.id, a.patient_id, a.substance, a.reaction, a.severity, a.status, coalesce(a.recorded_by::text, ''),
	coalesce(u.name, ''), a.recorded_at, a.updated_at`

const allergyFrom = ` FROM patient_allergies a LEFT JOIN users u ON u.id = a.recorded_by`

func scanAllergy(row pgx.Row) (*medic.Allergy, error) {
	var a medic.Allergy
	if err := row.Scan(&a.ID, &a.PatientID, &a.Substance, &a.Reaction, &a.Severity, &a.Status, &a.RecordedBy,
		&a.RecordedByName, &a.RecordedAt, &a.UpdatedAt); err != nil {
		return nil, notFound(err)
	}
	return &a, nil
}

// ListAllergies implements medic.ClinicalListService.
func (db *DB) ListAllergies(ctx context.Context, patientID string) (*medic.Allergies, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := &medic.Allergies{}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := chartOpen(ctx, tx, pid, patientID, false); err != nil {
			return err
		}
		var err error
		if out.Items, err = queryAll(ctx, tx, scanAllergy, `SELECT `+allergyColumns+allergyFrom+`
			WHERE a.practice_id = $1 AND a.patient_id = $2 ORDER BY a.seq`, pid, patientID); err != nil {
			return err
		}
		var n medic.NoKnownAllergies
		err = tx.QueryRow(ctx, `SELECT coalesce(n.recorded_by::text, ''), coalesce(u.name, ''), n.recorded_at
			FROM patient_no_known_allergies n LEFT JOIN users u ON u.id = n.recorded_by
			WHERE n.practice_id = $1 AND n.patient_id = $2`, pid, patientID).Scan(&n.RecordedBy, &n.RecordedByName, &n.RecordedAt)
		if err == nil {
			out.NoneKnown = &n
		} else if err != pgx.ErrNoRows {
			return err
		}
		return nil
	})
	return out, err
}

// ListAllergiesOf implements medic.ClinicalListService: two queries for
// all the charts.
func (db *DB) ListAllergiesOf(ctx context.Context, patientIDs []string) (map[string]*medic.Allergies, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]*medic.Allergies{}
	of := func(id string) *medic.Allergies {
		if out[id] == nil {
			out[id] = &medic.Allergies{}
		}
		return out[id]
	}
	var args queryArgs
	p := args.add(pid)
	charts := anyUUID("patient_id", patientIDs, &args)
	err = db.do(ctx, func(tx pgx.Tx) error {
		items, err := queryAll(ctx, tx, scanAllergy, `SELECT `+allergyColumns+allergyFrom+`
			WHERE a.practice_id = `+p+` AND a.`+charts+` ORDER BY a.patient_id, a.seq`, args...)
		if err != nil {
			return err
		}
		for _, a := range items {
			of(a.PatientID).Items = append(of(a.PatientID).Items, a)
		}
		rows, err := tx.Query(ctx, `SELECT n.patient_id::text, coalesce(n.recorded_by::text, ''), coalesce(u.name, ''), n.recorded_at
			FROM patient_no_known_allergies n LEFT JOIN users u ON u.id = n.recorded_by
			WHERE n.practice_id = `+p+` AND n.`+charts, args...)
		if err != nil {
			return err
		}
		var id string
		var n medic.NoKnownAllergies
		_, err = pgx.ForEachRow(rows, []any{&id, &n.RecordedBy, &n.RecordedByName, &n.RecordedAt}, func() error {
			none := n
			of(id).NoneKnown = &none
			return nil
		})
		return err
	})
	return out, err
}

func errAllergyDuplicate(substance string) error {
	return &medic.Error{Code: medic.ECONFLICT, Message: "The chart already lists an active allergy to " + substance + ".",
		Fields: map[string]string{"substance": "Already listed as active."}}
}

// CreateAllergy implements medic.ClinicalListService.
func (db *DB) CreateAllergy(ctx context.Context, a *medic.Allergy) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	user := medic.ActorFrom(ctx).UserID
	now := db.now()
	if a.Status == "" {
		a.Status = medic.AllergyActive
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		if err := chartOpen(ctx, tx, pid, a.PatientID, true); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO patient_allergies (practice_id, patient_id, substance, reaction, severity, status, recorded_by, recorded_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $8) RETURNING id`,
			pid, a.PatientID, a.Substance, a.Reaction, a.Severity, a.Status, nullID(user), now).Scan(&a.ID)
		if isUniqueViolation(err, "patient_allergies_active_idx") {
			return errAllergyDuplicate(a.Substance)
		} else if err != nil {
			return err
		}
		if a.Status == medic.AllergyActive {
			if _, err := tx.Exec(ctx, `DELETE FROM patient_no_known_allergies WHERE practice_id = $1 AND patient_id = $2`, pid, a.PatientID); err != nil {
				return err
			}
		}
		got, err := scanAllergy(tx.QueryRow(ctx, `SELECT `+allergyColumns+allergyFrom+` WHERE a.practice_id = $1 AND a.id = $2`, pid, a.ID))
		if err != nil {
			return err
		}
		*a = *got
		return nil
	})
}

// SetAllergyStatus implements medic.ClinicalListService.
func (db *DB) SetAllergyStatus(ctx context.Context, patientID, id string, s medic.AllergyStatus) (*medic.Allergy, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	user := medic.ActorFrom(ctx).UserID
	var a *medic.Allergy
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := chartOpen(ctx, tx, pid, patientID, true); err != nil {
			return err
		}
		var substance string
		err := tx.QueryRow(ctx, `UPDATE patient_allergies SET status = $4, updated_by = $5, updated_at = $6
			WHERE practice_id = $1 AND patient_id = $2 AND id = $3 RETURNING substance`,
			pid, patientID, id, s, nullID(user), db.now()).Scan(&substance)
		if isUniqueViolation(err, "patient_allergies_active_idx") {
			return errAllergyDuplicate("this substance")
		} else if err != nil {
			return notFound(err)
		}
		if s == medic.AllergyActive {
			if _, err := tx.Exec(ctx, `DELETE FROM patient_no_known_allergies WHERE practice_id = $1 AND patient_id = $2`, pid, patientID); err != nil {
				return err
			}
		}
		a, err = scanAllergy(tx.QueryRow(ctx, `SELECT `+allergyColumns+allergyFrom+` WHERE a.practice_id = $1 AND a.id = $2`, pid, id))
		return err
	})
	return a, err
}

// RecordNoKnownAllergies implements medic.ClinicalListService.
func (db *DB) RecordNoKnownAllergies(ctx context.Context, patientID string) (*medic.NoKnownAllergies, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	user := medic.ActorFrom(ctx).UserID
	n := &medic.NoKnownAllergies{RecordedBy: user, RecordedAt: db.now()}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := chartOpen(ctx, tx, pid, patientID, true); err != nil {
			return err
		}
		var active bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM patient_allergies WHERE practice_id = $1 AND patient_id = $2 AND status = 'active')`,
			pid, patientID).Scan(&active); err != nil {
			return err
		}
		if active {
			return medic.Errorf(medic.ECONFLICT, "The chart lists an active allergy; mark it inactive or entered in error first.")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO patient_no_known_allergies (practice_id, patient_id, recorded_by, recorded_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (practice_id, patient_id) DO UPDATE SET recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`,
			pid, patientID, nullID(user), n.RecordedAt); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT coalesce((SELECT name FROM users WHERE id = $1), '')`, nullID(user)).Scan(&n.RecordedByName)
	})
	return n, err
}

const conditionColumns = `c.id, c.patient_id, coalesce(c.code, ''), c.title, c.onset, c.status, c.note, coalesce(c.recorded_by::text, ''),
	coalesce(u.name, ''), c.recorded_at, c.updated_at`

const conditionFrom = ` FROM patient_conditions c LEFT JOIN users u ON u.id = c.recorded_by`

func scanCondition(row pgx.Row) (*medic.Condition, error) {
	var c medic.Condition
	var onset *time.Time
	if err := row.Scan(&c.ID, &c.PatientID, &c.Code, &c.Title, &onset, &c.Status, &c.Note, &c.RecordedBy,
		&c.RecordedByName, &c.RecordedAt, &c.UpdatedAt); err != nil {
		return nil, notFound(err)
	}
	c.Onset = dateOf(onset)
	return &c, nil
}

// ListConditions implements medic.ClinicalListService: active problems
// first, each group oldest first.
func (db *DB) ListConditions(ctx context.Context, patientID string) (out []*medic.Condition, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := chartOpen(ctx, tx, pid, patientID, false); err != nil {
			return err
		}
		out, err = queryAll(ctx, tx, scanCondition, `SELECT `+conditionColumns+conditionFrom+`
			WHERE c.practice_id = $1 AND c.patient_id = $2 ORDER BY c.status = 'active' DESC, c.seq`, pid, patientID)
		return err
	})
	return out, err
}

// ListConditionsOf implements medic.ClinicalListService: one query for all
// the charts.
func (db *DB) ListConditionsOf(ctx context.Context, patientIDs []string) (map[string][]*medic.Condition, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var args queryArgs
	where := "c.practice_id = " + args.add(pid) + " AND c." + anyUUID("patient_id", patientIDs, &args)
	out := map[string][]*medic.Condition{}
	err = db.do(ctx, func(tx pgx.Tx) error {
		cs, err := queryAll(ctx, tx, scanCondition, `SELECT `+conditionColumns+conditionFrom+`
			WHERE `+where+` ORDER BY c.patient_id, c.status = 'active' DESC, c.seq`, args...)
		for _, c := range cs {
			out[c.PatientID] = append(out[c.PatientID], c)
		}
		return err
	})
	return out, err
}

// CreateCondition implements medic.ClinicalListService.
func (db *DB) CreateCondition(ctx context.Context, c *medic.Condition) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	user := medic.ActorFrom(ctx).UserID
	return db.do(ctx, func(tx pgx.Tx) error {
		if err := chartOpen(ctx, tx, pid, c.PatientID, true); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO patient_conditions (practice_id, patient_id, code, title, onset, status, note, recorded_by, recorded_at, updated_by, updated_at)
			SELECT $1, $2, k.code, k.title, $4, $5, $6, $7, $8, $7, $8 FROM icd10_codes k WHERE k.code = $3 AND k.valid_clinical
			RETURNING id`, pid, c.PatientID, c.Code, dateArg(c.Onset), c.Status, c.Note, nullID(user), db.now()).Scan(&c.ID)
		if err == pgx.ErrNoRows {
			return &medic.Error{Code: medic.EINVALID, Message: "Choose a code from the ICD-10 catalog.",
				Fields: map[string]string{"code": "Not a code of the catalog that may be used for a diagnosis."}}
		} else if err != nil {
			return err
		}
		got, err := scanCondition(tx.QueryRow(ctx, `SELECT `+conditionColumns+conditionFrom+` WHERE c.practice_id = $1 AND c.id = $2`, pid, c.ID))
		if err != nil {
			return err
		}
		*c = *got
		return nil
	})
}

// SetConditionStatus implements medic.ClinicalListService.
func (db *DB) SetConditionStatus(ctx context.Context, patientID, id string, s medic.ConditionStatus) (*medic.Condition, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	user := medic.ActorFrom(ctx).UserID
	var c *medic.Condition
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := chartOpen(ctx, tx, pid, patientID, true); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE patient_conditions SET status = $4, updated_by = $5, updated_at = $6
			WHERE practice_id = $1 AND patient_id = $2 AND id = $3`, pid, patientID, id, s, nullID(user), db.now())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return medic.ErrNotFound
		}
		c, err = scanCondition(tx.QueryRow(ctx, `SELECT `+conditionColumns+conditionFrom+` WHERE c.practice_id = $1 AND c.id = $2`, pid, id))
		return err
	})
	return c, err
}
