package app

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"medic"
)

// The practice's medicines list: clinicians read it (the prescription
// picker); admins keep it (entries, CSV imports). It holds no patient data,
// so reading it is not audited; every change is.

// ListMedicines pages through the practice's medicines.
func (a *App) ListMedicines(ctx context.Context, f medic.MedicineFilter, p medic.Page) ([]*medic.Medicine, string, error) {
	if _, err := a.allow(ctx, "medicine.list"); err != nil {
		return nil, "", err
	}
	if len(f.Query) > 100 {
		f.Query = f.Query[:100]
	}
	return a.Medicines.ListMedicines(ctx, f, p)
}

// GetMedicine returns one medicine of the practice.
func (a *App) GetMedicine(ctx context.Context, id string) (*medic.Medicine, error) {
	if _, err := a.allow(ctx, "medicine.list"); err != nil {
		return nil, err
	}
	return a.Medicines.FindMedicine(ctx, id)
}

// CreateMedicine adds an entry to the practice's list (admin).
func (a *App) CreateMedicine(ctx context.Context, m *medic.Medicine) error {
	if _, err := a.allow(ctx, "medicine.manage"); err != nil {
		return err
	}
	m.Source, m.Active = medic.MedicineManual, true
	if err := m.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Medicines.CreateMedicine(ctx, m); err != nil {
			return err
		}
		return a.audit(ctx, "medicine.created", "medicine", m.ID, map[string]string{"name": m.Label()})
	})
}

// UpdateMedicine saves an entry (admin); making it inactive takes it out
// of the prescription picker without touching prescriptions that name it.
func (a *App) UpdateMedicine(ctx context.Context, m *medic.Medicine) error {
	if _, err := a.allow(ctx, "medicine.manage"); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Medicines.UpdateMedicine(ctx, m); err != nil {
			return err
		}
		return a.audit(ctx, "medicine.updated", "medicine", m.ID, map[string]string{"name": m.Label(), "active": strconv.FormatBool(m.Active)})
	})
}

// ImportMedicines reads a CSV list into the practice's medicines (admin):
// valid rows are added or update the entry of the same name, strength and
// form, all in one transaction; the report lists every rejected row.
func (a *App) ImportMedicines(ctx context.Context, csv []byte) (*medic.MedicineImportReport, error) {
	if _, err := a.allow(ctx, "medicine.manage"); err != nil {
		return nil, err
	}
	if len(csv) > medic.MaxMedicineImportBytes {
		return nil, errImportTooLarge
	}
	rows, rejected, err := medic.ParseMedicineCSV(bytes.NewReader(csv))
	if err != nil {
		return nil, err
	}
	rep := &medic.MedicineImportReport{Rejected: rejected}
	if len(rows) == 0 {
		return rep, nil
	}
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if rep.Added, rep.Updated, err = a.Medicines.ImportMedicines(ctx, rows); err != nil {
			return err
		}
		return a.audit(ctx, "medicine.imported", "practice", "", map[string]string{
			"added": strconv.Itoa(rep.Added), "updated": strconv.Itoa(rep.Updated), "rejected": strconv.Itoa(len(rejected))})
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

var errImportTooLarge = &medic.Error{Code: medic.ETOOLARGE, Message: fmt.Sprintf("The file is larger than %d MB.", medic.MaxMedicineImportBytes>>20)}
