package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// Sick notes and their platform code index (migration 0025).

const sickNoteSelect = `SELECT s.id, s.encounter_id, s.patient_id, s.practitioner_id, s.issued_by, s.examined_at, s.basis, s.from_date, s.to_date, s.fitness,
		s.diagnosis_consent, coalesce(s.consent_recorded_by::text, ''), coalesce(s.consent_recorded_at, 'epoch'::timestamptz), s.diagnosis,
		s.status, s.issued_at, coalesce(s.cancelled_at, 'epoch'::timestamptz), coalesce(s.cancelled_by::text, ''), s.cancel_reason, s.verification_code,
		p.given_name || ' ' || p.family_name, coalesce(nullif(p.id_number, ''), p.passport),
		pr.name, pr.registration_number, pr.qualifications,
		coalesce(ui.name, ''), coalesce(uc.name, ''), coalesce(ux.name, '')
	FROM sick_notes s
	JOIN patients p ON p.practice_id = s.practice_id AND p.id = s.patient_id
	JOIN practitioners pr ON pr.practice_id = s.practice_id AND pr.id = s.practitioner_id
	LEFT JOIN users ui ON ui.id = s.issued_by
	LEFT JOIN users uc ON uc.id = s.consent_recorded_by
	LEFT JOIN users ux ON ux.id = s.cancelled_by`

func scanSickNote(row pgx.Row) (*medic.SickNote, error) {
	var n medic.SickNote
	var from, to, consentAt, cancelledAt time.Time
	if err := row.Scan(&n.ID, &n.EncounterID, &n.PatientID, &n.PractitionerID, &n.IssuedBy, &n.ExaminedAt, &n.Basis, &from, &to, &n.Fitness,
		&n.DiagnosisConsent, &n.ConsentRecordedBy, &consentAt, &n.Diagnosis,
		&n.Status, &n.IssuedAt, &cancelledAt, &n.CancelledBy, &n.CancelReason, &n.VerificationCode,
		&n.PatientName, &n.PatientIDNumber, &n.PractitionerName, &n.PractitionerRegistration, &n.PractitionerQualification,
		&n.IssuedByName, &n.ConsentRecordedByName, &n.CancelledByName); err != nil {
		return nil, notFound(err)
	}
	n.From, n.To = medic.DateOf(from), medic.DateOf(to)
	if consentAt.Unix() != 0 {
		n.ConsentRecordedAt = consentAt
	}
	if cancelledAt.Unix() != 0 {
		n.CancelledAt = cancelledAt
	}
	return &n, nil
}

// CreateSickNote implements medic.SickNoteService: the note, taking the
// encounter's patient and practitioner, and its code in the platform index.
func (db *DB) CreateSickNote(ctx context.Context, n *medic.SickNote) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(n.EncounterID) {
		return medic.ErrNotFound
	}
	if n.IssuedAt.IsZero() {
		n.IssuedAt = db.now()
	}
	var consentBy *string
	var consentAt *time.Time
	if n.DiagnosisConsent {
		consentBy, consentAt = &n.ConsentRecordedBy, &n.ConsentRecordedAt
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO sick_notes (practice_id, encounter_id, patient_id, practitioner_id, issued_by, examined_at, basis,
				from_date, to_date, fitness, diagnosis_consent, consent_recorded_by, consent_recorded_at, diagnosis, issued_at, verification_code)
			SELECT e.practice_id, e.id, e.patient_id, e.practitioner_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14
			FROM encounters e WHERE e.practice_id = $1 AND e.id = $2
			RETURNING id, patient_id, practitioner_id`,
			pid, n.EncounterID, n.IssuedBy, n.ExaminedAt, n.Basis, n.From.Time(), n.To.Time(), n.Fitness,
			n.DiagnosisConsent, consentBy, consentAt, n.Diagnosis, n.IssuedAt, n.VerificationCode).Scan(&n.ID, &n.PatientID, &n.PractitionerID); err != nil {
			return notFound(err)
		}
		n.Status = medic.SickNoteIssued
		_, err := tx.Exec(ctx, `INSERT INTO sick_note_codes (code, practice_id) VALUES ($1, $2)`, n.VerificationCode, pid)
		return err
	})
}

// FindSickNote implements medic.SickNoteService.
func (db *DB) FindSickNote(ctx context.Context, id string) (n *medic.SickNote, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		n, err = scanSickNote(tx.QueryRow(ctx, sickNoteSelect+` WHERE s.practice_id = $1 AND s.id = $2`, pid, id))
		return err
	})
	return n, err
}

// FindSickNoteByCode implements medic.SickNoteService.
func (db *DB) FindSickNoteByCode(ctx context.Context, code string) (n *medic.SickNote, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		n, err = scanSickNote(tx.QueryRow(ctx, sickNoteSelect+` WHERE s.practice_id = $1 AND s.verification_code = $2`, pid, code))
		return err
	})
	return n, err
}

// SickNotePractice implements medic.SickNoteService: outside any practice,
// the index shows only the row whose code is presented (its by_code
// policy). The setting, the lookup and the setting's reset are one round
// trip (a public page's hot path).
func (db *DB) SickNotePractice(ctx context.Context, code string) (p *medic.Practice, err error) {
	err = db.do(withTenant(ctx, ""), func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT set_config('app.verify_code', $1, true)`, code)
		b.Queue(`SELECT `+practiceColumns+` FROM sick_note_codes c JOIN practices ON practices.id = c.practice_id WHERE c.code = $1`, code).
			QueryRow(func(row pgx.Row) error {
				var err error
				p, err = scanPractice(row)
				return err
			})
		b.Queue(`SELECT set_config('app.verify_code', '', true)`)
		return tx.SendBatch(ctx, b).Close()
	})
	return p, err
}

