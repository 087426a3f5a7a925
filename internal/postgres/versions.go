package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"medic"
)

// Versions are rows of resource_versions (migration 0020), kept by a
// trigger on every change of a chart's or an appointment's updated_at and
// read back as rows of their table (jsonb_populate_record), so the same
// scan functions read them.

// PatientVersions implements medic.VersionService.
func (db *DB) PatientVersions(ctx context.Context, id string) (ps []*medic.Patient, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	sql := `SELECT ` + patientColumns + ` FROM (SELECT v.seq AS version_seq, (jsonb_populate_record(NULL::patients, v.snapshot)).*
		FROM resource_versions v WHERE v.practice_id = $1 AND v.resource = 'patient' AND v.id = $2 ORDER BY v.seq DESC LIMIT ` + strconv.Itoa(medic.MaxVersions) + `) p
		ORDER BY version_seq DESC`
	err = db.do(ctx, func(tx pgx.Tx) error {
		ps, err = queryAll(ctx, tx, func(row pgx.Row) (*medic.Patient, error) { return scanPatient(row) }, sql, pid, id)
		return err
	})
	if err == nil && len(ps) == 0 {
		err = medic.ErrNotFound
	}
	return ps, err
}

// AppointmentVersions implements medic.VersionService (the names joined
// are today's).
func (db *DB) AppointmentVersions(ctx context.Context, id string) (as []*medic.Appointment, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	sql := strings.Replace(appointmentSelect, "FROM appointments a", `FROM (SELECT v.seq AS version_seq, (jsonb_populate_record(NULL::appointments, v.snapshot)).*
		FROM resource_versions v WHERE v.practice_id = $1 AND v.resource = 'appointment' AND v.id = $2 ORDER BY v.seq DESC LIMIT `+strconv.Itoa(medic.MaxVersions)+`) a`, 1) +
		` ORDER BY a.version_seq DESC`
	err = db.do(ctx, func(tx pgx.Tx) error {
		as, err = queryAll(ctx, tx, scanAppointment, sql, pid, id)
		return err
	})
	if err == nil && len(as) == 0 {
		err = medic.ErrNotFound
	}
	return as, err
}
