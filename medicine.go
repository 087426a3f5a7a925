package medic

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// DrugSchedule is a medicine's schedule under South Africa's Medicines and
// Related Substances Act: S0 (sold anywhere) to S6 (controlled, e.g.
// opioids). S7 and S8 are not prescribed in practice and are refused.
type DrugSchedule string

// DrugSchedules lists the schedules a practice's medicines may carry.
var DrugSchedules = []DrugSchedule{"S0", "S1", "S2", "S3", "S4", "S5", "S6"}

func (s DrugSchedule) Valid() bool { return slices.Contains(DrugSchedules, s) }

// MedicineSource says where a medicine in a practice's list came from.
type MedicineSource string

const (
	MedicineStarter MedicineSource = "starter" // Medic's curated set, copied to each practice
	MedicineImport  MedicineSource = "import"  // a practice's CSV import
	MedicineManual  MedicineSource = "manual"  // entered by the practice's admin
)

// Medicine is one product in a practice's medicines list.
type Medicine struct {
	ID          string
	Name        string   // generic name, e.g. "Amoxicillin"
	Ingredients []string // active ingredients, lower-case INN, e.g. ["amoxicillin", "clavulanic acid"]
	ATC         string   // WHO ATC code, e.g. "J01CA04"
	Strength    string   // as printed, e.g. "250 mg/5 ml"
	Form        string   // tablet, capsule, suspension, injection, cream ...
	Route       string   // oral, topical, intramuscular ...
	Schedule    DrugSchedule
	// DoseUnit is what one dose is counted in ("tablet", "ml", "dose") and
	// UnitMg how many mg of the first ingredient one such unit holds (0 when
	// not a mass, e.g. insulin units): the paediatric check turns "5 ml tds"
	// into mg per day with them.
	DoseUnit string
	UnitMg   float64
	// PaedMaxMgKgDay is the highest daily dose of the first ingredient per
	// kg of body weight for a child (0 = not known, not checked).
	PaedMaxMgKgDay float64
	Source         MedicineSource
	Active         bool
}

// Label is how the medicine reads on a list and a prescription.
func (m *Medicine) Label() string {
	return strings.TrimSpace(strings.Join([]string{m.Name, m.Strength, m.Form}, " "))
}

// atcCode: letter, two digits, letter (anatomical/therapeutic group) and
// optionally a letter and two digits (substance).
var atcCode = regexp.MustCompile(`^[A-Z][0-9]{2}[A-Z]([A-Z]([0-9]{2})?)?$`)

// Validate checks a medicine entered or imported by a practice and tidies
// it (ingredients lower-case, ATC upper-case).
func (m *Medicine) Validate() error {
	f := FieldErrors{}
	f.RequiredLine("name", &m.Name, MaxNameLength, "Enter the medicine's generic name.")
	var ings []string
	for _, in := range m.Ingredients {
		in = strings.ToLower(strings.Join(strings.Fields(in), " "))
		if in != "" && !slices.Contains(ings, in) {
			ings = append(ings, in)
		}
	}
	m.Ingredients = ings
	if len(ings) == 0 {
		f.Add("ingredients", "Name at least one active ingredient.")
	}
	m.ATC = strings.ToUpper(strings.TrimSpace(m.ATC))
	if m.ATC != "" && !atcCode.MatchString(m.ATC) {
		f.Add("atc", "Enter an ATC code such as J01CA04 (or leave it empty).")
	}
	f.Line("strength", &m.Strength, MaxNameLength)
	f.Line("form", &m.Form, MaxNameLength)
	f.Line("route", &m.Route, MaxNameLength)
	m.Schedule = DrugSchedule(strings.ToUpper(strings.TrimSpace(string(m.Schedule))))
	if !m.Schedule.Valid() {
		f.Add("schedule", "Choose a schedule from S0 to S6.")
	}
	m.DoseUnit = strings.ToLower(strings.TrimSpace(m.DoseUnit))
	if m.UnitMg < 0 || m.UnitMg > 100000 {
		f.Add("unit_mg", "Enter the mg per dose unit (0 when it is not a mass).")
	}
	if m.PaedMaxMgKgDay < 0 || m.PaedMaxMgKgDay > 1000 {
		f.Add("paed_max_mg_kg_day", fmt.Sprintf("Enter a paediatric maximum between 0 and %d mg/kg/day.", 1000))
	}
	if m.Source == "" {
		m.Source = MedicineManual
	}
	return f.Err()
}

// HasIngredient reports whether the medicine contains ingredient (lower-case).
func (m *Medicine) HasIngredient(ingredient string) bool {
	return slices.Contains(m.Ingredients, ingredient)
}

// InClass reports whether the medicine's ATC code lies under prefix
// (e.g. "J01C", the penicillins).
func (m *Medicine) InClass(prefix string) bool {
	return prefix != "" && strings.HasPrefix(m.ATC, prefix)
}

// MedicineFilter selects from a practice's list.
type MedicineFilter struct {
	Query        string // words of the name or an ingredient; "" for all
	WithInactive bool
}

// MedicineImportReport says what a CSV import did.
type MedicineImportReport struct {
	Added, Updated int
	Rejected       []RejectedRow
}

// MedicineService is a practice's medicines list.
type MedicineService interface {
	// ListMedicines pages through the list in name order.
	ListMedicines(ctx context.Context, f MedicineFilter, p Page) ([]*Medicine, string, error)
	FindMedicine(ctx context.Context, id string) (*Medicine, error)
	// FindMedicines returns the medicines with these ids (any missing id is
	// ENOTFOUND).
	FindMedicines(ctx context.Context, ids []string) ([]*Medicine, error)
	// CreateMedicine adds m; ECONFLICT if the list has that name, strength
	// and form.
	CreateMedicine(ctx context.Context, m *Medicine) error
	// UpdateMedicine saves m (a starter entry may be edited too).
	UpdateMedicine(ctx context.Context, m *Medicine) error
	// ImportMedicines adds or updates (by name, strength and form) every
	// row in one transaction; rows are already validated.
	ImportMedicines(ctx context.Context, rows []*Medicine) (added, updated int, err error)
}
