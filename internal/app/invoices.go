package app

import (
	"context"
	"fmt"
	"strconv"

	"medic"
)

// Invoices and payments (DOMAIN.md roles: admin and billing all; doctors
// read; receptionists create invoices and take payments; nurses nothing).
// Every read and change is audited under the invoice's patient. Billing a
// visit reads the encounter's diagnosis codes and prescribed medicines,
// never its notes.

func (a *App) auditInvoice(ctx context.Context, action string, inv *medic.Invoice, detail map[string]string) error {
	return a.Audit.Record(ctx, medic.AuditEvent{Action: action, EntityType: "invoice", EntityID: inv.ID, PatientID: inv.PatientID, Detail: detail})
}

func invoiceDetail(inv *medic.Invoice) map[string]string {
	d := map[string]string{"status": string(inv.Status), "total_cents": strconv.FormatInt(inv.TotalCents, 10), "lines": strconv.Itoa(len(inv.Lines))}
	if inv.Number != 0 {
		d["number"] = strconv.FormatInt(inv.Number, 10)
	}
	return d
}

// GetBillingSettings returns the practice's currency and VAT rate.
func (a *App) GetBillingSettings(ctx context.Context) (medic.BillingSettings, error) {
	if _, err := a.allow(ctx, "invoice.list"); err != nil {
		return medic.BillingSettings{}, err
	}
	return a.Invoices.BillingSettings(ctx)
}

// SaveBillingSettings sets the practice's currency and VAT rate; invoices
// already made keep theirs.
func (a *App) SaveBillingSettings(ctx context.Context, b medic.BillingSettings) error {
	if _, err := a.allow(ctx, "billing_settings.update"); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Invoices.SaveBillingSettings(ctx, b); err != nil {
			return err
		}
		return a.audit(ctx, "billing_settings.updated", "billing_settings", "", map[string]string{"currency": b.Currency, "vat_rate_bp": strconv.Itoa(b.VATRateBP)})
	})
}

// priceLines completes lines that name a tariff code: the code's
// description (unless typed), category, VAT flag and, unless typed, its
// price on the invoice date. A code the practice does not have is a field
// error on its line.
func (a *App) priceLines(ctx context.Context, inv *medic.Invoice) error {
	f := medic.FieldErrors{}
	for i, l := range inv.Lines {
		if l.Code == "" && l.TariffCodeID == "" {
			l.TariffCodeID = ""
			continue
		}
		var t *medic.TariffCode
		var err error
		if l.TariffCodeID != "" {
			t, err = a.Tariffs.FindTariffCode(ctx, l.TariffCodeID, inv.InvoiceDate)
		} else {
			t, err = a.Tariffs.FindTariffCodeByCode(ctx, l.Code, inv.InvoiceDate)
		}
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			f.Add(fmt.Sprintf("lines.%d.code", i), "The practice's tariff has no code "+strconv.Quote(l.Code)+".")
			continue
		}
		if err != nil {
			return err
		}
		l.TariffCodeID, l.Code, l.Category, l.VATable = t.ID, t.Code, t.Category, t.VATable
		if l.Description == "" {
			l.Description = t.Description
		}
		if !l.UnitGiven {
			l.UnitCents = max(t.UnitCents, 0)
		}
	}
	return f.Err()
}

// prepareDraft validates inv's lines as typed, prices them from the tariff
// and computes the totals.
func (a *App) prepareDraft(ctx context.Context, inv *medic.Invoice) error {
	if inv.InvoiceDate.IsZero() {
		inv.InvoiceDate = a.today(ctx)
	}
	if err := a.priceLines(ctx, inv); err != nil {
		return err
	}
	return inv.Validate()
}

// CreateInvoice stores a new draft for a patient of the practice: lines
// with a tariff code take its price on the invoice date (today when not
// given) unless a price is typed.
func (a *App) CreateInvoice(ctx context.Context, inv *medic.Invoice) error {
	if _, err := a.allow(ctx, "invoice.create"); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		b, err := a.Invoices.BillingSettings(ctx)
		if err != nil {
			return err
		}
		inv.Currency, inv.VATRateBP = b.Currency, b.VATRateBP
		if err := a.prepareDraft(ctx, inv); err != nil {
			return err
		}
		inv.CreatedBy = medic.ActorFrom(ctx).UserID
		if err := a.Invoices.CreateInvoice(ctx, inv); err != nil {
			return err
		}
		if err := a.auditInvoice(ctx, "invoice.created", inv, invoiceDetail(inv)); err != nil {
			return err
		}
		return a.reread(ctx, inv)
	})
}

// reread replaces inv with what is stored (names joined).
func (a *App) reread(ctx context.Context, inv *medic.Invoice) error {
	stored, err := a.Invoices.FindInvoice(ctx, inv.ID)
	if err == nil {
		*inv = *stored
	}
	return err
}

// ErrEncounterNotFinished refuses billing a visit that is still open.
var ErrEncounterNotFinished = &medic.Error{Code: medic.ECONFLICT, Message: "Finish the encounter before billing it."}

