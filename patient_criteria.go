package medic

import (
	"context"
	"time"
)

// PatientCriteria is a structured chart search (the FHIR Patient search
// parameters): every field that is set must match, and each entry of a
// list must match (AND). Merged charts never match; inactive ones do
// (FHIR reports them with active false).
type PatientCriteria struct {
	IDs []string // any of these ids
	// Names, Families and Givens each start a word of the name (any part,
	// the family name, the given names), case-insensitively.
	Names, Families, Givens []string
	// BornFrom and BornBefore bound the date of birth: [BornFrom, BornBefore).
	BornFrom, BornBefore Date
	Sex                  Sex
	IDNumber             string // SA ID number, exactly
	Email                string // exactly, case-insensitively
	Phone                string // E.164, exactly
	// UpdatedFrom and UpdatedBefore bound the last change: [from, before).
	UpdatedFrom, UpdatedBefore time.Time
	// Sort orders the matches (id order when empty); Desc reverses it.
	Sort PatientSort
	Desc bool
}

// PatientSort is an order of chart search results (ties in id order).
type PatientSort string

const (
	SortByFamily    PatientSort = "family" // family name, then given names
	SortByBirthDate PatientSort = "birthdate"
	SortByUpdated   PatientSort = "updated"
)

// PatientQueryService answers structured chart searches for the practice
// in context, in id order with keyset paging; other practices' charts
// never match.
type PatientQueryService interface {
	FindPatients(ctx context.Context, c PatientCriteria, p Page) ([]*Patient, string, error)
	CountMatchingPatients(ctx context.Context, c PatientCriteria) (int, error)
	// FindPatientForUpdate is FindPatient that locks the chart's row until
	// the transaction ends, so a check of its version holds until the write.
	FindPatientForUpdate(ctx context.Context, id string) (*Patient, error)
}
