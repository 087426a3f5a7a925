package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"medic"
)

// Prescriptions: doctors issue them at an open encounter after the safety
// checks; clinical roles read them. An issued prescription is locked; a
// cancel needs a reason. Every read and change is audited, and an override
// reason is written into the issue's audit event.

// IssuePrescription checks every item against the chart and issues p.
// Items whose checks fire need an override reason (otherwise
// *medic.AlertsError, listing every alert); a child's dose-checked
// medicine needs a recorded weight (medic.ErrNoWeight).
func (a *App) IssuePrescription(ctx context.Context, p *medic.Prescription) error {
	if _, err := a.allow(ctx, "prescription.issue"); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	today := a.today(ctx)
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		chart, err := a.Prescriptions.PrescribingChart(ctx, p.EncounterID, today)
		if err != nil {
			return err
		}
		if chart.Encounter.Status == medic.EncounterFinished {
			return &medic.Error{Code: medic.ECONFLICT, Message: "The encounter is finished: prescribe in a new encounter."}
		}
		meds, err := a.prescribedMedicines(ctx, p.Items)
		if err != nil {
			return err
		}
		alerts, err := medic.CheckPrescription(p.Items, meds, chart, today)
		if err != nil {
			return err
		}
		var unexplained []medic.ItemAlert
		for _, al := range alerts {
			it := p.Items[al.Item]
			it.Alerts = append(it.Alerts, al.SafetyAlert)
			if strings.TrimSpace(it.OverrideReason) == "" {
				unexplained = append(unexplained, al)
			}
		}
		if len(unexplained) > 0 {
			return &medic.AlertsError{Alerts: unexplained}
		}
		detail := map[string]string{"items": strconv.Itoa(len(p.Items))}
		for i, it := range p.Items {
			it.MedicineLabel = meds[i].Label()
			if it.Route == "" {
				it.Route = meds[i].Route
			}
			if len(it.Alerts) == 0 {
				it.OverrideReason = "" // nothing to override
				continue
			}
			kinds := make([]string, len(it.Alerts))
			for j, al := range it.Alerts {
				kinds[j] = string(al.Kind)
			}
			detail[fmt.Sprintf("override.%d", i+1)] = it.MedicineLabel + " (" + strings.Join(kinds, ", ") + "): " + it.OverrideReason
		}
		p.PrescriberID = medic.ActorFrom(ctx).UserID
		p.IssuedAt = a.now().In(a.location(ctx))
		if err := a.Prescriptions.CreatePrescription(ctx, p); err != nil {
			return err
		}
		if err := a.auditPrescription(ctx, "prescription.issued", p, detail); err != nil {
			return err
		}
		issued, err := a.Prescriptions.FindPrescription(ctx, p.ID) // names and ids as stored
		if err == nil {
			*p = *issued
		}
		return err
	})
}

// prescribedMedicines reads the items' medicines; an unknown or inactive
// one is a mistake in that item.
func (a *App) prescribedMedicines(ctx context.Context, items []*medic.PrescriptionItem) ([]*medic.Medicine, error) {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.MedicineID
	}
	// One read for all; only when one is unknown are they looked up one by
	// one, to name the item.
	meds, err := a.Medicines.FindMedicines(ctx, ids)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		meds = make([]*medic.Medicine, len(items))
		for i, id := range ids {
			if meds[i], err = a.Medicines.FindMedicine(ctx, id); err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
				return nil, err
			}
		}
	} else if err != nil {
		return nil, err
	}
	f := medic.FieldErrors{}
	for i, m := range meds {
		switch {
		case m == nil:
			f.Add(fmt.Sprintf("items.%d.medicine_id", i), "Choose a medicine from the practice's list.")
		case !m.Active:
			f.Add(fmt.Sprintf("items.%d.medicine_id", i), m.Label()+" is no longer offered by the practice.")
		}
	}
	return meds, f.Err()
}

func (a *App) auditPrescription(ctx context.Context, action string, p *medic.Prescription, detail map[string]string) error {
	return a.Audit.Record(ctx, medic.AuditEvent{Action: action, EntityType: "prescription", EntityID: p.ID, PatientID: p.PatientID, Detail: detail})
}

// GetPrescription returns one prescription; the read is audited.
func (a *App) GetPrescription(ctx context.Context, id string) (*medic.Prescription, error) {
	if _, err := a.allow(ctx, "prescription.view"); err != nil {
		return nil, err
	}
	var p *medic.Prescription
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = a.Prescriptions.FindPrescription(ctx, id); err != nil {
			return err
		}
		return a.auditPrescription(ctx, "prescription.viewed", p, nil)
	})
	return p, err
}