// ListSickNotes implements medic.SickNoteService.
func (db *DB) ListSickNotes(ctx context.Context, f medic.SickNoteFilter, page medic.Page) (ns []*medic.SickNote, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := "s.practice_id = " + args.add(pid)
	for _, c := range [...]struct{ col, id string }{{"s.patient_id", f.PatientID}, {"s.encounter_id", f.EncounterID}} {
		if c.id == "" {
			continue
		}
		if !isUUID(c.id) {
			return []*medic.SickNote{}, "", nil
		}
		where += " AND " + c.col + " = " + args.add(c.id) + "::uuid"
	}
	if page.Cursor != "" {
		var before time.Time
		var beforeID string
		if err := decodeCursor(page.Cursor, &before, &beforeID); err != nil {
			return nil, "", err
		}
		if !isUUID(beforeID) {
			return nil, "", errBadCursor
		}
		where += " AND (s.issued_at, s.id) < (" + args.add(before) + "::timestamptz, " + args.add(beforeID) + "::uuid)"
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		if ns, err = queryAll(ctx, tx, scanSickNote, sickNoteSelect+" WHERE "+where+" ORDER BY s.issued_at DESC, s.id DESC LIMIT "+args.add(page.Limit+1), args...); err != nil {
			return err
		}
		if len(ns) > page.Limit {
			ns = ns[:page.Limit]
			last := ns[len(ns)-1]
			next = encodeCursor(last.IssuedAt, last.ID)
		}
		return nil
	})
	if ns == nil {
		ns = []*medic.SickNote{}
	}
	return ns, next, err
}

// CancelSickNote implements medic.SickNoteService.
func (db *DB) CancelSickNote(ctx context.Context, id, by, reason string) (n *medic.SickNote, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM sick_notes WHERE practice_id = $1 AND id = $2 FOR UPDATE`, pid, id).Scan(&status); err != nil {
			return notFound(err)
		}
		if status != string(medic.SickNoteIssued) {
			return &medic.Error{Code: medic.ECONFLICT, Message: "The sick note is cancelled already."}
		}
		if _, err := tx.Exec(ctx, `UPDATE sick_notes SET status = 'cancelled', cancelled_at = $3, cancelled_by = $4, cancel_reason = $5
			WHERE practice_id = $1 AND id = $2`, pid, id, db.now(), by, reason); err != nil {
			return err
		}
		n, err = scanSickNote(tx.QueryRow(ctx, sickNoteSelect+` WHERE s.practice_id = $1 AND s.id = $2`, pid, id))
		return err
	})
	return n, err
}

// PrimaryDiagnosis implements medic.SickNoteService.
func (db *DB) PrimaryDiagnosis(ctx context.Context, encounterID string) (d string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return "", err
	}
	if !isUUID(encounterID) {
		return "", medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT code || ' ' || title FROM encounter_diagnoses WHERE practice_id = $1 AND encounter_id = $2 AND is_primary`,
			pid, encounterID).Scan(&d)
		if err == pgx.ErrNoRows {
			return nil
		}
		return err
	})
	return d, err
}
