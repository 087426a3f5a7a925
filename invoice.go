package medic

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// InvoiceStatus: a draft is edited freely and has no number; issuing
// numbers and locks it; payments move it to partly_paid and paid; a void
// (with a reason) is its credit note. Nothing is deleted.
type InvoiceStatus string

const (
	InvoiceDraft      InvoiceStatus = "draft"
	InvoiceIssued     InvoiceStatus = "issued"
	InvoicePartlyPaid InvoiceStatus = "partly_paid"
	InvoicePaid       InvoiceStatus = "paid"
	InvoiceVoid       InvoiceStatus = "void"
)

// InvoiceStatuses in display order.
var InvoiceStatuses = []InvoiceStatus{InvoiceDraft, InvoiceIssued, InvoicePartlyPaid, InvoicePaid, InvoiceVoid}

func (s InvoiceStatus) Valid() bool {
	for _, v := range InvoiceStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Label is the status as the desk shows it.
func (s InvoiceStatus) Label() string {
	if s == InvoicePartlyPaid {
		return "Partly paid"
	}
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// PaymentStatus is the status an issued invoice of total cents takes when
// paid cents of it have been paid.
func PaymentStatus(total, paid int64) InvoiceStatus {
	switch {
	case paid <= 0 && total > 0:
		return InvoiceIssued
	case paid >= total:
		return InvoicePaid
	default:
		return InvoicePartlyPaid
	}
}

// MaxInvoiceLines bounds one invoice.
const MaxInvoiceLines = 100

// MaxLineICD10 bounds the diagnosis codes on one line.
const MaxLineICD10 = 12

// Invoice is a bill to a patient. Its totals are always the sums of its
// lines (Recompute); MedicalAidCents + PatientCents = TotalCents says who
// is expected to pay what.
type Invoice struct {
	ID          string
	PatientID   string
	EncounterID string // "" when not billed from a visit
	LocationID  string // "" when none
	// Number is the practice's gapless sequence, from 1; 0 for a draft.
	Number      int64
	Status      InvoiceStatus
	InvoiceDate Date // the date of service: its prices are that day's
	Currency    string
	VATRateBP   int
	Lines       []*InvoiceLine

	SubtotalCents   int64 // the lines' gross (quantity x unit)
	DiscountCents   int64
	VATCents        int64
	TotalCents      int64
	MedicalAidCents int64
	PatientCents    int64
	PaidCents       int64

	CreatedBy, IssuedBy, VoidedBy string
	CreatedAt, UpdatedAt          time.Time
	IssuedAt, VoidedAt            time.Time
	VoidReason                    string
	// CreditNoteNumber numbers the credit note of a voided issued invoice
	// (its own gapless sequence); 0 otherwise.
	CreditNoteNumber int64

	// Joined for display.
	PatientName  string
	LocationName string
}

// InvoiceLine is one item billed. Code and description are kept as billed,
// whatever the tariff says later.
type InvoiceLine struct {
	ID             string
	TariffCodeID   string // "" for a free-text line
	Code           string
	Description    string
	Category       TariffCategory
	Quantity       int
	UnitCents      int64
	DiscountCents  int64
	DiscountReason string
	VATable        bool
	ICD10          []string
	// UnitGiven says the unit price was typed; otherwise a line with a
	// tariff code takes the code's price on the invoice date.
	UnitGiven bool
	// Computed by Recompute.
	NetCents, VATCents, TotalCents int64
}

// BalanceCents is what remains to be paid.
func (inv *Invoice) BalanceCents() int64 { return inv.TotalCents - inv.PaidCents }

// Editable reports whether the lines may change (drafts only).
func (inv *Invoice) Editable() bool { return inv.Status == InvoiceDraft }

// NumberLabel is the invoice number as printed ("INV-000042"; "Draft").
func (inv *Invoice) NumberLabel() string {
	if inv.Number == 0 {
		return "Draft"
	}
	return FormatInvoiceNumber(inv.Number)
}

// FormatInvoiceNumber prints an invoice number.
func FormatInvoiceNumber(n int64) string { return fmt.Sprintf("INV-%06d", n) }

// FormatCreditNoteNumber prints a credit note number.
func FormatCreditNoteNumber(n int64) string { return fmt.Sprintf("CN-%06d", n) }

// Recompute sets every line's amounts (VAT per line, half-up) and the
// invoice's totals as their sums. The medical aid's share is kept if it
// still fits; the patient owes the rest.
func (inv *Invoice) Recompute() {
	inv.SubtotalCents, inv.DiscountCents, inv.VATCents, inv.TotalCents = 0, 0, 0, 0
	for _, l := range inv.Lines {
		a := LineAmountsOf(l.Quantity, l.UnitCents, l.DiscountCents, l.VATable, inv.VATRateBP)
		l.NetCents, l.VATCents, l.TotalCents = a.Net, a.VAT, a.Total
		inv.SubtotalCents += a.Gross
		inv.DiscountCents += a.Discount
		inv.VATCents += a.VAT
		inv.TotalCents += a.Total
	}
	if inv.MedicalAidCents < 0 {
		inv.MedicalAidCents = 0
	}
	if inv.MedicalAidCents > inv.TotalCents {
		inv.MedicalAidCents = inv.TotalCents
	}
	inv.PatientCents = inv.TotalCents - inv.MedicalAidCents
}

// Validate checks a draft's lines and split as typed, tidies them and
// recomputes the totals. A medical-aid share above the total is refused
// (not silently cut).
func (inv *Invoice) Validate() error {
	f := FieldErrors{}
	if inv.PatientID == "" {
		f.Add("patient_id", "Choose the patient.")
	}
	if inv.InvoiceDate.IsZero() {
		f.Add("invoice_date", "Give the date of service.")
	}
	if len(inv.Lines) > MaxInvoiceLines {
		f.Add("lines", fmt.Sprintf("An invoice holds at most %d lines.", MaxInvoiceLines))
	}
	for i, l := range inv.Lines {
		at := func(field string) string { return fmt.Sprintf("lines.%d.%s", i, field) }
		f.Line(at("code"), &l.Code, MaxTariffCodeLength)
		l.Code = strings.ToUpper(l.Code)
		f.RequiredLine(at("description"), &l.Description, MaxNameLength, "Describe the item.")
		if l.Category == "" {
			l.Category = TariffProcedure
		}
		if !l.Category.Valid() {
			f.Add(at("category"), "Choose consultation, procedure, medicine or material.")
		}
		if l.Quantity < 1 || l.Quantity > MaxLineQuantity {
			f.Add(at("quantity"), fmt.Sprintf("Enter a quantity from 1 to %d.", MaxLineQuantity))
		}
		if l.UnitCents < 0 || l.UnitCents > MaxUnitCents {
			f.Add(at("unit_cents"), "Enter a unit price of 0 or more.")
		}
		f.Line(at("discount_reason"), &l.DiscountReason, MaxReasonLength)
		switch {
		case l.DiscountCents < 0:
			f.Add(at("discount_cents"), "A discount cannot be negative.")
		case l.DiscountCents > 0 && l.Quantity >= 1 && l.DiscountCents > int64(l.Quantity)*l.UnitCents:
			f.Add(at("discount_cents"), "A discount cannot be more than the line's amount.")
		case l.DiscountCents > 0 && l.DiscountReason == "":
			f.Add(at("discount_reason"), "Give the reason for the discount.")
		case l.DiscountCents == 0:
			l.DiscountReason = ""
		}
		codes := make([]string, 0, len(l.ICD10))
		for _, c := range l.ICD10 {
			if strings.TrimSpace(c) == "" {
				continue
			}
			n, err := NormalizeICD10(c)
			if err != nil {
				f.Add(at("icd10"), "Use ICD-10 codes such as J06.9.")
				break
			}
			codes = append(codes, n)
		}
		if len(codes) > MaxLineICD10 {
			f.Add(at("icd10"), fmt.Sprintf("A line carries at most %d diagnosis codes.", MaxLineICD10))
		}
		l.ICD10 = codes
	}
	if err := f.Err(); err != nil {
		return err
	}
	split := inv.MedicalAidCents
	inv.Recompute()
	if split < 0 || split > inv.TotalCents {
		f.Add("medical_aid_cents", "The medical aid's share must be between 0 and the invoice total.")
	}
	return f.Err()
}

// PaymentMethod is how money came in (or went back).
type PaymentMethod string

const (
	PayCash       PaymentMethod = "cash"
	PayCard       PaymentMethod = "card"
	PayEFT        PaymentMethod = "eft"
	PayMedicalAid PaymentMethod = "medical_aid" // a medical aid's remittance
)

// PaymentMethods in display order.
var PaymentMethods = []PaymentMethod{PayCash, PayCard, PayEFT, PayMedicalAid}

func (m PaymentMethod) Valid() bool {
	for _, v := range PaymentMethods {
		if m == v {
			return true
		}
	}
	return false
}

// Label is the method as the desk shows it.
func (m PaymentMethod) Label() string {
	switch m {
	case PayEFT:
		return "EFT"
	case PayMedicalAid:
		return "Medical aid"
	case "":
		return ""
	}
	return strings.ToUpper(string(m[:1])) + string(m[1:])
}

// MaxPaymentReference bounds a card slip or EFT reference.
const MaxPaymentReference = 100

// Payment is money received against one invoice; a refund is a negative
// amount with a reason. Payments are never edited or deleted.
type Payment struct {
	ID          string
	InvoiceID   string
	PatientID   string
	LocationID  string
	AmountCents int64
	Method      PaymentMethod
	Reference   string
	Reason      string // a refund's
	TakenBy     string
	TakenAt     time.Time

	// Joined for display.
	TakenByName   string
	LocationName  string
	InvoiceNumber int64
}

// Refund reports whether p gives money back.
func (p *Payment) Refund() bool { return p.AmountCents < 0 }

// Validate checks a payment (or, with a negative amount, a refund) as
// typed: card and EFT need their reference; a refund needs a reason.
func (p *Payment) Validate() error {
	f := FieldErrors{}
	if p.AmountCents == 0 {
		f.Add("amount_cents", "Enter the amount.")
	}
	if p.AmountCents > MaxUnitCents*10 || p.AmountCents < -MaxUnitCents*10 {
		f.Add("amount_cents", "The amount is too large.")
	}
	if !p.Method.Valid() {
		f.Add("method", "Choose cash, card, EFT or medical aid.")
	}
	f.Line("reference", &p.Reference, MaxPaymentReference)
	if (p.Method == PayCard || p.Method == PayEFT) && p.Reference == "" {
		f.Add("reference", "Give the "+p.Method.Label()+" reference.")
	}
	f.Line("reason", &p.Reason, MaxReasonLength)
	if p.AmountCents < 0 && p.Reason == "" {
		f.Add("reason", "Give the reason for the refund.")
	}
	return f.Err()
}

// BillingSettings are a practice's currency and VAT rate.
type BillingSettings struct {
	Currency  string
	VATRateBP int
}

// DefaultBilling applies until a practice sets its own.
var DefaultBilling = BillingSettings{Currency: DefaultCurrency, VATRateBP: DefaultVATRateBP}

// Validate checks settings being saved.
func (b *BillingSettings) Validate() error {
	f := FieldErrors{}
	b.Currency = strings.ToUpper(strings.TrimSpace(b.Currency))
	if len(b.Currency) != 3 || strings.Trim(b.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		f.Add("currency", "Use a three-letter currency code such as ZAR.")
	}
	if b.VATRateBP < 0 || b.VATRateBP > 10000 {
		f.Add("vat_rate_bp", "Enter a VAT rate from 0 to 100%.")
	}
	return f.Err()
}

// InvoiceFilter narrows a listing.
type InvoiceFilter struct {
	PatientID   string
	EncounterID string
	Status      InvoiceStatus
	From, To    Date // invoice dates, inclusive; zero for open
}

// EncounterCharges is what "bill this visit" reads of a finished
// encounter: the consultation from its appointment type's tariff, its
// diagnosis codes (primary first), and its prescriptions' medicines with a
// matching medicine tariff's price when there is one.
type EncounterCharges struct {
	Encounter    *Encounter
	Consultation *TariffCode // nil when the type has none (or no appointment)
	ICD10        []string
	Medicines    []EncounterMedicine
}

// EncounterMedicine is one prescribed item to bill.
type EncounterMedicine struct {
	MedicineID string
	Label      string
	Quantity   int         // from the prescription's quantity ("21 capsules": 21), else 1
	Tariff     *TariffCode // nil when no medicine tariff matches
}

// InvoiceService stores the invoices and payments of the practice in
// context; ENOTFOUND for another practice's invoice, patient or encounter.
type InvoiceService interface {
	BillingSettings(ctx context.Context) (BillingSettings, error)
	SaveBillingSettings(ctx context.Context, b BillingSettings) error

	// CreateInvoice stores inv as a draft with its lines (totals computed
	// by the caller).
	CreateInvoice(ctx context.Context, inv *Invoice) error
	// FindInvoice returns an invoice with its lines.
	FindInvoice(ctx context.Context, id string) (*Invoice, error)
	// ListInvoices pages through invoices, newest date first (lines not
	// filled).
	ListInvoices(ctx context.Context, f InvoiceFilter, p Page) ([]*Invoice, string, error)
	// UpdateDraft replaces a draft's lines, date and split (ECONFLICT once
	// issued).
	UpdateDraft(ctx context.Context, inv *Invoice) error
	// IssueInvoice gives a draft the practice's next number (gapless: the
	// counter row is updated in this transaction) and locks it; ECONFLICT
	// unless a draft with at least one line.
	IssueInvoice(ctx context.Context, id, by string) (*Invoice, error)
	// VoidInvoice voids an invoice with a reason: an issued one gets the
	// next credit note number. ECONFLICT when void already or while
	// payments stand on it (refund them first).
	VoidInvoice(ctx context.Context, id, by, reason string) (*Invoice, error)
	// EncounterCharges reads what billing a finished encounter needs, with
	// tariff prices on `on`.
	EncounterCharges(ctx context.Context, encounterID string, on Date) (*EncounterCharges, error)

	// AddPayment records p against its invoice and moves the invoice's
	// paid amount and status, with the invoice locked: ECONFLICT when the
	// payment would take the paid amount above the total or a refund
	// below zero, or the invoice is a draft or void.
	AddPayment(ctx context.Context, p *Payment) (*Invoice, error)
	// ListPayments lists an invoice's payments, oldest first.
	ListPayments(ctx context.Context, invoiceID string) ([]*Payment, error)
}

// DraftFromCharges is the draft "bill this visit" makes of a finished
// encounter's charges: the consultation (when its type names one), a line
// per prescribed medicine priced by its medicine tariff (else 0, to fill
// in), every line carrying the encounter's diagnosis codes. Totals are
// computed.
func DraftFromCharges(c *EncounterCharges, date Date, b BillingSettings) *Invoice {
	inv := &Invoice{PatientID: c.Encounter.PatientID, EncounterID: c.Encounter.ID, LocationID: c.Encounter.LocationID,
		InvoiceDate: date, Currency: b.Currency, VATRateBP: b.VATRateBP, Lines: []*InvoiceLine{}}
	if t := c.Consultation; t != nil {
		inv.Lines = append(inv.Lines, &InvoiceLine{TariffCodeID: t.ID, Code: t.Code, Description: t.Description, Category: t.Category,
			Quantity: 1, UnitCents: max(t.UnitCents, 0), VATable: t.VATable, ICD10: c.ICD10})
	}
	for _, m := range c.Medicines {
		l := &InvoiceLine{Description: m.Label, Category: TariffMedicine, Quantity: m.Quantity, VATable: true, ICD10: c.ICD10}
		if t := m.Tariff; t != nil {
			l.TariffCodeID, l.Code, l.UnitCents, l.VATable = t.ID, t.Code, max(t.UnitCents, 0), t.VATable
		}
		inv.Lines = append(inv.Lines, l)
	}
	inv.Recompute()
	return inv
}

// CashUpRow is one till's takings of a day: a location, the member who
// took the money, one method; refunds count against it.
type CashUpRow struct {
	LocationID, LocationName string
	UserID, UserName         string
	Method                   PaymentMethod
	Count                    int
	AmountCents              int64
}

// CashUpService reads the day-end cash-up.
type CashUpService interface {
	// CashUp sums the payments taken in [from, to) by location, member and
	// method, in location and member name order.
	CashUp(ctx context.Context, from, to time.Time) ([]CashUpRow, error)
}
