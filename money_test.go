package medic_test

import (
	"math/rand/v2"
	"testing"

	"medic"
)

func TestVATOfRoundsHalfUpPerLine(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		net  int64
		rate int
		want int64
	}{
		{0, 1500, 0},
		{100, 1500, 15},
		{10, 1500, 2},       // 1.5 cents -> 2
		{3, 1500, 0},        // 0.45 -> 0
		{30, 1500, 5},       // 4.5 -> 5 (half up)
		{29, 1500, 4},       // 4.35 -> 4
		{1, 5000, 1},        // 0.5 -> 1
		{33333, 1500, 5000}, // 4999.95 -> 5000
		{33331, 1500, 5000}, // 4999.65 -> 5000
		{33330, 1500, 5000}, // 4999.5 -> 5000
		{33329, 1500, 4999}, // 4999.35 -> 4999
		{-30, 1500, -5},     // a credit mirrors its invoice
		{12345, 0, 0},
		{42000, 1400, 5880},
	} {
		if got := medic.VATOf(c.net, c.rate); got != c.want {
			t.Errorf("VATOf(%d, %d) = %d, want %d", c.net, c.rate, got, c.want)
		}
	}
}

func TestLineAmounts(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name            string
		qty             int
		unit, discount  int64
		vatable         bool
		net, vat, total int64
	}{
		{"consultation", 1, 42000, 0, true, 42000, 6300, 48300},
		{"three tablets at 3.33", 3, 333, 0, true, 999, 150, 1149}, // 149.85 -> 150
		{"discounted", 2, 10000, 2500, true, 17500, 2625, 20125},
		{"fully discounted", 1, 5000, 5000, true, 0, 0, 0},
		{"not vatable", 4, 1999, 0, false, 7996, 0, 7996},
		{"discount to a half cent of VAT", 1, 100, 70, true, 30, 5, 35},
	} {
		a := medic.LineAmountsOf(c.qty, c.unit, c.discount, c.vatable, 1500)
		if a.Net != c.net || a.VAT != c.vat || a.Total != c.total || a.Gross != int64(c.qty)*c.unit {
			t.Errorf("%s: %+v, want net %d VAT %d total %d", c.name, a, c.net, c.vat, c.total)
		}
	}
}

// TestInvoiceTotalsAreSumsOfLines: whatever the lines, the invoice's
// totals are the sums of its lines' amounts (VAT per line, never on the
// total), and the split always adds up to the total.
func TestInvoiceTotalsAreSumsOfLines(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(14, 1))
	for i := range 2000 {
		inv := &medic.Invoice{VATRateBP: []int{0, 1400, 1500, 1750}[r.IntN(4)], MedicalAidCents: r.Int64N(200000)}
		for range 1 + r.IntN(8) {
			l := &medic.InvoiceLine{Quantity: 1 + r.IntN(30), UnitCents: r.Int64N(100000), VATable: r.IntN(3) > 0}
			if r.IntN(3) == 0 {
				l.DiscountCents = r.Int64N(int64(l.Quantity)*l.UnitCents + 1)
			}
			inv.Lines = append(inv.Lines, l)
		}
		inv.Recompute()
		var sub, disc, vat, total int64
		for _, l := range inv.Lines {
			if l.NetCents != int64(l.Quantity)*l.UnitCents-l.DiscountCents || l.TotalCents != l.NetCents+l.VATCents {
				t.Fatalf("case %d: line %+v does not add up", i, l)
			}
			if !l.VATable && l.VATCents != 0 || l.VATable && l.VATCents != medic.VATOf(l.NetCents, inv.VATRateBP) {
				t.Fatalf("case %d: line VAT %d on %d (vatable %v)", i, l.VATCents, l.NetCents, l.VATable)
			}
			sub += int64(l.Quantity) * l.UnitCents
			disc += l.DiscountCents
			vat += l.VATCents
			total += l.TotalCents
		}
		if inv.SubtotalCents != sub || inv.DiscountCents != disc || inv.VATCents != vat || inv.TotalCents != total || total != sub-disc+vat {
			t.Fatalf("case %d: invoice %d/%d/%d/%d, lines %d/%d/%d/%d", i, inv.SubtotalCents, inv.DiscountCents, inv.VATCents, inv.TotalCents, sub, disc, vat, total)
		}
		if inv.MedicalAidCents+inv.PatientCents != inv.TotalCents || inv.MedicalAidCents < 0 || inv.PatientCents < 0 {
			t.Fatalf("case %d: split %d + %d != %d", i, inv.MedicalAidCents, inv.PatientCents, inv.TotalCents)
		}
	}
}

