package medic

import (
	"context"
	"time"
)

// AllergySeverity is how bad a reaction is. Entries moved from the old
// free-text list, whose severity was never recorded, are Moderate.
type AllergySeverity string

const (
	SeverityMild     AllergySeverity = "mild"
	SeverityModerate AllergySeverity = "moderate"
	SeveritySevere   AllergySeverity = "severe"
)

func (s AllergySeverity) Valid() bool {
	return s == SeverityMild || s == SeverityModerate || s == SeveritySevere
}

// AllergyStatus: an allergy stays on the chart once recorded; it becomes
// inactive (no longer applies) or entered_in_error (never applied).
type AllergyStatus string

const (
	AllergyActive         AllergyStatus = "active"
	AllergyInactive       AllergyStatus = "inactive"
	AllergyEnteredInError AllergyStatus = "entered_in_error"
)

func (s AllergyStatus) Valid() bool {
	return s == AllergyActive || s == AllergyInactive || s == AllergyEnteredInError
}

// Allergy is one recorded allergy or intolerance on a chart.
type Allergy struct {
	ID             string
	PatientID      string
	Substance      string
	Reaction       string
	Severity       AllergySeverity
	Status         AllergyStatus
	RecordedBy     string // user id; "" for an entry moved from the free-text list
	RecordedByName string
	RecordedAt     time.Time
	UpdatedAt      time.Time
}

// Validate checks a new allergy; an empty status is active.
func (a *Allergy) Validate() error {
	f := FieldErrors{}
	f.RequiredLine("substance", &a.Substance, MaxNameLength, "Enter the substance (a medicine, food or other).")
	f.Line("reaction", &a.Reaction, MaxReasonLength)
	if !a.Severity.Valid() {
		f.Add("severity", "Choose mild, moderate or severe.")
	}
	if a.Status == "" {
		a.Status = AllergyActive
	}
	if !a.Status.Valid() {
		f.Add("status", "Choose active, inactive or entered in error.")
	}
	return f.Err()
}

// NoKnownAllergies is the recorded statement that the patient has no
// known allergies: who said so, and when. A chart without it and without
// allergies has simply not been asked.
type NoKnownAllergies struct {
	RecordedBy     string
	RecordedByName string
	RecordedAt     time.Time
}

// Allergies is a chart's allergy record.
type Allergies struct {
	Items []*Allergy // every entry, oldest first
	// NoneKnown is set while the chart says "no known allergies" (never
	// together with an active allergy).
	NoneKnown *NoKnownAllergies
}

// Severe lists the substances of the active severe allergies (the banner).
func (as *Allergies) Severe() []string {
	var out []string
	for _, a := range as.Items {
		if a.Status == AllergyActive && a.Severity == SeveritySevere {
			out = append(out, a.Substance)
		}
	}
	return out
}

// ConditionStatus is where a problem stands.
type ConditionStatus string

const (
	ConditionActive   ConditionStatus = "active"
	ConditionResolved ConditionStatus = "resolved"
)

func (s ConditionStatus) Valid() bool { return s == ConditionActive || s == ConditionResolved }

// Condition is one entry of a chart's problem list, coded with ICD-10.
type Condition struct {
	ID        string
	PatientID string
	// Code is the ICD-10 code; "" only for a free-text entry from before
	// coding (then Title is the text typed).
	Code           string
	Title          string
	Onset          Date // zero when not known
	Status         ConditionStatus
	Note           string
	RecordedBy     string
	RecordedByName string
	RecordedAt     time.Time
	UpdatedAt      time.Time
}

// Validate checks a new condition (the code is checked against the
// catalog by the use case); an empty status is active.
func (c *Condition) Validate(today Date) error {
	f := FieldErrors{}
	if c.Code == "" {
		f.Add("code", "Choose an ICD-10 code.")
	} else if code, err := NormalizeICD10(c.Code); err != nil {
		f.Add("code", ErrorMessage(err))
	} else {
		c.Code = code
	}
	if !c.Onset.IsZero() && c.Onset.After(today) {
		f.Add("onset", "The onset cannot be in the future.")
	}
	if c.Status == "" {
		c.Status = ConditionActive
	}
	if !c.Status.Valid() {
		f.Add("status", "Choose active or resolved.")
	}
	f.MultiLine("note", &c.Note, MaxReasonLength)
	return f.Err()
}

// ClinicalListService stores a chart's allergies and problem list. Every
// method works in the practice in context: ENOTFOUND for a patient or an
// entry of another practice, exactly as for one that does not exist.
type ClinicalListService interface {
	// ListAllergies returns the chart's allergies and its "no known
	// allergies" statement.
	ListAllergies(ctx context.Context, patientID string) (*Allergies, error)
	// ListAllergiesOf is ListAllergies for each of the charts at once (a
	// bulk export's batch), by chart id; a chart of another practice has
	// none.
	ListAllergiesOf(ctx context.Context, patientIDs []string) (map[string]*Allergies, error)
	// CreateAllergy records a; ECONFLICT when the chart already has the
	// substance active. It withdraws a "no known allergies" statement.
	CreateAllergy(ctx context.Context, a *Allergy) error
	// SetAllergyStatus changes an entry's status.
	SetAllergyStatus(ctx context.Context, patientID, id string, s AllergyStatus) (*Allergy, error)
	// RecordNoKnownAllergies states the patient has none; ECONFLICT while
	// an allergy is active.
	RecordNoKnownAllergies(ctx context.Context, patientID string) (*NoKnownAllergies, error)

	ListConditions(ctx context.Context, patientID string) ([]*Condition, error)
	// ListConditionsOf is ListConditions for each of the charts at once,
	// by chart id.
	ListConditionsOf(ctx context.Context, patientIDs []string) (map[string][]*Condition, error)
	// CreateCondition records c (its code must be in the catalog: the
	// title is the catalog's).
	CreateCondition(ctx context.Context, c *Condition) error
	SetConditionStatus(ctx context.Context, patientID, id string, s ConditionStatus) (*Condition, error)
}
