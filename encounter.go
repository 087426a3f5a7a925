package medic

import (
	"context"
	"slices"
	"strings"
	"time"
)

// EncounterStage is where a visit stands in the clinic's flow; the queue
// board shows who waits at which stage.
type EncounterStage string

const (
	StageRegistration EncounterStage = "registration"
	StageAssessment   EncounterStage = "assessment" // triage: vitals, the nurse's notes
	StageConsultation EncounterStage = "consultation"
	StageCounselling  EncounterStage = "counselling"
	StageClosure      EncounterStage = "closure"
)

// EncounterStages in the order a visit goes through them.
var EncounterStages = []EncounterStage{StageRegistration, StageAssessment, StageConsultation, StageCounselling, StageClosure}

// Valid reports whether s is a known stage.
func (s EncounterStage) Valid() bool { return slices.Contains(EncounterStages, s) }

// Label is the stage as the desk shows it.
func (s EncounterStage) Label() string {
	if s == StageAssessment {
		return "Assessment (triage)"
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// Next is the stage after s ("" after closure).
func (s EncounterStage) Next() EncounterStage {
	i := slices.Index(EncounterStages, s)
	if i < 0 || i+1 >= len(EncounterStages) {
		return ""
	}
	return EncounterStages[i+1]
}

type EncounterStatus string

const (
	EncounterDraft    EncounterStatus = "draft"
	EncounterFinished EncounterStatus = "finished" // locked: later changes are addenda
)

// MaxSOAPLength bounds each SOAP section, in characters: a long history
// fits, a pasted document does not.
const MaxSOAPLength = 20000

// MaxAddendumLength bounds an addendum's text.
const MaxAddendumLength = 10000

// SOAP is a clinical note: subjective, objective, assessment, plan.
type SOAP struct {
	Subjective, Objective, Assessment, Plan string
}

// check cleans each section (multi-line text) and records problems under
// prefix+section ("soap.plan").
func (s *SOAP) check(f FieldErrors, prefix string) {
	f.MultiLine(prefix+"subjective", &s.Subjective, MaxSOAPLength)
	f.MultiLine(prefix+"objective", &s.Objective, MaxSOAPLength)
	f.MultiLine(prefix+"assessment", &s.Assessment, MaxSOAPLength)
	f.MultiLine(prefix+"plan", &s.Plan, MaxSOAPLength)
}

// Validate checks the four sections.
func (s *SOAP) Validate() error {
	f := FieldErrors{}
	s.check(f, "soap.")
	return f.Err()
}

// Empty reports whether no section has text.
func (s SOAP) Empty() bool {
	return s.Subjective == "" && s.Objective == "" && s.Assessment == "" && s.Plan == ""
}

// Encounter is one visit of a patient: started from a checked-in
// appointment or as a walk-in, moved through the stages, written up as a
// SOAP note while a draft and locked once finished.
type Encounter struct {
	ID             string
	PracticeID     string
	PatientID      string
	PractitionerID string
	LocationID     string
	AppointmentID  string // "" for a walk-in
	Stage          EncounterStage
	Status         EncounterStatus
	SOAP           SOAP
	StartedAt      time.Time
	StageSince     time.Time // when the visit reached its stage (the queue's waiting time)
	FinishedAt     time.Time // zero while a draft
	FinishedBy     string    // user id
	CreatedBy      string    // user id
	UpdatedAt      time.Time
	// Version counts saves; a change names the version it was made on, so
	// two tabs cannot overwrite each other (ErrEncounterStale).
	Version int

	// Joined for display.
	PatientName      string
	PractitionerName string
	LocationName     string
	FinishedByName   string
	Addenda          []*Addendum // oldest first; filled by FindEncounter
}

// Finished reports whether the encounter is locked.
func (e *Encounter) Finished() bool { return e.Status == EncounterFinished }

// Addendum is a note added to a finished encounter: who, when and why.
type Addendum struct {
	ID          string
	PracticeID  string
	EncounterID string
	Text        string
	Reason      string
	AuthorID    string
	AuthorName  string
	At          time.Time
}

// Validate checks the text (multi-line, required) and reason (one line,
// required).
func (a *Addendum) Validate() error {
	f := FieldErrors{}
	f.MultiLine("text", &a.Text, MaxAddendumLength)
	if a.Text == "" {
		f.Add("text", "Write the addendum.")
	}
	f.RequiredLine("reason", &a.Reason, MaxReasonLength, "Say why the encounter is amended.")
	return f.Err()
}

// EncounterTemplate pre-fills a SOAP note. Every practice starts with the
// shipped four (general consultation, chronic follow-up, antenatal visit,
// well-child visit) and edits, adds or retires its own.
type EncounterTemplate struct {
	ID         string
	PracticeID string
	Name       string
	SOAP       SOAP
	Active     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Validate checks the name and sections.
func (t *EncounterTemplate) Validate() error {
	f := FieldErrors{}
	f.RequiredLine("name", &t.Name, MaxShortText, "Enter a name.")
	t.SOAP.check(f, "soap.")
	return f.Err()
}

// EncounterFilter narrows an encounter listing; zero fields match all.
type EncounterFilter struct {
	PatientID string
	// PatientIDs, when set, keeps the records of any of these charts (a
	// bulk export reads charts in batches).
	PatientIDs     []string
	PractitionerID string
	LocationID     string
	Statuses       []EncounterStatus
}

// ErrEncounterFinished refuses a change to a locked encounter.
var ErrEncounterFinished = &Error{Code: ECONFLICT, Message: "This encounter is finished and locked. Add an addendum instead."}

// ErrEncounterStale refuses a change made on an older version (another tab
// or colleague saved meanwhile).
var ErrEncounterStale = &Error{Code: ECONFLICT, Message: "This encounter was changed elsewhere since you opened it. Reload to see the latest version.",
	Fields: map[string]string{"version": "Not the latest version."}}

// EncounterService stores the encounters of the practice in context;
// ENOTFOUND for another practice's.
type EncounterService interface {
	// CreateEncounter inserts e as a draft at e.Stage (registration if
	// unset); ECONFLICT if e.AppointmentID already has an open draft;
	// ENOTFOUND for a patient, practitioner, location or appointment of
	// another practice.
	CreateEncounter(ctx context.Context, e *Encounter) error
	// FindEncounter returns the encounter with its addenda.
	FindEncounter(ctx context.Context, id string) (*Encounter, error)
	// FindOpenEncounterForAppointment returns the draft started from an
	// appointment; ENOTFOUND if there is none.
	FindOpenEncounterForAppointment(ctx context.Context, appointmentID string) (*Encounter, error)
	// ListEncounters pages through encounters, newest first.
	ListEncounters(ctx context.Context, f EncounterFilter, p Page) ([]*Encounter, string, error)
	// Queue lists the draft encounters at a location ("" for all), by
	// stage and then waiting time.
	Queue(ctx context.Context, locationID string) ([]*Encounter, error)
	// QueueVersion fingerprints what Queue would list (which visits, at
	// what stage, since when): it changes whenever the board would.
	QueueVersion(ctx context.Context, locationID string) (string, error)
	// SaveEncounter writes e's SOAP, stage, stage time and status (and the
	// finishing fields) if the stored encounter is still a draft at
	// e.Version: ErrEncounterFinished or ErrEncounterStale otherwise. On
	// success e.Version and e.UpdatedAt are the new ones.
	SaveEncounter(ctx context.Context, e *Encounter) error
	// AddAddendum appends a to its encounter, which must be finished
	// (ECONFLICT otherwise).
	AddAddendum(ctx context.Context, a *Addendum) error

	ListEncounterTemplates(ctx context.Context, includeRetired bool) ([]*EncounterTemplate, error)
	FindEncounterTemplate(ctx context.Context, id string) (*EncounterTemplate, error)
	// CreateEncounterTemplate and UpdateEncounterTemplate: ECONFLICT for a
	// name the practice already uses.
	CreateEncounterTemplate(ctx context.Context, t *EncounterTemplate) error
	UpdateEncounterTemplate(ctx context.Context, t *EncounterTemplate) error
}

// CheckText re-checks the stored free text of an encounter.
func (e *Encounter) CheckText() error {
	s := e.SOAP
	return s.Validate()
}
