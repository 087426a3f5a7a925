package app

import (
	"context"
	"io"
	"strconv"

	"medic"
)

// Tariff codes: every member who reads invoices reads the tariff (to bill
// from it); admin and billing manage codes and prices. Changes are
// audited (the tariff holds no patient data, so reads are not).

// ListTariffCodes pages through the practice's tariff with prices on f.On
// (today when zero).
func (a *App) ListTariffCodes(ctx context.Context, f medic.TariffFilter, pg medic.Page) ([]*medic.TariffCode, string, error) {
	if _, err := a.allow(ctx, "tariff.list"); err != nil {
		return nil, "", err
	}
	if f.On.IsZero() {
		f.On = a.today(ctx)
	}
	return a.Tariffs.ListTariffCodes(ctx, f, pg)
}

// GetTariffCode returns a code with its price today and every version.
func (a *App) GetTariffCode(ctx context.Context, id string) (*medic.TariffCode, error) {
	if _, err := a.allow(ctx, "tariff.list"); err != nil {
		return nil, err
	}
	return a.Tariffs.FindTariffCode(ctx, id, a.today(ctx))
}

// CreateTariffCode adds a code with its first price (t.Prices[0]; from
// today when no date is given).
func (a *App) CreateTariffCode(ctx context.Context, t *medic.TariffCode) error {
	if _, err := a.allow(ctx, "tariff.manage"); err != nil {
		return err
	}
	t.Source = medic.MedicineManual
	err := t.Validate()
	if len(t.Prices) == 0 {
		t.Prices = []medic.TariffPrice{{}}
	}
	if t.Prices[0].EffectiveFrom.IsZero() {
		t.Prices[0].EffectiveFrom = a.today(ctx)
	}
	if perr := medic.ValidatePrice(t.Prices[0]); perr != nil {
		err = mergeFields(err, perr)
	}
	if err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Tariffs.CreateTariffCode(ctx, t); err != nil {
			return err
		}
		if err := a.audit(ctx, "tariff.created", "tariff_code", t.ID, map[string]string{"code": t.Code,
			"unit_cents": strconv.FormatInt(t.Prices[0].UnitCents, 10), "effective_from": t.Prices[0].EffectiveFrom.String()}); err != nil {
			return err
		}
		stored, err := a.Tariffs.FindTariffCode(ctx, t.ID, a.today(ctx))
		if err == nil {
			*t = *stored
		}
		return err
	})
}

// mergeFields joins two validation errors' fields.
func mergeFields(a, b error) error {
	f := medic.FieldErrors{}
	for _, err := range []error{a, b} {
		for k, v := range medic.ErrorFields(err) {
			f.Add(k, v)
		}
	}
	return f.Err()
}

// UpdateTariffCode saves a code's description, category, VAT flag,
// medicine link and active flag.
func (a *App) UpdateTariffCode(ctx context.Context, t *medic.TariffCode) error {
	if _, err := a.allow(ctx, "tariff.manage"); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := a.Tariffs.FindTariffCode(ctx, t.ID, a.today(ctx))
		if err != nil {
			return err
		}
		t.Code, t.Source = cur.Code, cur.Source
		if err := t.Validate(); err != nil {
			return err
		}
		if err := a.Tariffs.UpdateTariffCode(ctx, t); err != nil {
			return err
		}
		if err := a.audit(ctx, "tariff.updated", "tariff_code", t.ID, map[string]string{"code": t.Code, "active": strconv.FormatBool(t.Active)}); err != nil {
			return err
		}
		stored, err := a.Tariffs.FindTariffCode(ctx, t.ID, a.today(ctx))
		if err == nil {
			*t = *stored
		}
		return err
	})
}

// SetTariffPrice adds a price version from its date (replacing one of the
// same date). Invoices already made keep their prices.
func (a *App) SetTariffPrice(ctx context.Context, id string, p medic.TariffPrice) (*medic.TariffCode, error) {
	if _, err := a.allow(ctx, "tariff.manage"); err != nil {
		return nil, err
	}
	if err := medic.ValidatePrice(p); err != nil {
		return nil, err
	}
	var t *medic.TariffCode
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Tariffs.SetTariffPrice(ctx, id, p); err != nil {
			return err
		}
		if err := a.audit(ctx, "tariff.priced", "tariff_code", id, map[string]string{"unit_cents": strconv.FormatInt(p.UnitCents, 10),
			"effective_from": p.EffectiveFrom.String()}); err != nil {
			return err
		}
		var err error
		t, err = a.Tariffs.FindTariffCode(ctx, id, a.today(ctx))
		return err
	})
	return t, err
}

// ImportTariffCSV adds or updates codes from a CSV file (see
// medic.ParseTariffCSV), each priced from `from` (today when zero), in one
// transaction; bad rows are reported, the good ones kept.
func (a *App) ImportTariffCSV(ctx context.Context, r io.Reader, from medic.Date) (*medic.TariffImportReport, error) {
	if _, err := a.allow(ctx, "tariff.manage"); err != nil {
		return nil, err
	}
	rows, rejected, err := medic.ParseTariffCSV(r)
	if err != nil {
		return nil, err
	}
	if from.IsZero() {
		from = a.today(ctx)
	}
	rep := &medic.TariffImportReport{Rejected: rejected}
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if rep.Added, rep.Updated, err = a.Tariffs.ImportTariffCodes(ctx, rows, from); err != nil {
			return err
		}
		return a.audit(ctx, "tariff.imported", "tariff_code", "", map[string]string{"added": strconv.Itoa(rep.Added),
			"updated": strconv.Itoa(rep.Updated), "rejected": strconv.Itoa(len(rep.Rejected)), "effective_from": from.String()})
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}
