package demo_test

import (
	"testing"

	"medic"
	"medic/internal/demo"
	"medic/internal/postgres/pgtest"
)

// TestLoadBilling: each practice's demo holds invoices for finished visits
// of the past year in every status, each adding up (lines, split,
// payments), issued ones numbered 1, 2, 3... without gaps, and appointment
// types that bill a consultation (a reload adds nothing:
// TestLoadIsIdempotent).
func TestLoadBilling(t *testing.T) {
	db := pgtest.New(t)
	if err := demo.Load(t.Context(), db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"sunrise", "harbour"} {
		ctx, _ := practiceCtx(t, db, slug)
		types, err := db.ListAppointmentTypes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ty := range types {
			if ty.TariffCodeID == "" {
				t.Errorf("%s: type %s bills no consultation", slug, ty.Name)
			}
		}
		var all []*medic.Invoice
		cursor := ""
		for {
			page, next, err := db.ListInvoices(ctx, medic.InvoiceFilter{}, medic.Page{Limit: medic.MaxLimit, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page...)
			if next == "" {
				break
			}
			cursor = next
		}
		statuses := map[medic.InvoiceStatus]int{}
		numbers := map[int64]bool{}
		today := medic.DateOf(clock.Now())
		for _, listed := range all {
			inv, err := db.FindInvoice(ctx, listed.ID)
			if err != nil {
				t.Fatal(err)
			}
			statuses[inv.Status]++
			if inv.Number != 0 {
				numbers[inv.Number] = true
			}
			if inv.InvoiceDate.After(today) || inv.InvoiceDate.Before(today.AddDate(-1, 0, -1)) || inv.EncounterID == "" || len(inv.Lines) == 0 {
				t.Errorf("%s: %s dated %s for encounter %q with %d lines", slug, inv.NumberLabel(), inv.InvoiceDate, inv.EncounterID, len(inv.Lines))
			}
			stored := *inv
			inv.Recompute()
			if inv.TotalCents != stored.TotalCents || inv.VATCents != stored.VATCents || stored.MedicalAidCents+stored.PatientCents != stored.TotalCents {
				t.Errorf("%s: %s does not add up: %+v", slug, inv.NumberLabel(), stored)
			}
			ps, err := db.ListPayments(ctx, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			var paid int64
			for _, p := range ps {
				paid += p.AmountCents
			}
			if paid != inv.PaidCents || (inv.Status != medic.InvoiceDraft && inv.Status != medic.InvoiceVoid && medic.PaymentStatus(inv.TotalCents, paid) != inv.Status) {
				t.Errorf("%s: %s is %s with %d of %d paid by payments of %d", slug, inv.NumberLabel(), inv.Status, inv.PaidCents, inv.TotalCents, paid)
			}
		}
		for _, s := range medic.InvoiceStatuses {
			if statuses[s] == 0 {
				t.Errorf("%s: no %s invoice (%v)", slug, s, statuses)
			}
		}
		for n := int64(1); n <= int64(len(numbers)); n++ {
			if !numbers[n] {
				t.Errorf("%s: invoice numbers have a gap at %d", slug, n)
			}
		}
	}
}
