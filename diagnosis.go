package medic

import (
	"context"
	"time"
)

// Diagnosis is one ICD-10 coded diagnosis of an encounter. An encounter
// has at most one primary diagnosis; diagnoses are added and removed
// while it is a draft only. Doctors and admins diagnose (a nurse may not);
// billing reads the codes for claims.
type Diagnosis struct {
	ID             string
	EncounterID    string
	PatientID      string
	Code           string
	Title          string // the catalog's title when it was chosen
	Primary        bool
	RecordedBy     string
	RecordedByName string
	RecordedAt     time.Time
}

// DiagnosisService stores encounters' diagnoses, in the practice in
// context: ENOTFOUND for an encounter or a diagnosis of another practice.
type DiagnosisService interface {
	// ListDiagnoses lists an encounter's diagnoses, the primary first.
	ListDiagnoses(ctx context.Context, encounterID string) ([]*Diagnosis, error)
	// ListDiagnosesOf lists the diagnoses of any of the encounters, each
	// encounter's together, the primary first (none for an id that is not
	// the practice's).
	ListDiagnosesOf(ctx context.Context, encounterIDs []string) ([]*Diagnosis, error)
	// AddDiagnosis records d on a draft encounter (ErrEncounterFinished
	// otherwise). The code must be in the catalog and valid for clinical
	// use (EINVALID), and valid as a primary diagnosis when d.Primary; a
	// new primary makes the former one secondary. ECONFLICT when the code
	// is already on the encounter.
	AddDiagnosis(ctx context.Context, d *Diagnosis) error
	// RemoveDiagnosis deletes a diagnosis of a draft encounter.
	RemoveDiagnosis(ctx context.Context, encounterID, id string) error
}