// ListPrescriptions pages through a chart's or an encounter's
// prescriptions (one of them is required); one audit event per page.
func (a *App) ListPrescriptions(ctx context.Context, f medic.PrescriptionFilter, pg medic.Page) ([]*medic.Prescription, string, error) {
	if _, err := a.allow(ctx, "prescription.list"); err != nil {
		return nil, "", err
	}
	if f.PatientID == "" && f.EncounterID == "" {
		return nil, "", &medic.Error{Code: medic.EINVALID, Message: "Name the patient or the encounter.", Fields: map[string]string{"patient": "Name the patient or the encounter."}}
	}
	var out []*medic.Prescription
	var next string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Prescriptions.ListPrescriptions(ctx, f, pg); err != nil {
			return err
		}
		e := medic.AuditEvent{Action: "prescription.listed", EntityType: "prescription", PatientID: f.PatientID,
			Detail: map[string]string{"count": strconv.Itoa(len(out))}}
		if f.PatientID == "" && len(out) > 0 {
			e.PatientID = out[0].PatientID
		}
		return a.Audit.Record(ctx, e)
	})
	return out, next, err
}

// CancelPrescription cancels an issued prescription with a reason.
func (a *App) CancelPrescription(ctx context.Context, id, reason string) (*medic.Prescription, error) {
	if _, err := a.allow(ctx, "prescription.cancel"); err != nil {
		return nil, err
	}
	f := medic.FieldErrors{}
	f.RequiredLine("reason", &reason, medic.MaxReasonLength, "Give the reason for cancelling.")
	if err := f.Err(); err != nil {
		return nil, err
	}
	var p *medic.Prescription
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = a.Prescriptions.CancelPrescription(ctx, id, medic.ActorFrom(ctx).UserID, reason); err != nil {
			return err
		}
		return a.auditPrescription(ctx, "prescription.cancelled", p, map[string]string{"reason": reason})
	})
	return p, err
}

// CurrentMedicines lists what a chart's patient is taking today (from
// issued prescriptions); the read is audited.
func (a *App) CurrentMedicines(ctx context.Context, patientID string) ([]*medic.CurrentMedicine, error) {
	if _, err := a.allow(ctx, "prescription.list"); err != nil {
		return nil, err
	}
	var out []*medic.CurrentMedicine
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.Prescriptions.CurrentMedicines(ctx, patientID, a.today(ctx)); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "medication.listed", EntityType: "patient", EntityID: patientID, PatientID: patientID})
	})
	return out, err
}

// GetPrescriptionItem returns the prescription holding an item (FHIR's
// MedicationRequest) and the item; the read is audited as the
// prescription's.
func (a *App) GetPrescriptionItem(ctx context.Context, itemID string) (*medic.Prescription, *medic.PrescriptionItem, error) {
	if _, err := a.allow(ctx, "prescription.view"); err != nil {
		return nil, nil, err
	}
	var p *medic.Prescription
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = a.Prescriptions.FindPrescriptionByItem(ctx, itemID); err != nil {
			return err
		}
		return a.auditPrescription(ctx, "prescription.viewed", p, map[string]string{"item": itemID})
	})
	if err != nil {
		return nil, nil, err
	}
	for _, it := range p.Items {
		if it.ID == itemID {
			return p, it, nil
		}
	}
	return nil, nil, medic.ErrNotFound
}

// ListPrescriptionItems pages through a chart's or an encounter's
// prescription items (one of them is required), judged on the practice's
// today; one audit event per page.
func (a *App) ListPrescriptionItems(ctx context.Context, f medic.MedicationFilter, pg medic.Page) ([]*medic.Prescription, string, error) {
	if _, err := a.allow(ctx, "prescription.list"); err != nil {
		return nil, "", err
	}
	if f.PatientID == "" && f.EncounterID == "" {
		return nil, "", &medic.Error{Code: medic.EINVALID, Message: "Name the patient or the encounter.", Fields: map[string]string{"patient": "Name the patient or the encounter."}}
	}
	f.On = a.today(ctx)
	var out []*medic.Prescription
	var next string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Prescriptions.ListPrescriptionItems(ctx, f, pg); err != nil {
			return err
		}
		n := 0
		for _, p := range out {
			n += len(p.Items)
		}
		e := medic.AuditEvent{Action: "prescription.listed", EntityType: "prescription", PatientID: f.PatientID,
			Detail: map[string]string{"items": strconv.Itoa(n)}}
		if f.PatientID == "" && len(out) > 0 {
			e.PatientID = out[0].PatientID
		}
		return a.Audit.Record(ctx, e)
	})
	return out, next, err
}

// Today is the practice's date now, which medication statuses are judged on.
func (a *App) Today(ctx context.Context) medic.Date { return a.today(ctx) }
