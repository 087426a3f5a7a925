package app

import (
	"context"
	"strconv"

	"medic"
)

// PatientDiagnoses lists the diagnoses of every encounter of a chart
// (FHIR Condition searches), newest encounter first, as Diagnoses shows
// them to the role; one audit event. ENOTFOUND for another practice's chart.
func (a *App) PatientDiagnoses(ctx context.Context, patientID string) ([]*medic.Diagnosis, error) {
	t, err := a.allow(ctx, "diagnosis.list")
	if err != nil {
		return nil, err
	}
	var out []*medic.Diagnosis
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		p, err := a.Patients.FindPatient(ctx, patientID)
		if err != nil {
			return err
		}
		page := medic.Page{Limit: medic.MaxLimit}
		for {
			es, next, err := a.Encounters.ListEncounters(ctx, medic.EncounterFilter{PatientID: p.ID}, page)
			if err != nil {
				return err
			}
			for _, e := range es {
				ds, err := a.EncounterDiagnoses.ListDiagnoses(ctx, e.ID)
				if err != nil {
					return err
				}
				out = append(out, ds...)
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "diagnosis.listed", EntityType: "patient", EntityID: p.ID, PatientID: p.ID,
			Detail: map[string]string{"results": strconv.Itoa(len(out))}})
	})
	if err != nil {
		return nil, err
	}
	if !t.Can(medic.PermClinicalRead) {
		for i, d := range out {
			out[i] = &medic.Diagnosis{ID: d.ID, EncounterID: d.EncounterID, PatientID: d.PatientID, Code: d.Code, Title: d.Title, Primary: d.Primary}
		}
	}
	return out, nil
}
