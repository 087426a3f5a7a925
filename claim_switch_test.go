package medic_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"medic"
)

func TestNormalizeMemberNumber(t *testing.T) {
	tests := []struct {
		in, want string // want "" means refused
	}{
		{"12345678", "12345678"},
		{" 1234 5678 ", "12345678"},
		{"ab-123/45", "AB12345"},
		{"123", "123"},
		{"12", ""},
		{"123456789012345678901", ""},
		{"ABCDEF", ""},
		{"1234.5678", ""},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		got, err := medic.NormalizeMemberNumber(tt.in)
		if tt.want == "" {
			if err == nil || medic.ErrorCode(err) != medic.EINVALID {
				t.Errorf("NormalizeMemberNumber(%q) = %q, %v; want refused", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeMemberNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeDependentCode(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"00", "00"},
		{"01", "01"},
		{"1", "01"},
		{" 12 ", "12"},
		{"99", "99"},
		{"100", ""},
		{"a1", ""},
		{"", ""},
		{"-1", ""},
	}
	for _, tt := range tests {
		got, err := medic.NormalizeDependentCode(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("NormalizeDependentCode(%q) = %q; want refused", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeDependentCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// catalog is a small ICD-10 table for CheckClaim.
func catalog(ctx context.Context, code string) (*medic.ICD10Code, error) {
	codes := map[string]*medic.ICD10Code{
		"J06.9": {Code: "J06.9", ValidClinical: true, ValidPrimary: true},
		"E11.9": {Code: "E11.9", ValidClinical: true, ValidPrimary: true},
		"E11":   {Code: "E11", ValidClinical: false},
		"W19.9": {Code: "W19.9", ValidClinical: true, ValidPrimary: false},
		"S52.5": {Code: "S52.5", ValidClinical: true, ValidPrimary: true},
	}
	if c, ok := codes[code]; ok {
		return c, nil
	}
	return nil, medic.ErrNotFound
}

func goodClaim() *medic.ClaimSubmission {
	return &medic.ClaimSubmission{
		IdempotencyKey:           "k1",
		PracticeNumber:           "0123456",
		PractitionerRegistration: "MP0123456",
		Patient:                  medic.ClaimPatient{Scheme: "Discovery Health", MemberNumber: "123 456 789", DependentCode: "1"},
		Lines: []medic.ClaimLine{
			{TariffCode: "0190", Quantity: 1, AmountCents: 52000, ICD10: []string{"j069"}},
			{TariffCode: "0308", Quantity: 1, AmountCents: 31000, ICD10: []string{"S52.5", "W19.9"}},
		},
	}
}

func TestCheckClaim(t *testing.T) {
	ctx := context.Background()
	c := goodClaim()
	if err := medic.CheckClaim(ctx, c, catalog); err != nil {
		t.Fatalf("a good claim is refused: %v %v", err, medic.ErrorFields(err))
	}
	if c.Lines[0].ICD10[0] != "J06.9" || c.Patient.MemberNumber != "123456789" || c.Patient.DependentCode != "01" {
		t.Errorf("not normalised: %+v %+v", c.Lines[0], c.Patient)
	}

	tests := []struct {
		name  string
		edit  func(c *medic.ClaimSubmission)
		field string
		says  string
	}{
		{"a line without a code", func(c *medic.ClaimSubmission) { c.Lines[1].ICD10 = nil }, "lines.1.icd10", "no ICD-10 code"},
		{"a code not in the catalog", func(c *medic.ClaimSubmission) { c.Lines[0].ICD10 = []string{"Z99.8"} }, "lines.0.icd10", "not in the ICD-10 catalog"},
		{"a malformed code", func(c *medic.ClaimSubmission) { c.Lines[0].ICD10 = []string{"flu"} }, "lines.0.icd10", "not an ICD-10 code"},
		{"a category with subdivisions", func(c *medic.ClaimSubmission) { c.Lines[0].ICD10 = []string{"E11"} }, "lines.0.icd10", "subdivisions"},
		{"an external cause as primary", func(c *medic.ClaimSubmission) { c.Lines[1].ICD10 = []string{"W19.9", "S52.5"} }, "lines.1.icd10", "primary"},
		{"a bad member number", func(c *medic.ClaimSubmission) { c.Patient.MemberNumber = "x" }, "member_number", "member number"},
		{"a bad dependant code", func(c *medic.ClaimSubmission) { c.Patient.DependentCode = "abc" }, "dependent_code", "dependant code"},
		{"no scheme", func(c *medic.ClaimSubmission) { c.Patient.Scheme = " " }, "scheme", "scheme"},
		{"no practice number", func(c *medic.ClaimSubmission) { c.PracticeNumber = "" }, "practice_number", "practice number"},
		{"no practitioner number", func(c *medic.ClaimSubmission) { c.PractitionerRegistration = "" }, "practitioner_registration", "registration number"},
		{"no lines", func(c *medic.ClaimSubmission) { c.Lines = nil }, "lines", "at least one line"},
		{"a line of zero", func(c *medic.ClaimSubmission) { c.Lines[0].AmountCents = 0 }, "lines.0.amount_cents", "above zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := goodClaim()
			tt.edit(c)
			err := medic.CheckClaim(ctx, c, catalog)
			if medic.ErrorCode(err) != medic.EINVALID {
				t.Fatalf("err = %v; want invalid", err)
			}
			if msg := medic.ErrorFields(err)[tt.field]; !strings.Contains(msg, tt.says) {
				t.Errorf("field %s = %q (all: %v); want it to say %q", tt.field, msg, medic.ErrorFields(err), tt.says)
			}
		})
	}
}

func TestCheckClaimCatalogFailureIsNotTheUsersMistake(t *testing.T) {
	broken := errors.New("connection refused")
	err := medic.CheckClaim(context.Background(), goodClaim(), func(context.Context, string) (*medic.ICD10Code, error) { return nil, broken })
	if !errors.Is(err, broken) || medic.ErrorCode(err) != medic.EINTERNAL {
		t.Errorf("err = %v; want the catalog's failure, internal", err)
	}
}

func TestClaimFromInvoice(t *testing.T) {
	inv := &medic.Invoice{Number: 42, InvoiceDate: medic.NewDate(2030, 3, 4), Currency: "ZAR", Lines: []*medic.InvoiceLine{
		{Code: "0190", Description: "Consultation", Quantity: 1, UnitCents: 42000, TotalCents: 48300, ICD10: []string{"J06.9"}},
		{Code: "0201", Description: "Injection", Quantity: 2, UnitCents: 12000, TotalCents: 27600},
	}}
	p := &medic.Patient{GivenName: "Thandi", FamilyName: "Mokoena", DateOfBirth: medic.NewDate(1984, 3, 2),
		MedicalAid: medic.MedicalAid{Scheme: "GEMS", MemberNumber: "12345678", DependentCode: "01"}}

	sub := medic.ClaimFromInvoice(inv, p, "0123456", &medic.Practitioner{RegistrationNumber: "MP0123456"})
	if sub.Reference != "INV-000042" || sub.PracticeNumber != "0123456" || sub.PractitionerRegistration != "MP0123456" ||
		sub.Patient.MemberNumber != "12345678" || sub.Patient.DependentCode != "01" || sub.ServiceDate != inv.InvoiceDate {
		t.Errorf("submission = %+v", sub)
	}
	// Lines are claimed as billed, VAT included.
	if len(sub.Lines) != 2 || sub.Lines[1].AmountCents != 27600 || sub.Lines[1].Quantity != 2 || sub.TotalCents() != 75900 || len(sub.Lines[1].ICD10) != 0 {
		t.Errorf("lines = %+v", sub.Lines)
	}
	// The codes are the claim's own: correcting them leaves the invoice alone.
	sub.Lines[0].ICD10[0] = "R50.9"
	if inv.Lines[0].ICD10[0] != "J06.9" {
		t.Error("the claim shares the invoice's codes")
	}
	// A practitioner with a practice number of their own claims under it;
	// an invoice not billed from a visit names no practitioner.
	if s := medic.ClaimFromInvoice(inv, p, "0123456", &medic.Practitioner{RegistrationNumber: "MP1", PracticeNumber: "7654321"}); s.PracticeNumber != "7654321" {
		t.Errorf("practice number %q", s.PracticeNumber)
	}
	if s := medic.ClaimFromInvoice(inv, p, "0123456", nil); s.PractitionerRegistration != "" || s.PracticeNumber != "0123456" {
		t.Errorf("without a visit: %+v", s)
	}
}
