package medic

import (
	"context"
	"time"
)

// Audit outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeDenied  = "denied"
)

// AuditEvent is one append-only entry of a practice's audit log (or, with an
// empty PracticeID, of the platform log). Events are written in the same
// transaction as the change they describe and hash-chained afterwards by the
// sealer, so writing one never waits on another request.
type AuditEvent struct {
	ID         int64
	PracticeID string
	OccurredAt time.Time
	ActorID    string
	ActorEmail string
	Action     string // e.g. "member.role_changed", "auth.login"
	EntityType string
	EntityID   string
	PatientID  string
	// PatientIDs are the patients a list, search or page showed (one event
	// per view names them all); the log finds the event by any of them.
	PatientIDs []string
	Outcome    string
	IP         string
	UserAgent  string
	RequestID  string
	Detail     map[string]string // small, never patient data
	Seq        int64             // position in the chain; 0 until sealed
}

// AuditFilter narrows an audit log listing.
type AuditFilter struct {
	ID        int64  // one event (FHIR AuditEvent read)
	Action    string // prefix match, e.g. "member."
	ActorID   string
	EntityID  string
	PatientID string
	Outcome   string
	From, To  time.Time
}

// AuditService writes and reads the audit log of the practice in context.
type AuditService interface {
	// Record appends an event in the current transaction. Actor and request
	// details are filled from ctx when empty.
	Record(ctx context.Context, e AuditEvent) error
	// RecordMany appends several events of the practice in context in one
	// statement (a list read records one event per patient shown).
	RecordMany(ctx context.Context, es []AuditEvent) error
	// RecordPlatform appends an event to the platform log.
	RecordPlatform(ctx context.Context, e AuditEvent) error
	ListAuditEvents(ctx context.Context, f AuditFilter, p Page) ([]AuditEvent, string, error)
}
