package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"medic"
)

// PatientRecord is everything of one chart a member's role may read
// (FHIR Patient/$everything): parts the role may not read are nil.
type PatientRecord struct {
	Patient       *medic.Patient
	Appointments  []*medic.Appointment
	Encounters    []*medic.Encounter
	Vitals        []*medic.Vitals
	Allergies     *medic.Allergies
	Conditions    []*medic.Condition
	Diagnoses     []*medic.Diagnosis // codes only for a role without clinical reads
	Orders        []*medic.Order     // lab and imaging orders, with their results
	Prescriptions []*medic.Prescription
	// Documents are the sick notes, prescriptions and referral letters
	// of the kinds the role reads.
	Documents []*medic.ClinicalDocument
}

// PatientEverything reads a chart and its records in one transaction, as
// the role may see them, and audits it as one event naming the chart.
// ENOTFOUND for another practice's chart.
func (a *App) PatientEverything(ctx context.Context, patientID string) (*PatientRecord, error) {
	t, err := a.allow(ctx, "patient.view")
	if err != nil {
		return nil, err
	}
	var out *PatientRecord
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var parts []string
		var err error
		if out, parts, err = a.patientRecord(ctx, t, patientID); err != nil {
			return err
		}
		n := len(out.Appointments) + len(out.Encounters) + len(out.Vitals) + len(out.Conditions) + len(out.Diagnoses) + len(out.Orders) + len(out.Prescriptions) + len(out.Documents)
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "patient.everything", EntityType: "patient", EntityID: out.Patient.ID, PatientID: out.Patient.ID,
			Detail: map[string]string{"records": strconv.Itoa(n), "parts": strings.Join(parts, ",")}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// patientRecord reads a chart and its records as t's role may see them,
// in the caller's transaction, and names the parts it read. It audits
// nothing: its callers do.
func (a *App) patientRecord(ctx context.Context, t medic.Tenant, patientID string) (*PatientRecord, []string, error) {
	out := &PatientRecord{}
	parts := []string{"patient"}
	p, err := a.Patients.FindPatient(ctx, patientID)
	if err != nil {
		return nil, nil, err
	}
	out.Patient = medic.ProjectPatient(p, t.Role)
	if t.Can(medic.PermAppointmentsRead) {
		parts = append(parts, "appointments")
		if out.Appointments, err = allPagesOf(ctx, func(pg medic.Page) ([]*medic.Appointment, string, error) {
			return a.Appointments.ListAppointments(ctx, medic.AppointmentFilter{PatientID: p.ID}, pg)
		}); err != nil {
			return nil, nil, err
		}
	}
	clinical := t.Can(medic.PermClinicalRead)
	var encounters []*medic.Encounter
	if clinical || t.Can(medic.PermDiagnosesRead) {
		if encounters, err = allPagesOf(ctx, func(pg medic.Page) ([]*medic.Encounter, string, error) {
			return a.Encounters.ListEncounters(ctx, medic.EncounterFilter{PatientID: p.ID}, pg)
		}); err != nil {
			return nil, nil, err
		}
		parts = append(parts, "diagnoses")
		for _, e := range encounters {
			ds, err := a.EncounterDiagnoses.ListDiagnoses(ctx, e.ID)
			if err != nil {
				return nil, nil, err
			}
			for _, d := range ds {
				if !clinical {
					d = &medic.Diagnosis{ID: d.ID, EncounterID: d.EncounterID, PatientID: d.PatientID, Code: d.Code, Title: d.Title, Primary: d.Primary}
				}
				out.Diagnoses = append(out.Diagnoses, d)
			}
		}
	}
	if clinical {
		parts = append(parts, "encounters", "vitals", "allergies", "conditions", "orders")
		if out.Orders, err = allPagesOf(ctx, func(pg medic.Page) ([]*medic.Order, string, error) {
			return a.Orders.ListOrders(ctx, medic.OrderFilter{PatientID: p.ID, WithResults: true}, false, pg)
		}); err != nil {
			return nil, nil, err
		}
		out.Encounters = encounters
		if out.Vitals, err = a.Vitals.ListVitals(ctx, p.ID, time.Time{}, time.Time{}, maxVitalsSeries); err != nil {
			return nil, nil, err
		}
		if out.Allergies, err = a.ClinicalLists.ListAllergies(ctx, p.ID); err != nil {
			return nil, nil, err
		}
		if out.Conditions, err = a.ClinicalLists.ListConditions(ctx, p.ID); err != nil {
			return nil, nil, err
		}
	}
	if t.Can(medic.PermPrescriptionsRead) {
		parts = append(parts, "prescriptions")
		if out.Prescriptions, err = allPagesOf(ctx, func(pg medic.Page) ([]*medic.Prescription, string, error) {
			return a.Prescriptions.ListPrescriptions(ctx, medic.PrescriptionFilter{PatientID: p.ID}, pg)
		}); err != nil {
			return nil, nil, err
		}
	}
	if kinds := documentKinds(t, nil); len(kinds) > 0 {
		parts = append(parts, "documents")
		if out.Documents, err = allPagesOf(ctx, func(pg medic.Page) ([]*medic.ClinicalDocument, string, error) {
			return a.Documents.ListDocuments(ctx, medic.DocumentFilter{PatientID: p.ID, Kinds: kinds}, pg)
		}); err != nil {
			return nil, nil, err
		}
	}
	return out, parts, nil
}

// allPagesOf reads every page of a store list.
func allPagesOf[T any](ctx context.Context, list func(medic.Page) ([]T, string, error)) ([]T, error) {
	var out []T
	p := medic.Page{Limit: medic.MaxLimit}
	for {
		items, next, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" || ctx.Err() != nil {
			return out, ctx.Err()
		}
		p.Cursor = next
	}
}
