package medic

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PrescriptionStatus: a prescription is issued (locked) when it is written;
// it may later be cancelled with a reason, never edited.
type PrescriptionStatus string

const (
	PrescriptionIssued    PrescriptionStatus = "issued"
	PrescriptionCancelled PrescriptionStatus = "cancelled"
)

// MaxPrescriptionItems bounds one prescription.
const MaxPrescriptionItems = 20

// Prescription is a doctor's prescription written at an encounter.
type Prescription struct {
	ID             string
	EncounterID    string
	PatientID      string
	PatientName    string
	PrescriberID   string // user id
	PrescriberName string
	// PrescriberPractitionerID is the practitioner linked to the
	// prescriber's membership ("" when none is).
	PrescriberPractitionerID string
	Status                   PrescriptionStatus
	IssuedAt                 time.Time
	CancelledAt              time.Time
	CancelledBy              string
	CancelReason             string
	Items                    []*PrescriptionItem
}

// PrescriptionItem is one medicine on a prescription. The medicine's label
// is kept as it was when issued, whatever the list says later.
type PrescriptionItem struct {
	ID            string
	MedicineID    string
	MedicineLabel string
	Dose          string // "500 mg", "5 ml", "1 tablet"
	Route         string
	Frequency     string // "tds", "8 hourly"
	DurationDays  int
	Quantity      string // "21 capsules", "100 ml"
	Repeats       int
	Instructions  string
	// ATC is the medicine's ATC code from the practice's list ("" if unknown).
	ATC string
	// Until is the item's last day of use, as stored (read only).
	Until Date
	// Alerts are the checks that fired when it was issued; an item with
	// alerts carries the doctor's reason for going ahead.
	Alerts         []SafetyAlert
	OverrideReason string
}

// Validate checks a new prescription's items as typed (the medicines and
// safety checks come after).
func (p *Prescription) Validate() error {
	f := FieldErrors{}
	if p.EncounterID == "" {
		f.Add("encounter_id", "Name the encounter the prescription belongs to.")
	}
	if len(p.Items) == 0 {
		f.Add("items", "Add at least one medicine.")
	}
	if len(p.Items) > MaxPrescriptionItems {
		f.Add("items", fmt.Sprintf("A prescription holds at most %d medicines.", MaxPrescriptionItems))
	}
	for i, it := range p.Items {
		at := func(field string) string { return fmt.Sprintf("items.%d.%s", i, field) }
		if strings.TrimSpace(it.MedicineID) == "" {
			f.Add(at("medicine_id"), "Choose the medicine.")
		}
		f.RequiredLine(at("dose"), &it.Dose, 60, "Give the dose, such as 500 mg or 5 ml.")
		f.Line(at("route"), &it.Route, 60)
		f.RequiredLine(at("frequency"), &it.Frequency, 60, "Give how often, such as tds or 8 hourly.")
		if it.DurationDays < 1 || it.DurationDays > 365 {
			f.Add(at("duration_days"), "Give the duration in days, 1 to 365.")
		}
		f.Line(at("quantity"), &it.Quantity, 60)
		if it.Repeats < 0 || it.Repeats > 11 {
			f.Add(at("repeats"), "Repeats are 0 to 11 (a script is valid for at most 12 supplies).")
		}
		f.MultiLine(at("instructions"), &it.Instructions, MaxReasonLength)
		f.MultiLine(at("override_reason"), &it.OverrideReason, MaxReasonLength)
	}
	return f.Err()
}

// CurrentUntil is the last day the item is taken: its duration for each
// supply (the first and every repeat) from the day it was issued.
func (it *PrescriptionItem) CurrentUntil(issued Date) Date {
	return issued.AddDays(it.DurationDays*(1+it.Repeats) - 1)
}

// CurrentMedicine is an item of an issued prescription still being taken.
type CurrentMedicine struct {
	Item           *PrescriptionItem
	Medicine       *Medicine
	PrescriptionID string
	IssuedAt       time.Time
	Until          Date
}

// PrescribingChart is what the safety checks read of a chart, in one read.
type PrescribingChart struct {
	Encounter   *Encounter
	DateOfBirth Date
	Allergies   []*Allergy
	Current     []*CurrentMedicine
	WeightKg    float64 // latest recorded weight, 0 when none
	WeighedAt   time.Time
}

// ItemAlert is an alert on one item of a prescription being written.
type ItemAlert struct {
	Item int // index in the prescription's items
	SafetyAlert
}

