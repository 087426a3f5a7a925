package app

import (
	"context"

	"medic"
)

// Diagnoses lists an encounter's diagnoses, the primary first. Billing,
// which reads diagnosis codes for claims and nothing else clinical, gets
// the codes without who recorded them.
func (a *App) Diagnoses(ctx context.Context, encounterID string) ([]*medic.Diagnosis, error) {
	t, err := a.allow(ctx, "diagnosis.list")
	if err != nil {
		return nil, err
	}
	var out []*medic.Diagnosis
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.EncounterDiagnoses.ListDiagnoses(ctx, encounterID); err != nil {
			return err
		}
		ev := medic.AuditEvent{Action: "diagnosis.listed", EntityType: "encounter", EntityID: encounterID}
		if len(out) > 0 {
			ev.PatientID = out[0].PatientID
		}
		return a.Audit.Record(ctx, ev)
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

// AddDiagnosis codes a diagnosis on a draft encounter (doctors and admins).
func (a *App) AddDiagnosis(ctx context.Context, d *medic.Diagnosis) error {
	if _, err := a.allow(ctx, "diagnosis.record"); err != nil {
		return err
	}
	code, err := medic.NormalizeICD10(d.Code)
	if err != nil {
		return &medic.Error{Code: medic.EINVALID, Message: medic.ErrorMessage(err), Fields: map[string]string{"code": medic.ErrorMessage(err)}}
	}
	d.Code = code
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.EncounterDiagnoses.AddDiagnosis(ctx, d); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "diagnosis.added", EntityType: "encounter", EntityID: d.EncounterID, PatientID: d.PatientID,
			Detail: map[string]string{"code": d.Code, "primary": map[bool]string{true: "yes", false: "no"}[d.Primary]}})
	})
}

// RemoveDiagnosis removes a diagnosis from a draft encounter.
func (a *App) RemoveDiagnosis(ctx context.Context, encounterID, id string) error {
	if _, err := a.allow(ctx, "diagnosis.record"); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.EncounterDiagnoses.RemoveDiagnosis(ctx, encounterID, id); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "diagnosis.removed", EntityType: "encounter", EntityID: encounterID, Detail: map[string]string{"diagnosis": id}})
	})
}
