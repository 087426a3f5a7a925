package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// vitalValueColumns are the measurement columns in medic.VitalSpecs order.
const vitalValueColumns = `systolic_mmhg, diastolic_mmhg, pulse_bpm, temperature_c, respiratory_rate, spo2_percent,
	weight_kg, height_cm, glucose_mmol_l, head_circumference_cm`

const vitalsSelect = `SELECT id, practice_id, encounter_id, patient_id, measured_at, coalesce(recorded_by::text, ''), created_at,
	systolic_mmhg::float8, diastolic_mmhg::float8, pulse_bpm::float8, temperature_c::float8, respiratory_rate::float8, spo2_percent::float8,
	weight_kg::float8, height_cm::float8, glucose_mmol_l::float8, head_circumference_cm::float8
	FROM encounter_vitals`

func scanVitals(row pgx.Row) (*medic.Vitals, error) {
	var v medic.Vitals
	dest := []any{&v.ID, &v.PracticeID, &v.EncounterID, &v.PatientID, &v.MeasuredAt, &v.RecordedBy, &v.CreatedAt}
	for _, sp := range medic.VitalSpecs {
		dest = append(dest, v.Slot(sp.Field))
	}
	if err := row.Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// CreateVitals stores v for its draft encounter, taking the patient from
// the encounter. ENOTFOUND for an encounter of another practice; ECONFLICT
// once the encounter is finished (the row is share-locked, so a finish
// running at the same time waits or is seen).
func (db *DB) CreateVitals(ctx context.Context, v *medic.Vitals) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(v.EncounterID) {
		return medic.ErrNotFound
	}
	now := db.now().Truncate(time.Microsecond)
	if v.MeasuredAt.IsZero() {
		v.MeasuredAt = now
	}
	v.MeasuredAt = v.MeasuredAt.Truncate(time.Microsecond)
	id := newID()
	return db.do(ctx, func(tx pgx.Tx) error {
		var status, patientID string
		if err := tx.QueryRow(ctx, `SELECT status, patient_id FROM encounters WHERE practice_id = $1 AND id = $2 FOR SHARE`,
			pid, v.EncounterID).Scan(&status, &patientID); err != nil {
			return notFound(err)
		}
		if status != string(medic.EncounterDraft) {
			return medic.ErrEncounterFinished
		}
		args := []any{id, pid, v.EncounterID, patientID, v.MeasuredAt, nullUUID(v.RecordedBy), now}
		for _, sp := range medic.VitalSpecs {
			args = append(args, v.Value(sp.Field))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO encounter_vitals (id, practice_id, encounter_id, patient_id, measured_at, recorded_by, created_at,
				`+vitalValueColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6::uuid, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, args...); err != nil {
			return err
		}
		v.ID, v.PracticeID, v.PatientID, v.CreatedAt = id, pid, patientID, now
		return nil
	})
}

// ListVitals returns a chart's vitals measured in [from, to) (a zero bound
// is open), oldest first, at most limit (the newest of them when more
// match). ENOTFOUND is never returned: another practice's chart has none.
func (db *DB) ListVitals(ctx context.Context, patientID string, from, to time.Time, limit int) (vs []*medic.Vitals, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(patientID) {
		return nil, nil
	}
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		vs, err = queryAll(ctx, tx, scanVitals, `SELECT * FROM (`+vitalsSelect+`
			WHERE practice_id = $1 AND patient_id = $2 AND measured_at >= $3 AND measured_at < $4
			ORDER BY measured_at DESC, id DESC LIMIT $5) v ORDER BY measured_at, id`, pid, patientID, from, to, limit)
		return err
	})
	return vs, err
}

// ListVitalsOf implements medic.VitalsService: one query for all the
// charts, the latest limit of each.
func (db *DB) ListVitalsOf(ctx context.Context, patientIDs []string, limit int) (map[string][]*medic.Vitals, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	valid := make([]string, 0, len(patientIDs))
	for _, id := range patientIDs {
		if isUUID(id) {
			valid = append(valid, id)
		}
	}
	out := map[string][]*medic.Vitals{}
	err = db.do(ctx, func(tx pgx.Tx) error {
		vs, err := queryAll(ctx, tx, scanVitals, `SELECT v.* FROM unnest($2::uuid[]) c (id) CROSS JOIN LATERAL (`+vitalsSelect+`
			WHERE practice_id = $1 AND patient_id = c.id ORDER BY measured_at DESC, id DESC LIMIT $3) v
			ORDER BY v.patient_id, v.measured_at, v.id`, pid, valid, limit)
		for _, v := range vs {
			out[v.PatientID] = append(out[v.PatientID], v)
		}
		return err
	})
	return out, err
}

// EncounterVitals returns the vitals of one encounter, oldest first.
func (db *DB) EncounterVitals(ctx context.Context, encounterID string) (vs []*medic.Vitals, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(encounterID) {
		return nil, nil
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		vs, err = queryAll(ctx, tx, scanVitals, vitalsSelect+` WHERE practice_id = $1 AND encounter_id = $2 ORDER BY measured_at, id`, pid, encounterID)
		return err
	})
	return vs, err
}