// BillEncounter makes the draft invoice of a finished encounter ("bill
// this visit"): the consultation from its appointment type's tariff code,
// a line per prescribed medicine (priced by a matching medicine tariff,
// else 0 to be filled in), every line carrying the encounter's ICD-10
// codes. The invoice date is the visit's. ECONFLICT when the encounter is
// open or already has an invoice that is not void.
func (a *App) BillEncounter(ctx context.Context, encounterID string) (*medic.Invoice, error) {
	if _, err := a.allow(ctx, "invoice.create"); err != nil {
		return nil, err
	}
	var inv *medic.Invoice
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		b, err := a.Invoices.BillingSettings(ctx)
		if err != nil {
			return err
		}
		// The visit's date in the practice's zone prices the lines; read
		// the encounter once to find it, then its charges on that date.
		c, err := a.Invoices.EncounterCharges(ctx, encounterID, a.today(ctx))
		if err != nil {
			return err
		}
		if !c.Encounter.Finished() {
			return ErrEncounterNotFinished
		}
		date := medic.DateOf(c.Encounter.StartedAt.In(a.location(ctx)))
		if !date.Equal(a.today(ctx)) {
			if c, err = a.Invoices.EncounterCharges(ctx, encounterID, date); err != nil {
				return err
			}
		}
		existing, _, err := a.Invoices.ListInvoices(ctx, medic.InvoiceFilter{EncounterID: encounterID}, medic.Page{Limit: medic.MaxLimit})
		if err != nil {
			return err
		}
		for _, x := range existing {
			if x.Status != medic.InvoiceVoid {
				return &medic.Error{Code: medic.ECONFLICT, Message: "This visit has an invoice already (" + x.NumberLabel() + ")."}
			}
		}
		inv = medic.DraftFromCharges(c, date, b)
		inv.CreatedBy = medic.ActorFrom(ctx).UserID
		if err := inv.Validate(); err != nil {
			return err
		}
		if err := a.Invoices.CreateInvoice(ctx, inv); err != nil {
			return err
		}
		d := invoiceDetail(inv)
		d["encounter_id"] = encounterID
		if err := a.auditInvoice(ctx, "invoice.created", inv, d); err != nil {
			return err
		}
		return a.reread(ctx, inv)
	})
	return inv, err
}

// GetInvoice returns an invoice with its lines and payments; audited.
func (a *App) GetInvoice(ctx context.Context, id string) (*medic.Invoice, []*medic.Payment, error) {
	if _, err := a.allow(ctx, "invoice.view"); err != nil {
		return nil, nil, err
	}
	var inv *medic.Invoice
	var ps []*medic.Payment
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = a.Invoices.FindInvoice(ctx, id); err != nil {
			return err
		}
		if ps, err = a.Invoices.ListPayments(ctx, id); err != nil {
			return err
		}
		return a.auditInvoice(ctx, "invoice.viewed", inv, nil)
	})
	return inv, ps, err
}

// ListInvoices pages through the practice's invoices (a chart's with the
// filter); one audit event per page names the charts.
func (a *App) ListInvoices(ctx context.Context, f medic.InvoiceFilter, pg medic.Page) ([]*medic.Invoice, string, error) {
	if _, err := a.allow(ctx, "invoice.list"); err != nil {
		return nil, "", err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, "", &medic.Error{Code: medic.EINVALID, Message: "Unknown status.", Fields: map[string]string{"status": "Use draft, issued, partly_paid, paid or void."}}
	}
	var out []*medic.Invoice
	var next string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Invoices.ListInvoices(ctx, f, pg); err != nil {
			return err
		}
		e := medic.AuditEvent{Action: "invoice.listed", EntityType: "invoice", Detail: map[string]string{"count": strconv.Itoa(len(out))}}
		if f.PatientID != "" { // named only if it is the practice's chart
			switch pt, err := a.Patients.FindPatient(ctx, f.PatientID); {
			case err == nil:
				e.PatientID = pt.ID
			case medic.ErrorCode(err) != medic.ENOTFOUND:
				return err
			}
		}
		seen := map[string]bool{}
		for _, inv := range out {
			if !seen[inv.PatientID] {
				seen[inv.PatientID] = true
				e.PatientIDs = append(e.PatientIDs, inv.PatientID)
			}
		}
		if e.PatientID == "" && len(e.PatientIDs) == 1 {
			e.PatientID = e.PatientIDs[0]
		}
		return a.Audit.Record(ctx, e)
	})
	return out, next, err
}

