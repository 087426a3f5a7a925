package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"medic"
)

const diagnosisColumns = `d.id, d.encounter_id, d.patient_id, d.code, d.title, d.is_primary, coalesce(d.recorded_by::text, ''),
	coalesce(u.name, ''), d.recorded_at`

const diagnosisFrom = ` FROM encounter_diagnoses d LEFT JOIN users u ON u.id = d.recorded_by`

func scanDiagnosis(row pgx.Row) (*medic.Diagnosis, error) {
	var d medic.Diagnosis
	if err := row.Scan(&d.ID, &d.EncounterID, &d.PatientID, &d.Code, &d.Title, &d.Primary, &d.RecordedBy, &d.RecordedByName, &d.RecordedAt); err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// draftEncounter locks a draft encounter of the practice for a change and
// returns its patient: ENOTFOUND, or ErrEncounterFinished once locked.
func draftEncounter(ctx context.Context, tx pgx.Tx, pid, id string) (string, error) {
	if !isUUID(id) {
		return "", medic.ErrNotFound
	}
	var status, patientID string
	if err := tx.QueryRow(ctx, `SELECT status, patient_id FROM encounters WHERE practice_id = $1 AND id = $2 FOR UPDATE`, pid, id).Scan(&status, &patientID); err != nil {
		return "", notFound(err)
	}
	if status != string(medic.EncounterDraft) {
		return "", medic.ErrEncounterFinished
	}
	return patientID, nil
}

// ListDiagnoses implements medic.DiagnosisService.
func (db *DB) ListDiagnoses(ctx context.Context, encounterID string) (out []*medic.Diagnosis, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(encounterID) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT true FROM encounters WHERE practice_id = $1 AND id = $2`, pid, encounterID).Scan(&exists); err != nil {
			return notFound(err)
		}
		out, err = queryAll(ctx, tx, scanDiagnosis, `SELECT `+diagnosisColumns+diagnosisFrom+`
			WHERE d.practice_id = $1 AND d.encounter_id = $2 ORDER BY d.is_primary DESC, d.seq`, pid, encounterID)
		return err
	})
	return out, err
}

// ListDiagnosesOf implements medic.DiagnosisService: one query for them all.
func (db *DB) ListDiagnosesOf(ctx context.Context, encounterIDs []string) (out []*medic.Diagnosis, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var args queryArgs
	where := "d.practice_id = " + args.add(pid) + " AND " + anyUUID("d.encounter_id", encounterIDs, &args)
	err = db.do(ctx, func(tx pgx.Tx) error {
		out, err = queryAll(ctx, tx, scanDiagnosis, `SELECT `+diagnosisColumns+diagnosisFrom+`
			WHERE `+where+` ORDER BY d.encounter_id, d.is_primary DESC, d.seq`, args...)
		return err
	})
	return out, err
}

// AddDiagnosis implements medic.DiagnosisService.
func (db *DB) AddDiagnosis(ctx context.Context, d *medic.Diagnosis) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	user := medic.ActorFrom(ctx).UserID
	return db.do(ctx, func(tx pgx.Tx) error {
		patientID, err := draftEncounter(ctx, tx, pid, d.EncounterID)
		if err != nil {
			return err
		}
		var title string
		var clinical, primary bool
		err = tx.QueryRow(ctx, `SELECT title, valid_clinical, valid_primary FROM icd10_codes WHERE code = $1`, d.Code).Scan(&title, &clinical, &primary)
		switch {
		case err == pgx.ErrNoRows || err == nil && !clinical:
			return &medic.Error{Code: medic.EINVALID, Message: "Choose a code from the ICD-10 catalog.",
				Fields: map[string]string{"code": "Not a code of the catalog that may be used for a diagnosis."}}
		case err != nil:
			return err
		case d.Primary && !primary:
			return &medic.Error{Code: medic.EINVALID, Message: d.Code + " may not be a primary diagnosis.",
				Fields: map[string]string{"primary": "This code (an external cause, for example) may only be a secondary diagnosis."}}
		}
		if d.Primary {
			if _, err := tx.Exec(ctx, `UPDATE encounter_diagnoses SET is_primary = false WHERE practice_id = $1 AND encounter_id = $2 AND is_primary`,
				pid, d.EncounterID); err != nil {
				return err
			}
		}
		err = tx.QueryRow(ctx, `INSERT INTO encounter_diagnoses (practice_id, encounter_id, patient_id, code, title, is_primary, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (practice_id, encounter_id, code) DO NOTHING RETURNING id`,
			pid, d.EncounterID, patientID, d.Code, title, d.Primary, nullID(user), db.now()).Scan(&d.ID)
		if err == pgx.ErrNoRows {
			return &medic.Error{Code: medic.ECONFLICT, Message: d.Code + " is already a diagnosis of this encounter.",
				Fields: map[string]string{"code": "Already added."}}
		} else if err != nil {
			return err
		}
		got, err := scanDiagnosis(tx.QueryRow(ctx, `SELECT `+diagnosisColumns+diagnosisFrom+` WHERE d.practice_id = $1 AND d.id = $2`, pid, d.ID))
		if err != nil {
			return err
		}
		*d = *got
		return nil
	})
}

// RemoveDiagnosis implements medic.DiagnosisService.
func (db *DB) RemoveDiagnosis(ctx context.Context, encounterID, id string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		if _, err := draftEncounter(ctx, tx, pid, encounterID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM encounter_diagnoses WHERE practice_id = $1 AND encounter_id = $2 AND id = $3`, pid, encounterID, id)
		if err == nil && tag.RowsAffected() == 0 {
			return medic.ErrNotFound
		}
		return err
	})
}
