package fhir

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"medic"
)

// Prescriptions: each item of a prescription is one MedicationRequest (id:
// the item's), grouped by the prescription's id as groupIdentifier.

const (
	// ATCSystem is the WHO's Anatomical Therapeutic Chemical classification.
	ATCSystem = "http://www.whocc.no/atc"
	// PrescriptionSystem names Medic's prescriptions (the items' group).
	PrescriptionSystem = "urn:medic:sid:prescription"
)

// MedicationRequest is one medicine prescribed.
type MedicationRequest struct {
	ResourceType              string           `json:"resourceType"`
	ID                        string           `json:"id,omitempty"`
	Meta                      *Meta            `json:"meta,omitempty"`
	Status                    string           `json:"status"`
	StatusReason              *CodeableConcept `json:"statusReason,omitempty"`
	Intent                    string           `json:"intent"`
	MedicationCodeableConcept *CodeableConcept `json:"medicationCodeableConcept,omitempty"`
	Subject                   Reference        `json:"subject"`
	Encounter                 *Reference       `json:"encounter,omitempty"`
	AuthoredOn                string           `json:"authoredOn,omitempty"`
	Requester                 *Reference       `json:"requester,omitempty"`
	GroupIdentifier           *Identifier      `json:"groupIdentifier,omitempty"`
	Note                      []Annotation     `json:"note,omitempty"`
	DosageInstruction         []Dosage         `json:"dosageInstruction,omitempty"`
	DispenseRequest           *DispenseRequest `json:"dispenseRequest,omitempty"`
}

// Dosage is how the medicine is taken.
type Dosage struct {
	Text               string           `json:"text,omitempty"`
	PatientInstruction string           `json:"patientInstruction,omitempty"`
	Timing             *Timing          `json:"timing,omitempty"`
	AsNeededBoolean    bool             `json:"asNeededBoolean,omitempty"`
	Route              *CodeableConcept `json:"route,omitempty"`
	DoseAndRate        []DoseAndRate    `json:"doseAndRate,omitempty"`
}

// Timing is how often: here always a repeat.
type Timing struct {
	Repeat *TimingRepeat `json:"repeat,omitempty"`
}

// TimingRepeat is frequency times per period.
type TimingRepeat struct {
	Frequency  int     `json:"frequency"`
	Period     float64 `json:"period"`
	PeriodUnit string  `json:"periodUnit"`
}

// DoseAndRate holds the amount of one dose.
type DoseAndRate struct {
	DoseQuantity *Quantity `json:"doseQuantity,omitempty"`
}

// DispenseRequest is what the pharmacy supplies.
type DispenseRequest struct {
	NumberOfRepeatsAllowed int       `json:"numberOfRepeatsAllowed"`
	Quantity               *Quantity `json:"quantity,omitempty"`
	ExpectedSupplyDuration *Quantity `json:"expectedSupplyDuration,omitempty"`
}

// FromPrescriptionItem maps item it of p, its status judged on the day on
// (active until its last day of use, then completed; cancelled with its
// prescription).
func FromPrescriptionItem(p *medic.Prescription, it *medic.PrescriptionItem, on medic.Date) *MedicationRequest {
	changed := p.IssuedAt
	if !p.CancelledAt.IsZero() {
		changed = p.CancelledAt
	}
	med := &CodeableConcept{Text: it.MedicineLabel}
	if it.ATC != "" {
		med.Coding = []Coding{{System: ATCSystem, Code: it.ATC}}
	}
	r := &MedicationRequest{ResourceType: "MedicationRequest", ID: it.ID, Meta: metaOf(changed),
		Status: string(p.ItemStatus(it, on)), Intent: "order", MedicationCodeableConcept: med,
		Subject: *Ref("Patient", p.PatientID, p.PatientName), Encounter: Ref("Encounter", p.EncounterID, ""),
		AuthoredOn: dateTime(p.IssuedAt), GroupIdentifier: &Identifier{System: PrescriptionSystem, Value: p.ID},
		DispenseRequest: &DispenseRequest{NumberOfRepeatsAllowed: it.Repeats,
			ExpectedSupplyDuration: &Quantity{Value: float64(it.DurationDays), Unit: "days", System: UCUMSystem, Code: "d"}}}
	if p.PrescriberPractitionerID != "" {
		r.Requester = Ref("Practitioner", p.PrescriberPractitionerID, p.PrescriberName)
	} else if p.PrescriberName != "" {
		r.Requester = &Reference{Display: p.PrescriberName}
	}
	if p.Status == medic.PrescriptionCancelled && p.CancelReason != "" {
		r.StatusReason = &CodeableConcept{Text: p.CancelReason}
	}
	if q, ok := amount(it.Quantity); ok {
		r.DispenseRequest.Quantity = q
	}
	d := Dosage{Text: strings.TrimSpace(it.Dose + " " + it.Frequency + " for " + itoa(it.DurationDays) + " days"), PatientInstruction: it.Instructions,
		Timing: timingOf(it.Frequency), AsNeededBoolean: strings.Contains(strings.ToLower(it.Frequency), "prn")}
	if it.Route != "" {
		d.Route = &CodeableConcept{Text: it.Route}
	}
	if q, ok := amount(it.Dose); ok {
		d.DoseAndRate = []DoseAndRate{{DoseQuantity: q}}
	}
	r.DosageInstruction = []Dosage{d}
	return r
}

var amountText = regexp.MustCompile(`^\s*(\d+(?:[.,]\d+)?)\s*([a-zA-Zµ][a-zA-Zµ ]*)?\.?\s*$`)

// ucumUnits are the UCUM codes of the units doses and quantities use.
var ucumUnits = map[string]string{"mg": "mg", "g": "g", "mcg": "ug", "µg": "ug", "ug": "ug", "ml": "mL", "mls": "mL", "l": "L"}

// amount reads "500 mg", "21 capsules" or "100 ml" as a quantity (UCUM
// coded when the unit is one); ok is false for anything else ("1/2 tab").
func amount(s string) (*Quantity, bool) {
	g := amountText.FindStringSubmatch(s)
	if g == nil {
		return nil, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(g[1], ",", "."), 64)
	if err != nil {
		return nil, false
	}
	q := &Quantity{Value: v, Unit: strings.TrimSpace(g[2])}
	if code, ok := ucumUnits[strings.ToLower(q.Unit)]; ok {
		q.System, q.Code = UCUMSystem, code
	}
	return q, true
}

// timingOf reads a frequency ("tds", "8 hourly", "weekly") as a repeat;
// nil when it says no rate ("prn", "as directed").
func timingOf(freq string) *Timing {
	n, ok := medic.TimesPerDay(freq)
	if !ok || n <= 0 {
		return nil
	}
	t := &Timing{Repeat: &TimingRepeat{Frequency: 1}}
	switch {
	case n < 1: // weekly
		t.Repeat.Period, t.Repeat.PeriodUnit = math.Round(1/n), "d"
	case n == math.Trunc(n):
		t.Repeat.Frequency, t.Repeat.Period, t.Repeat.PeriodUnit = int(n), 1, "d"
	default: // every h hours
		t.Repeat.Period, t.Repeat.PeriodUnit = math.Round(24/n*100)/100, "h"
	}
	return t
}
