package medic

import (
	"context"
	"slices"
	"strings"
	"time"
)

// TariffCategory groups a practice's billable items.
type TariffCategory string

const (
	TariffConsultation TariffCategory = "consultation"
	TariffProcedure    TariffCategory = "procedure"
	TariffMedicine     TariffCategory = "medicine"
	TariffMaterial     TariffCategory = "material"
)

// TariffCategories in display order.
var TariffCategories = []TariffCategory{TariffConsultation, TariffProcedure, TariffMedicine, TariffMaterial}

func (c TariffCategory) Valid() bool { return slices.Contains(TariffCategories, c) }

// MaxTariffCodeLength bounds a tariff code ("0190", "NAPPI 123456-001").
const MaxTariffCodeLength = 30

// TariffCode is one billable item of a practice: a code, what it is, and
// its prices by the date they take effect. The starter set (every new
// practice's copy) is example data the practice edits.
type TariffCode struct {
	ID          string
	Code        string
	Description string
	Category    TariffCategory
	VATable     bool
	// MedicineID links a medicine tariff to the practice's medicine it
	// prices ("" for none).
	MedicineID string
	Source     MedicineSource // starter, import or manual
	Active     bool
	// UnitCents is the price in effect on the date asked for (-1: none yet).
	UnitCents int64
	// Prices are every price version, newest first (FindTariffCode only).
	Prices    []TariffPrice
	UpdatedAt time.Time
}

// TariffPrice is one price version: in effect from its date until the next.
type TariffPrice struct {
	EffectiveFrom Date
	UnitCents     int64
}

// Validate checks a code entered or imported by a practice and tidies it.
func (t *TariffCode) Validate() error {
	f := FieldErrors{}
	f.RequiredLine("code", &t.Code, MaxTariffCodeLength, "Enter the tariff code.")
	t.Code = strings.ToUpper(t.Code)
	f.RequiredLine("description", &t.Description, MaxNameLength, "Describe the item.")
	t.Category = TariffCategory(strings.ToLower(strings.TrimSpace(string(t.Category))))
	if !t.Category.Valid() {
		f.Add("category", "Choose consultation, procedure, medicine or material.")
	}
	if t.Source == "" {
		t.Source = MedicineManual
	}
	return f.Err()
}

// ValidatePrice checks a new price version.
func ValidatePrice(p TariffPrice) error {
	f := FieldErrors{}
	if p.EffectiveFrom.IsZero() {
		f.Add("effective_from", "Give the date the price takes effect.")
	}
	if p.UnitCents < 0 || p.UnitCents > MaxUnitCents {
		f.Add("unit_cents", "Enter a price of 0 or more (in cents).")
	}
	return f.Err()
}

// TariffFilter selects from a practice's tariff.
type TariffFilter struct {
	Query        string // words of the code or description; "" for all
	Category     TariffCategory
	WithInactive bool
	// On is the date whose prices are read (zero: today's, as the caller
	// sets it).
	On Date
}

// TariffImportReport says what a CSV import did.
type TariffImportReport struct {
	Added, Updated int
	Rejected       []RejectedRow
}

// TariffService is a practice's tariff codes and their prices; ENOTFOUND
// for another practice's code.
type TariffService interface {
	// ListTariffCodes pages through codes in code order, each with its
	// price on f.On.
	ListTariffCodes(ctx context.Context, f TariffFilter, p Page) ([]*TariffCode, string, error)
	// FindTariffCode returns a code with its price on `on` and every
	// price version.
	FindTariffCode(ctx context.Context, id string, on Date) (*TariffCode, error)
	// FindTariffCodeByCode finds a code by its code (ENOTFOUND if none).
	FindTariffCodeByCode(ctx context.Context, code string, on Date) (*TariffCode, error)
	// CreateTariffCode adds t with its first price (t.Prices[0]); ECONFLICT
	// if the practice has the code.
	CreateTariffCode(ctx context.Context, t *TariffCode) error
	// UpdateTariffCode saves t's description, category, VAT flag,
	// medicine and active flag (the code itself stays).
	UpdateTariffCode(ctx context.Context, t *TariffCode) error
	// SetTariffPrice adds (or replaces, for the same date) a price version.
	SetTariffPrice(ctx context.Context, id string, p TariffPrice) error
	// ImportTariffCodes adds or updates (by code) every row in one
	// transaction, each with its price from `from`; rows are validated.
	ImportTariffCodes(ctx context.Context, rows []*TariffCode, from Date) (added, updated int, err error)
}