// CheckPrescription runs every check on every item: against the chart's
// allergies, its current medicines and the prescription's other items, and
// the paediatric dose by the latest weight. It returns the alerts by item;
// ErrNoWeight when a child's dose needs a weight the chart lacks.
func CheckPrescription(items []*PrescriptionItem, meds []*Medicine, c *PrescribingChart, on Date) ([]ItemAlert, error) {
	var current []*Medicine
	for _, cm := range c.Current {
		current = append(current, cm.Medicine)
	}
	child := PaediatricPatient{DateOfBirth: c.DateOfBirth, On: on, WeightKg: c.WeightKg}
	if !c.WeighedAt.IsZero() {
		child.WeighedOn = DateOf(c.WeighedAt)
	}
	var out []ItemAlert
	for i, it := range items {
		m := meds[i]
		others := append([]*Medicine{}, current...)
		for j, o := range meds {
			if j != i {
				others = append(others, o)
			}
		}
		var alerts []SafetyAlert
		alerts = append(alerts, CheckAllergies(m, c.Allergies)...)
		alerts = append(alerts, CheckInteractions(m, others)...)
		// Duplicates: against what is current and the items before this one
		// (a pair on one script is reported once, on its second item).
		dup := append(append([]*Medicine{}, current...), meds[:i]...)
		alerts = append(alerts, CheckDuplicates(m, dup)...)
		a, err := CheckPaediatricDose(m, it.Dose, it.Frequency, child)
		if err != nil {
			return nil, err
		}
		if a != nil {
			alerts = append(alerts, *a)
		}
		for _, al := range alerts {
			out = append(out, ItemAlert{Item: i, SafetyAlert: al})
		}
	}
	return out, nil
}

// MedicationStatus is the state of one prescription item on a day: in use
// until its last day, then completed; cancelled with its prescription.
type MedicationStatus string

const (
	MedicationActive    MedicationStatus = "active"
	MedicationCompleted MedicationStatus = "completed"
	MedicationCancelled MedicationStatus = "cancelled"
)

// ItemStatus is the status of p's item it on the day on.
func (p *Prescription) ItemStatus(it *PrescriptionItem, on Date) MedicationStatus {
	switch {
	case p.Status == PrescriptionCancelled:
		return MedicationCancelled
	case it.Until.Before(on):
		return MedicationCompleted
	}
	return MedicationActive
}

// MedicationFilter selects prescription items (one FHIR MedicationRequest
// each) of a chart or an encounter.
type MedicationFilter struct {
	PatientID   string
	EncounterID string
	Statuses    []MedicationStatus // any of; none: every status
	On          Date               // the day active and completed are judged on
	// Sort orders the items (newest prescription first when empty, each
	// prescription's items in order); Desc reverses a Sort.
	Sort MedicationSort
	Desc bool
}

// MedicationSort is an order of prescription items.
type MedicationSort string

const (
	// MedicationByIssued is by when the prescription was issued, oldest first.
	MedicationByIssued MedicationSort = "issued"
	// MedicationByStatus is by status code (active, cancelled, completed),
	// the newest prescription first within each.
	MedicationByStatus MedicationSort = "status"
)

// PrescriptionFilter selects prescriptions.
type PrescriptionFilter struct {
	PatientID string
	// PatientIDs, when set, keeps the records of any of these charts (a
	// bulk export reads charts in batches).
	PatientIDs  []string
	EncounterID string
}

// PrescriptionService stores prescriptions.
type PrescriptionService interface {
	// PrescribingChart reads what the checks need for a prescription at
	// the encounter (ENOTFOUND when it is not the practice's).
	PrescribingChart(ctx context.Context, encounterID string, on Date) (*PrescribingChart, error)
	// CreatePrescription stores p as issued now, with its items' alerts
	// and override reasons.
	CreatePrescription(ctx context.Context, p *Prescription) error
	FindPrescription(ctx context.Context, id string) (*Prescription, error)
	// ListPrescriptions pages through prescriptions, newest first.
	ListPrescriptions(ctx context.Context, f PrescriptionFilter, p Page) ([]*Prescription, string, error)
	// CancelPrescription cancels an issued prescription (ECONFLICT if it
	// is cancelled already).
	CancelPrescription(ctx context.Context, id, by, reason string) (*Prescription, error)
	// CurrentMedicines lists the chart's current medicines on the date.
	CurrentMedicines(ctx context.Context, patientID string, on Date) ([]*CurrentMedicine, error)
	// FindPrescriptionByItem returns the prescription holding the item
	// (ENOTFOUND if none of the practice's does).
	FindPrescriptionByItem(ctx context.Context, itemID string) (*Prescription, error)
	// ListPrescriptionItems pages through the items the filter selects,
	// newest prescription first and in their order on it: each returned
	// prescription holds only its items of the page.
	ListPrescriptionItems(ctx context.Context, f MedicationFilter, p Page) ([]*Prescription, string, error)
}

// AlertsError refuses a prescription whose checks fired on items that
// carry no override reason: it lists every alert, so the doctor sees all of
// them at once and gives a reason for each item or changes it.
type AlertsError struct {
	Alerts []ItemAlert
}

func (e *AlertsError) Error() string { return "medic: prescription alerts need an override reason" }

// Unwrap makes it an invalid request (422) wherever errors are mapped.
func (e *AlertsError) Unwrap() error {
	return &Error{Code: EINVALID, Message: "A safety check fired: give a reason to go ahead with each flagged medicine, or change it.",
		Fields: e.fields()}
}

func (e *AlertsError) fields() map[string]string {
	f := map[string]string{}
	for _, a := range e.Alerts {
		k := fmt.Sprintf("items.%d.override_reason", a.Item)
		if _, ok := f[k]; !ok {
			f[k] = "Give a reason to go ahead despite the alert, or change the medicine."
		}
	}
	return f
}
