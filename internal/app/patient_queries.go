package app

import (
	"context"
	"strconv"
	"time"

	"medic"
)

// ErrVersionMismatch refuses a change made on another version of a record
// than the stored one (HTTP If-Match).
var ErrVersionMismatch = &medic.Error{Code: medic.ECONFLICT, Message: "The record was changed since that version; read it again."}

// FindPatients is a structured chart search (FHIR), as the member's role
// may see the charts; the read is audited naming every chart listed.
func (a *App) FindPatients(ctx context.Context, c medic.PatientCriteria, p medic.Page) ([]*medic.Patient, string, error) {
	t, err := a.allow(ctx, "patient.search")
	if err != nil {
		return nil, "", err
	}
	var out []*medic.Patient
	var next string
	err = a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Patients.FindPatients(ctx, c, p); err != nil {
			return err
		}
		return a.auditListed(ctx, "patient.searched", "fhir", out)
	})
	return projectAll(out, t.Role), next, err
}

// CountPatients counts the charts matching c; the count is audited (it
// shows no chart).
func (a *App) CountPatients(ctx context.Context, c medic.PatientCriteria) (int, error) {
	if _, err := a.allow(ctx, "patient.search"); err != nil {
		return 0, err
	}
	var n int
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = a.Patients.CountMatchingPatients(ctx, c); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "patient.counted", EntityType: "patient",
			Detail: map[string]string{"results": strconv.Itoa(n), "list": "fhir"}})
	})
	return n, err
}

// UpdatePatientIfVersion is UpdatePatient when the chart was last changed
// at updatedAt (to the microsecond, as stored); ErrVersionMismatch otherwise.
func (a *App) UpdatePatientIfVersion(ctx context.Context, id string, updatedAt time.Time, change func(p *medic.Patient)) (*medic.Patient, error) {
	return a.updatePatient(ctx, id, func(stored *medic.Patient) error {
		if stored.UpdatedAt.UnixMicro() != updatedAt.UnixMicro() {
			return ErrVersionMismatch
		}
		return nil
	}, change)
}
