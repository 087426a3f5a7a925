package app

import (
	"context"

	"medic"
)

// A chart's allergies and problem list. Clinical roles read them (admin,
// doctor, nurse); doctors and admins record them. Reception and billing
// see none of it (DOMAIN.md "Roles"). Every read and change is one audit
// event naming the patient.

// Allergies returns the chart's allergy record.
func (a *App) Allergies(ctx context.Context, patientID string) (*medic.Allergies, error) {
	if _, err := a.allow(ctx, "allergy.list"); err != nil {
		return nil, err
	}
	var out *medic.Allergies
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.ClinicalLists.ListAllergies(ctx, patientID); err != nil {
			return err
		}
		return a.auditPatient(ctx, "allergy.listed", patientID, nil)
	})
	return out, err
}

// SevereAllergies lists the active severe allergies' substances for the
// chart's warning banner; nil (and nothing audited) for a role that may
// not read clinical data, so a receptionist's pages never show it. The
// banner's read is audited like any other.
func (a *App) SevereAllergies(ctx context.Context, patientID string) ([]string, error) {
	t, ok := medic.TenantFrom(ctx)
	if !ok || !t.Can(medic.PermClinicalRead) {
		return nil, nil
	}
	as, err := a.Allergies(ctx, patientID)
	if err != nil {
		return nil, err
	}
	return as.Severe(), nil
}

// RecordAllergy validates and records an allergy on the chart.
func (a *App) RecordAllergy(ctx context.Context, al *medic.Allergy) error {
	if _, err := a.allow(ctx, "allergy.record"); err != nil {
		return err
	}
	if err := al.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.ClinicalLists.CreateAllergy(ctx, al); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "allergy.recorded", EntityType: "allergy", EntityID: al.ID, PatientID: al.PatientID,
			Detail: map[string]string{"severity": string(al.Severity), "status": string(al.Status)}})
	})
}

// SetAllergyStatus marks an allergy active, inactive or entered in error.
func (a *App) SetAllergyStatus(ctx context.Context, patientID, id string, s medic.AllergyStatus) (*medic.Allergy, error) {
	if _, err := a.allow(ctx, "allergy.record"); err != nil {
		return nil, err
	}
	if !s.Valid() {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Unknown status.", Fields: map[string]string{"status": "Choose active, inactive or entered in error."}}
	}
	var out *medic.Allergy
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.ClinicalLists.SetAllergyStatus(ctx, patientID, id, s); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "allergy.status_changed", EntityType: "allergy", EntityID: id, PatientID: patientID,
			Detail: map[string]string{"status": string(s)}})
	})
	return out, err
}

// RecordNoKnownAllergies records that the patient has no known allergies.
func (a *App) RecordNoKnownAllergies(ctx context.Context, patientID string) (*medic.NoKnownAllergies, error) {
	if _, err := a.allow(ctx, "allergy.record"); err != nil {
		return nil, err
	}
	var out *medic.NoKnownAllergies
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.ClinicalLists.RecordNoKnownAllergies(ctx, patientID); err != nil {
			return err
		}
		return a.auditPatient(ctx, "allergy.none_known", patientID, nil)
	})
	return out, err
}

// Conditions returns the chart's problem list, active problems first.
func (a *App) Conditions(ctx context.Context, patientID string) ([]*medic.Condition, error) {
	if _, err := a.allow(ctx, "condition.list"); err != nil {
		return nil, err
	}
	var out []*medic.Condition
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.ClinicalLists.ListConditions(ctx, patientID); err != nil {
			return err
		}
		return a.auditPatient(ctx, "condition.listed", patientID, nil)
	})
	return out, err
}

// RecordCondition validates and adds a coded problem to the chart.
func (a *App) RecordCondition(ctx context.Context, c *medic.Condition) error {
	if _, err := a.allow(ctx, "condition.record"); err != nil {
		return err
	}
	if err := c.Validate(a.today(ctx)); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.ClinicalLists.CreateCondition(ctx, c); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "condition.recorded", EntityType: "condition", EntityID: c.ID, PatientID: c.PatientID,
			Detail: map[string]string{"code": c.Code}})
	})
}

// SetConditionStatus marks a problem active or resolved.
func (a *App) SetConditionStatus(ctx context.Context, patientID, id string, s medic.ConditionStatus) (*medic.Condition, error) {
	if _, err := a.allow(ctx, "condition.record"); err != nil {
		return nil, err
	}
	if !s.Valid() {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Unknown status.", Fields: map[string]string{"status": "Choose active or resolved."}}
	}
	var out *medic.Condition
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.ClinicalLists.SetConditionStatus(ctx, patientID, id, s); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "condition.status_changed", EntityType: "condition", EntityID: id, PatientID: patientID,
			Detail: map[string]string{"status": string(s)}})
	})
	return out, err
}
