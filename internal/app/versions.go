package app

import (
	"context"
	"strconv"

	"medic"
)

// PatientHistory returns a chart's kept versions, newest first (FHIR
// history and vread), as the member's role may see the chart; one audit
// event naming it. ENOTFOUND for another practice's chart.
func (a *App) PatientHistory(ctx context.Context, id string) ([]*medic.Patient, error) {
	t, err := a.allow(ctx, "patient.view")
	if err != nil {
		return nil, err
	}
	var vs []*medic.Patient
	err = a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if vs, err = a.Versions.PatientVersions(ctx, id); err != nil {
			return err
		}
		return a.auditPatient(ctx, "patient.history_viewed", vs[0].ID, map[string]string{"versions": strconv.Itoa(len(vs))})
	})
	if err != nil {
		return nil, err
	}
	return projectAll(vs, t.Role), nil
}

// AppointmentHistory returns an appointment's kept versions, newest first;
// one audit event naming its patient.
func (a *App) AppointmentHistory(ctx context.Context, id string) ([]*medic.Appointment, error) {
	if _, err := a.allow(ctx, "appointment.view"); err != nil {
		return nil, err
	}
	var vs []*medic.Appointment
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if vs, err = a.Versions.AppointmentVersions(ctx, id); err != nil {
			return err
		}
		return a.auditAppointment(ctx, "appointment.history_viewed", vs[0], map[string]string{"versions": strconv.Itoa(len(vs))})
	})
	return vs, err
}
