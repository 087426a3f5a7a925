package medic

import (
	"context"
	"time"
)

// Bulk exports (FHIR Bulk Data $export): a client asks for the charts of
// its practice (all, or a group) as NDJSON files per resource type; a job
// writes the files into the database, and only the client that asked may
// poll for them, download them or cancel.

// BulkExportLevel is what an export covers.
type BulkExportLevel string

const (
	ExportSystem  BulkExportLevel = "system"  // GET [base]/$export
	ExportPatient BulkExportLevel = "patient" // GET [base]/Patient/$export
	ExportGroup   BulkExportLevel = "group"   // GET [base]/Group/{id}/$export
)

// GroupAllPatients is the group of every chart of the practice; any other
// group id is a practitioner's: the charts with an appointment or an
// encounter with them.
const GroupAllPatients = "all"

// PatientGroup is a group an export takes, as a client reads it before
// exporting it (FHIR Group/{id}).
type PatientGroup struct {
	ID string // GroupAllPatients or the practitioner's id
	// Practitioner is the practitioner of a practitioner's group (nil for
	// every chart).
	Practitioner *Practitioner
	// Quantity is how many charts the group holds now; Members lists them
	// (by id) for a practitioner's group only, at most GroupMembersShown.
	Quantity int
	Members  []string
}

// GroupMembersShown caps the members a group lists; Quantity says how many
// there are, and the export covers them all.
const GroupMembersShown = 1000

// BulkExportStatus is how far an export has come.
type BulkExportStatus string

const (
	ExportAccepted   BulkExportStatus = "accepted"
	ExportInProgress BulkExportStatus = "in-progress"
	ExportCompleted  BulkExportStatus = "completed"
	ExportFailed     BulkExportStatus = "failed"
)

// ExportRequester is who asked for an export.
type ExportRequester struct {
	UserID  string
	TokenID string // the API token the kick-off came with ("" for none)
}

// Allows reports whether r may see the export requester o asked for: the
// same member (whichever of their tokens they use). The one place the
// rule lives; a SMART client id will join the comparison here.
func (o ExportRequester) Allows(r ExportRequester) bool {
	return o.UserID != "" && o.UserID == r.UserID
}

// BulkExport is one export request and where it is.
type BulkExport struct {
	ID        string
	Requester ExportRequester
	Level     BulkExportLevel
	GroupID   string
	Types     []string  // resource types asked for (none: every type served)
	Since     time.Time // only resources changed since (zero: all)
	Request   string    // the kick-off URL, for the manifest
	Status    BulkExportStatus
	Progress  string // e.g. "120 of 400 charts"
	Error     string // why it failed, safe to show
	// CreatedAt is the manifest's transactionTime.
	CreatedAt  time.Time
	FinishedAt time.Time
	Files      []BulkExportFile // written so far, without their content
}

// BulkExportFile is one NDJSON file of an export: resources of one type,
// numbered from 1 per type.
type BulkExportFile struct {
	Type    string
	Seq     int
	Count   int
	Content []byte
}

// BulkExportJob writes an export's files.
type BulkExportJob struct {
	PracticeID string `json:"practice_id"`
	ExportID   string `json:"export_id"`
}

func (BulkExportJob) Kind() string { return "fhir_bulk_export" }

// BulkExportService stores exports and their files. Every method works in
// the practice in context; another practice's export is ENOTFOUND.
type BulkExportService interface {
	// CreateBulkExport stores e as accepted, now, and queues its job in
	// the same transaction.
	CreateBulkExport(ctx context.Context, e *BulkExport) error
	// FindBulkExport returns the export with its files (no content).
	FindBulkExport(ctx context.Context, id string) (*BulkExport, error)
	// StartBulkExport marks the export in progress, dropping any files of
	// an earlier attempt; ECONFLICT when it has finished.
	StartBulkExport(ctx context.Context, id string) (*BulkExport, error)
	// SaveBulkExportFiles adds files and records the progress (ENOTFOUND
	// when the export was cancelled meanwhile).
	SaveBulkExportFiles(ctx context.Context, id string, files []BulkExportFile, progress string) error
	// FinishBulkExport ends the export as completed or failed (with a
	// reason safe to show).
	FinishBulkExport(ctx context.Context, id string, status BulkExportStatus, reason string) error
	// BulkExportFile returns one file with its content.
	BulkExportFile(ctx context.Context, id, typ string, seq int) (*BulkExportFile, error)
	// DeleteBulkExport removes the export and its files.
	DeleteBulkExport(ctx context.Context, id string) error
}
