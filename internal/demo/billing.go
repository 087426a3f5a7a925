package demo

import (
	"context"
	"fmt"
	"time"

	"medic"
)

// Invoices for the demo's finished visits over the past year, made by the
// practice's billing clerk as "bill this visit" makes them (a walk-in gets
// the 0190 consultation), in every status: a few drafts, issued and unpaid,
// partly paid by card, paid in cash, by EFT or by the medical aid, and
// voided ones (credit notes). The appointment types bill the 0191
// consultation. An encounter that has an invoice is left alone, so a
// reload adds nothing.

// demoInvoiceLimit bounds the visits billed per practice.
const demoInvoiceLimit = 150

func (l *loader) billing(ctx context.Context, p *medic.Practice) ([]string, error) {
	clerk := medic.ActorFrom(ctx).UserID
	if clerk == "" {
		return nil, nil
	}
	zone, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, err
	}
	today := medic.DateOf(l.clock.Now().In(zone))
	var what []string
	consult, err := l.s.FindTariffCodeByCode(ctx, "0191", today)
	if err != nil {
		return nil, fmt.Errorf("the starter tariff's 0191: %w", err)
	}
	walkIn, err := l.s.FindTariffCodeByCode(ctx, "0190", today)
	if err != nil {
		return nil, fmt.Errorf("the starter tariff's 0190: %w", err)
	}
	types, err := l.s.ListAppointmentTypes(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range types {
		if t.TariffCodeID == "" {
			t.TariffCodeID = consult.ID
			if err := l.s.UpdateAppointmentType(ctx, t); err != nil {
				return nil, err
			}
			what = append(what, "appointment type "+t.Name+" bills 0191")
		}
	}
	settings, err := l.s.BillingSettings(ctx)
	if err != nil {
		return nil, err
	}
	since := today.AddDate(-1, 0, 0)
	counts := map[medic.InvoiceStatus]int{}
	n := 0
	cursor := ""
	for n < demoInvoiceLimit {
		es, next, err := l.s.ListEncounters(ctx, medic.EncounterFilter{Statuses: []medic.EncounterStatus{medic.EncounterFinished}}, medic.Page{Limit: 100, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if n >= demoInvoiceLimit {
				break
			}
			date := medic.DateOf(e.StartedAt.In(zone))
			if date.Before(since) || date.After(today) {
				continue
			}
			n++
			if have, _, err := l.s.ListInvoices(ctx, medic.InvoiceFilter{EncounterID: e.ID}, medic.Page{Limit: 1}); err != nil || len(have) > 0 {
				if err != nil {
					return nil, err
				}
				continue
			}
			status, err := l.billVisit(ctx, e, date, settings, walkIn, clerk)
			if err != nil {
				return nil, fmt.Errorf("invoice of a visit on %s: %w", date, err)
			}
			counts[status]++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for _, s := range medic.InvoiceStatuses {
		if counts[s] > 0 {
			what = append(what, fmt.Sprintf("%d %s invoices", counts[s], s))
		}
	}
	return what, nil
}

// billVisit makes one visit's invoice and takes it to a status drawn from
// the encounter's id (the same one on every load).
func (l *loader) billVisit(ctx context.Context, e *medic.Encounter, date medic.Date, b medic.BillingSettings, walkIn *medic.TariffCode, clerk string) (medic.InvoiceStatus, error) {
	c, err := l.s.EncounterCharges(ctx, e.ID, date)
	if err != nil {
		return "", err
	}
	if c.Consultation == nil {
		c.Consultation = walkIn
	}
	inv := medic.DraftFromCharges(c, date, b)
	inv.CreatedBy = clerk
	r := newRand("billing", e.ID)
	roll := r.IntN(100)
	if roll >= 85 && inv.TotalCents > 0 {
		inv.MedicalAidCents = inv.TotalCents // billed to the medical aid
		inv.PatientCents = 0
	}
	if err := inv.Validate(); err != nil {
		return "", err
	}
	if err := l.s.CreateInvoice(ctx, inv); err != nil {
		return "", err
	}
	if roll < 8 {
		return medic.InvoiceDraft, nil
	}
	issued, err := l.s.IssueInvoice(ctx, inv.ID, clerk)
	if err != nil {
		return "", err
	}
	pay := func(amount int64, m medic.PaymentMethod, ref string) error {
		_, err := l.s.AddPayment(ctx, &medic.Payment{InvoiceID: inv.ID, AmountCents: amount, Method: m, Reference: ref, TakenBy: clerk})
		return err
	}
	total := issued.TotalCents
	switch {
	case roll < 14:
		if _, err := l.s.VoidInvoice(ctx, inv.ID, clerk, "Billed to the wrong chart"); err != nil {
			return "", err
		}
		return medic.InvoiceVoid, nil
	case roll < 28 || total == 0:
		return issued.Status, nil
	case roll < 45:
		part := total / 2 / 100 * 100 // a round part of it
		if part == 0 {
			part = total
		}
		if err := pay(part, medic.PayCard, fmt.Sprintf("CARD-%06d", r.IntN(1000000))); err != nil {
			return "", err
		}
		if part == total {
			return medic.InvoicePaid, nil
		}
		return medic.InvoicePartlyPaid, nil
	case roll < 70:
		return medic.InvoicePaid, pay(total, medic.PayCash, "")
	case roll < 85:
		return medic.InvoicePaid, pay(total, medic.PayEFT, fmt.Sprintf("EFT-%08d", r.IntN(100000000)))
	default:
		return medic.InvoicePaid, pay(total, medic.PayMedicalAid, fmt.Sprintf("REMIT-%06d", r.IntN(1000000)))
	}
}