// UpdateInvoice replaces a draft's lines, date and medical-aid share
// (ECONFLICT once issued).
func (a *App) UpdateInvoice(ctx context.Context, inv *medic.Invoice) error {
	if _, err := a.allow(ctx, "invoice.update"); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := a.Invoices.FindInvoice(ctx, inv.ID)
		if err != nil {
			return err
		}
		if !cur.Editable() {
			return &medic.Error{Code: medic.ECONFLICT, Message: "The invoice is issued: its lines are locked. Void it to correct it."}
		}
		inv.PatientID, inv.Currency, inv.VATRateBP = cur.PatientID, cur.Currency, cur.VATRateBP
		if inv.InvoiceDate.IsZero() {
			inv.InvoiceDate = cur.InvoiceDate
		}
		if err := a.prepareDraft(ctx, inv); err != nil {
			return err
		}
		if err := a.Invoices.UpdateDraft(ctx, inv); err != nil {
			return err
		}
		if err := a.auditInvoice(ctx, "invoice.updated", inv, invoiceDetail(inv)); err != nil {
			return err
		}
		return a.reread(ctx, inv)
	})
}

// IssueInvoice numbers a draft (the practice's next number, gapless) and
// locks it.
func (a *App) IssueInvoice(ctx context.Context, id string) (*medic.Invoice, error) {
	if _, err := a.allow(ctx, "invoice.issue"); err != nil {
		return nil, err
	}
	var inv *medic.Invoice
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = a.Invoices.IssueInvoice(ctx, id, medic.ActorFrom(ctx).UserID); err != nil {
			return err
		}
		return a.auditInvoice(ctx, "invoice.issued", inv, invoiceDetail(inv))
	})
	return inv, err
}

// VoidInvoice voids an invoice with a reason: for an issued one this is
// its credit note (numbered in its own gapless sequence). Nothing is
// deleted; payments must be refunded first.
func (a *App) VoidInvoice(ctx context.Context, id, reason string) (*medic.Invoice, error) {
	if _, err := a.allow(ctx, "invoice.void"); err != nil {
		return nil, err
	}
	f := medic.FieldErrors{}
	f.RequiredLine("reason", &reason, medic.MaxReasonLength, "Give the reason for voiding the invoice.")
	if err := f.Err(); err != nil {
		return nil, err
	}
	var inv *medic.Invoice
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = a.Invoices.VoidInvoice(ctx, id, medic.ActorFrom(ctx).UserID, reason); err != nil {
			return err
		}
		d := invoiceDetail(inv)
		d["reason"] = reason
		if inv.CreditNoteNumber != 0 {
			d["credit_note_number"] = strconv.FormatInt(inv.CreditNoteNumber, 10)
		}
		return a.auditInvoice(ctx, "invoice.voided", inv, d)
	})
	return inv, err
}

// TakePayment records a payment (positive) or refund (negative, with a
// reason, at most what was paid) against an issued invoice; the invoice's
// status follows. A payment above the balance is refused, never cut. It
// returns the invoice and all its payments.
func (a *App) TakePayment(ctx context.Context, p *medic.Payment) (*medic.Invoice, []*medic.Payment, error) {
	action := "payment.take"
	if p.AmountCents < 0 {
		action = "payment.refund"
	}
	if _, err := a.allow(ctx, action); err != nil {
		return nil, nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	p.TakenBy = medic.ActorFrom(ctx).UserID
	var inv *medic.Invoice
	var ps []*medic.Payment
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = a.recordPayment(ctx, p, nil); err != nil {
			return err
		}
		ps, err = a.Invoices.ListPayments(ctx, inv.ID)
		return err
	})
	return inv, ps, err
}

// CashUp is the day-end cash-up of day (the practice's calendar day; today
// when zero, returned): the takings by location, member and method.
// Audited (it names no chart).
func (a *App) CashUp(ctx context.Context, day medic.Date) (medic.Date, []medic.CashUpRow, error) {
	if _, err := a.allow(ctx, "payment.cash_up"); err != nil {
		return day, nil, err
	}
	if day.IsZero() {
		day = a.today(ctx)
	}
	loc := a.location(ctx)
	var rows []medic.CashUpRow
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if rows, err = a.CashUps.CashUp(ctx, day.In(loc), day.AddDays(1).In(loc)); err != nil {
			return err
		}
		return a.audit(ctx, "payment.cash_up_viewed", "payment", "", map[string]string{"date": day.String(), "rows": strconv.Itoa(len(rows))})
	})
	return day, rows, err
}

// recordPayment stores a validated payment and audits it (with detail
// added): the one path for the desk, the API and payment-link webhooks.
func (a *App) recordPayment(ctx context.Context, p *medic.Payment, detail map[string]string) (*medic.Invoice, error) {
	inv, err := a.Invoices.AddPayment(ctx, p)
	if err != nil {
		return nil, err
	}
	event := "payment.taken"
	if p.Refund() {
		event = "payment.refunded"
	}
	d := map[string]string{"payment_id": p.ID, "amount_cents": strconv.FormatInt(p.AmountCents, 10), "method": string(p.Method),
		"status": string(inv.Status)}
	for k, v := range detail {
		d[k] = v
	}
	return inv, a.Audit.Record(ctx, medic.AuditEvent{Action: event, EntityType: "invoice", EntityID: inv.ID, PatientID: inv.PatientID, Detail: d})
}