func TestInvoiceValidate(t *testing.T) {
	t.Parallel()
	line := func(mod func(*medic.InvoiceLine)) *medic.InvoiceLine {
		l := &medic.InvoiceLine{Description: "Consultation", Quantity: 1, UnitCents: 10000, VATable: true}
		mod(l)
		return l
	}
	for _, c := range []struct {
		name  string
		inv   medic.Invoice
		field string
	}{
		{"no patient", medic.Invoice{InvoiceDate: medic.NewDate(2026, 1, 1)}, "patient_id"},
		{"zero quantity", medic.Invoice{PatientID: "p", InvoiceDate: medic.NewDate(2026, 1, 1), Lines: []*medic.InvoiceLine{line(func(l *medic.InvoiceLine) { l.Quantity = 0 })}}, "lines.0.quantity"},
		{"negative price", medic.Invoice{PatientID: "p", InvoiceDate: medic.NewDate(2026, 1, 1), Lines: []*medic.InvoiceLine{line(func(l *medic.InvoiceLine) { l.UnitCents = -1 })}}, "lines.0.unit_cents"},
		{"discount without reason", medic.Invoice{PatientID: "p", InvoiceDate: medic.NewDate(2026, 1, 1), Lines: []*medic.InvoiceLine{line(func(l *medic.InvoiceLine) { l.DiscountCents = 100 })}}, "lines.0.discount_reason"},
		{"discount above the line", medic.Invoice{PatientID: "p", InvoiceDate: medic.NewDate(2026, 1, 1), Lines: []*medic.InvoiceLine{line(func(l *medic.InvoiceLine) { l.DiscountCents, l.DiscountReason = 10001, "x" })}}, "lines.0.discount_cents"},
		{"bad ICD-10", medic.Invoice{PatientID: "p", InvoiceDate: medic.NewDate(2026, 1, 1), Lines: []*medic.InvoiceLine{line(func(l *medic.InvoiceLine) { l.ICD10 = []string{"not a code"} })}}, "lines.0.icd10"},
		{"medical aid above the total", medic.Invoice{PatientID: "p", InvoiceDate: medic.NewDate(2026, 1, 1), MedicalAidCents: 11501, Lines: []*medic.InvoiceLine{line(func(*medic.InvoiceLine) {})}}, "medical_aid_cents"},
	} {
		err := c.inv.Validate()
		if _, ok := medic.ErrorFields(err)[c.field]; !ok {
			t.Errorf("%s: %v, want a message for %s", c.name, err, c.field)
		}
	}
	ok := medic.Invoice{PatientID: "p", InvoiceDate: medic.NewDate(2026, 1, 1), VATRateBP: 1500, MedicalAidCents: 11500,
		Lines: []*medic.InvoiceLine{line(func(l *medic.InvoiceLine) { l.ICD10 = []string{"j069", ""} })}}
	if err := ok.Validate(); err != nil || ok.TotalCents != 11500 || ok.PatientCents != 0 || ok.Lines[0].ICD10[0] != "J06.9" {
		t.Errorf("a valid draft: %v %+v", err, ok)
	}
}

func TestPaymentValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p     medic.Payment
		field string
	}{
		{medic.Payment{AmountCents: 0, Method: medic.PayCash}, "amount_cents"},
		{medic.Payment{AmountCents: 100, Method: "cheque"}, "method"},
		{medic.Payment{AmountCents: 100, Method: medic.PayCard}, "reference"},
		{medic.Payment{AmountCents: 100, Method: medic.PayEFT, Reference: "  "}, "reference"},
		{medic.Payment{AmountCents: -100, Method: medic.PayCash}, "reason"},
	} {
		if _, ok := medic.ErrorFields(c.p.Validate())[c.field]; !ok {
			t.Errorf("%+v: want a message for %s", c.p, c.field)
		}
	}
	for _, p := range []medic.Payment{{AmountCents: 100, Method: medic.PayCash}, {AmountCents: 100, Method: medic.PayCard, Reference: "1234"},
		{AmountCents: -50, Method: medic.PayCash, Reason: "Overcharged"}, {AmountCents: 100, Method: medic.PayMedicalAid}} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}

func TestPaymentStatus(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		total, paid int64
		want        medic.InvoiceStatus
	}{{11500, 0, medic.InvoiceIssued}, {11500, 1, medic.InvoicePartlyPaid}, {11500, 11499, medic.InvoicePartlyPaid}, {11500, 11500, medic.InvoicePaid}, {0, 0, medic.InvoicePaid}} {
		if got := medic.PaymentStatus(c.total, c.paid); got != c.want {
			t.Errorf("PaymentStatus(%d, %d) = %s, want %s", c.total, c.paid, got, c.want)
		}
	}
}

func TestCents(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{{"120", 12000, true}, {"120.5", 12050, true}, {"1 234.50", 123450, true}, {"R 99,95", 9995, true}, {".5", 50, true}, {"-10", -1000, true},
		{"1.234", 0, false}, {"abc", 0, false}, {"", 0, false}, {"1e3", 0, false}, {".", 0, false}} {
		got, ok := medic.ParseCents(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseCents(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	if got := medic.FormatCents(123450, "ZAR"); got != "R 1 234.50" {
		t.Errorf("FormatCents: %q", got)
	}
	if got := medic.FormatCents(-5, "USD"); got != "-USD 0.05" {
		t.Errorf("FormatCents: %q", got)
	}
	if got := medic.CentsInput(12005); got != "120.05" {
		t.Errorf("CentsInput: %q", got)
	}
}
