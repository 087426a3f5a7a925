package medic

import (
	"context"
	"strings"
	"time"
)

// ICD10Code is one code of the ICD-10 catalog (the WHO edition used in South
// Africa). The catalog is platform data, the same for every practice: a
// curated starter set ships with Medic, and the operator imports a full
// code table from CSV.
type ICD10Code struct {
	Code    string // with its dot: "E11.9"
	Title   string
	Chapter string
	// ValidClinical: may be used as a diagnosis at all (a three-character
	// category that has subdivisions may not); ValidPrimary: may be an
	// encounter's primary diagnosis (external causes, V01-Y98, may not).
	ValidClinical bool
	ValidPrimary  bool
	Source        string // "starter" or "import"
}

// MaxICD10TitleLength bounds a code's title (the longest WHO titles are
// about 230 characters).
const MaxICD10TitleLength = 500

// NormalizeICD10 turns a typed or imported code into the catalog's form:
// upper case, the dot after the third character ("e119" and "E11.9" are
// "E11.9"), without the dagger and asterisk marks some tables add.
func NormalizeICD10(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimRight(s, "+*†")
	s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), " ", "")
	bad := Errorf(EINVALID, "Enter an ICD-10 code such as E11.9.")
	if len(s) < 3 || len(s) > 7 {
		return "", bad
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter, digit := c >= 'A' && c <= 'Z', c >= '0' && c <= '9'
		switch {
		case i == 0 && !letter, i == 1 && !digit, i > 1 && !letter && !digit:
			return "", bad
		}
	}
	if len(s) == 3 {
		return s, nil
	}
	return s[:3] + "." + s[3:], nil
}

// ICD10ImportState is where an import stands.
type ICD10ImportState string

const (
	ImportQueued  ICD10ImportState = "queued"
	ImportRunning ICD10ImportState = "running"
	ImportDone    ICD10ImportState = "done"
	ImportFailed  ICD10ImportState = "failed"
)

// Finished reports whether the import has stopped (done or failed).
func (s ICD10ImportState) Finished() bool { return s == ImportDone || s == ImportFailed }

// ICD10Rejection is a row an import left out, and why.
type ICD10Rejection struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// MaxICD10Rejections is how many rejected rows an import lists by line (it
// counts them all).
const MaxICD10Rejections = 1000

// MaxICD10ImportBytes bounds an uploaded code table (the South African
// Master Industry Table is about 10 MB as CSV).
const MaxICD10ImportBytes = 64 << 20

// ICD10Import is one operator import of a code table.
type ICD10Import struct {
	ID           string
	Filename     string
	State        ICD10ImportState
	SizeBytes    int64
	ReadBytes    int64 // how far the job has read: the progress
	RowsRead     int
	RowsSaved    int
	RowsRejected int
	Rejections   []ICD10Rejection // the first MaxICD10Rejections
	Error        string           // why a failed import stopped (safe to show)
	CreatedBy    string
	CreatedAt    time.Time
	StartedAt    time.Time
	FinishedAt   time.Time
}

// Percent is how much of the file the import has read, 0-100.
func (i *ICD10Import) Percent() int {
	if i.State == ImportDone || i.SizeBytes == 0 {
		if i.State == ImportDone {
			return 100
		}
		return 0
	}
	return int(i.ReadBytes * 100 / i.SizeBytes)
}

// ICD10ImportJob reads one uploaded code table into the catalog. It carries
// the import's id only; the file waits in the import's row.
type ICD10ImportJob struct {
	ImportID string `json:"import_id"`
}

func (ICD10ImportJob) Kind() string { return "icd10_import" }

// ICD10Progress is how far an import has come, saved with each batch.
type ICD10Progress struct {
	ReadBytes    int64
	RowsRead     int
	RowsSaved    int
	RowsRejected int
	Rejections   []ICD10Rejection // new since the last save
}

// ICD10Service is the catalog. It holds no patient data and no practice
// data: reads need no practice.
type ICD10Service interface {
	// SearchICD10 finds codes valid for clinical use by code prefix ("I1",
	// "e11.9": case and dot do not matter) or by words of the title, with
	// a typo tolerated; codes first, then the best title matches.
	SearchICD10(ctx context.Context, q string, limit int) ([]*ICD10Code, error)
	// FindICD10 returns the code (normalised form); ENOTFOUND if the
	// catalog has none.
	FindICD10(ctx context.Context, code string) (*ICD10Code, error)
	// CountICD10 counts the catalog's codes.
	CountICD10(ctx context.Context) (int, error)

	// CreateICD10Import records an upload and queues its job, in one
	// transaction.
	CreateICD10Import(ctx context.Context, imp *ICD10Import, data []byte) error
	FindICD10Import(ctx context.Context, id string) (*ICD10Import, error)
	ListICD10Imports(ctx context.Context, limit int) ([]*ICD10Import, error)
	// StartICD10Import marks a queued (or interrupted running) import
	// running from the start and returns its file; ECONFLICT once finished.
	StartICD10Import(ctx context.Context, id string, now time.Time) ([]byte, error)
	// SaveICD10Batch upserts codes (by code) and records the progress, in
	// one transaction.
	SaveICD10Batch(ctx context.Context, id string, codes []ICD10Code, p ICD10Progress, now time.Time) error
	// FinishICD10Import ends an import as done or failed (errText says why)
	// and drops its file.
	FinishICD10Import(ctx context.Context, id string, state ICD10ImportState, errText string, now time.Time) error
}
