package app

import (
	"context"
	"strconv"
	"strings"

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
	p, err := a.Patients.FindPatient(ctx, patientID)
	if err != nil {
		return nil, nil, err
	}
	recs, parts, err := a.patientRecords(ctx, t, []*medic.Patient{p})
	if err != nil {
		return nil, nil, err
	}
	return recs[0], parts, nil
}

// patientRecords reads the records of the charts ps as t's role may see
// them, one query per kind of record for them all, in the caller's
// transaction, and names the
// parts it read; one record per chart, in ps's order. It audits nothing.
func (a *App) patientRecords(ctx context.Context, t medic.Tenant, ps []*medic.Patient) ([]*PatientRecord, []string, error) {
	out := make([]*PatientRecord, len(ps))
	of := make(map[string]*PatientRecord, len(ps))
	ids := make([]string, len(ps))
	for i, p := range ps {
		out[i] = &PatientRecord{Patient: medic.ProjectPatient(p, t.Role)}
		of[p.ID], ids[i] = out[i], p.ID
	}
	parts := []string{"patient"}
	var err error
	if t.Can(medic.PermAppointmentsRead) {
		parts = append(parts, "appointments")
		appts, err := allPagesOf(ctx, func(pg medic.Page) ([]*medic.Appointment, string, error) {
			return a.Appointments.ListAppointments(ctx, medic.AppointmentFilter{PatientIDs: ids}, pg)
		})
		if err != nil {
			return nil, nil, err
		}
		for _, x := range appts {
			of[x.PatientID].Appointments = append(of[x.PatientID].Appointments, x)
		}
	}
	clinical := t.Can(medic.PermClinicalRead)
	if clinical || t.Can(medic.PermDiagnosesRead) {
		encounters, err := allPagesOf(ctx, func(pg medic.Page) ([]*medic.Encounter, string, error) {
			return a.Encounters.ListEncounters(ctx, medic.EncounterFilter{PatientIDs: ids}, pg)
		})
		if err != nil {
			return nil, nil, err
		}
		encIDs := make([]string, len(encounters))
		for i, e := range encounters {
			encIDs[i] = e.ID
		}
		var ds []*medic.Diagnosis
		if len(encIDs) > 0 {
			if ds, err = a.EncounterDiagnoses.ListDiagnosesOf(ctx, encIDs); err != nil {
				return nil, nil, err
			}
		}
		byEncounter := map[string][]*medic.Diagnosis{}
		for _, d := range ds {
			if !clinical {
				d = &medic.Diagnosis{ID: d.ID, EncounterID: d.EncounterID, PatientID: d.PatientID, Code: d.Code, Title: d.Title, Primary: d.Primary}
			}
			byEncounter[d.EncounterID] = append(byEncounter[d.EncounterID], d)
		}
		parts = append(parts, "diagnoses")
		for _, e := range encounters { // each chart's diagnoses in its encounters' order
			rec := of[e.PatientID]
			rec.Diagnoses = append(rec.Diagnoses, byEncounter[e.ID]...)
			if clinical {
				rec.Encounters = append(rec.Encounters, e)
			}
		}
	}
	if clinical {
		parts = append(parts, "encounters", "vitals", "allergies", "conditions", "orders")
		orders, err := allPagesOf(ctx, func(pg medic.Page) ([]*medic.Order, string, error) {
			return a.Orders.ListOrders(ctx, medic.OrderFilter{PatientIDs: ids, WithResults: true}, false, pg)
		})
		if err != nil {
			return nil, nil, err
		}
		for _, o := range orders {
			of[o.PatientID].Orders = append(of[o.PatientID].Orders, o)
		}
		vitals, err := a.Vitals.ListVitalsOf(ctx, ids, maxVitalsSeries)
		if err != nil {
			return nil, nil, err
		}
		allergies, err := a.ClinicalLists.ListAllergiesOf(ctx, ids)
		if err != nil {
			return nil, nil, err
		}
		conditions, err := a.ClinicalLists.ListConditionsOf(ctx, ids)
		if err != nil {
			return nil, nil, err
		}
		for _, rec := range out {
			id := rec.Patient.ID
			rec.Vitals, rec.Conditions = vitals[id], conditions[id]
			if rec.Allergies = allergies[id]; rec.Allergies == nil {
				rec.Allergies = &medic.Allergies{}
			}
		}
	}
	if t.Can(medic.PermPrescriptionsRead) {
		parts = append(parts, "prescriptions")
		rxs, err := allPagesOf(ctx, func(pg medic.Page) ([]*medic.Prescription, string, error) {
			return a.Prescriptions.ListPrescriptions(ctx, medic.PrescriptionFilter{PatientIDs: ids}, pg)
		})
		if err != nil {
			return nil, nil, err
		}
		for _, x := range rxs {
			of[x.PatientID].Prescriptions = append(of[x.PatientID].Prescriptions, x)
		}
	}
	if kinds := documentKinds(t, nil); len(kinds) > 0 {
		parts = append(parts, "documents")
		docs, err := allPagesOf(ctx, func(pg medic.Page) ([]*medic.ClinicalDocument, string, error) {
			return a.Documents.ListDocuments(ctx, medic.DocumentFilter{PatientIDs: ids, Kinds: kinds}, pg)
		})
		if err != nil {
			return nil, nil, err
		}
		for _, x := range docs {
			of[x.PatientID].Documents = append(of[x.PatientID].Documents, x)
		}
	}
	return out, parts, err
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
