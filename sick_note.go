package medic

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
)

// SickNoteBasis says what the note rests on (HPCSA ethical rule 16): the
// practitioner's examination, or what the patient reported.
type SickNoteBasis string

const (
	BasisExamined SickNoteBasis = "examined"
	BasisReported SickNoteBasis = "reported"
)

func (b SickNoteBasis) Valid() bool { return b == BasisExamined || b == BasisReported }

// SickNoteFitness: totally unfit for work, or fit for light duty.
type SickNoteFitness string

const (
	FitnessUnfit     SickNoteFitness = "unfit"
	FitnessLightDuty SickNoteFitness = "light_duty"
)

func (f SickNoteFitness) Valid() bool { return f == FitnessUnfit || f == FitnessLightDuty }

// SickNoteStatus: a note is issued (locked) when written; it may later be
// cancelled with a reason, which verification then shows.
type SickNoteStatus string

const (
	SickNoteIssued    SickNoteStatus = "issued"
	SickNoteCancelled SickNoteStatus = "cancelled"
)

// MaxSickNoteDays bounds one note's period: a longer absence is certified
// again after a further examination.
const MaxSickNoteDays = 90

// SickNote is a medical certificate of incapacity for work, issued by a
// doctor at an encounter. Its diagnosis is the encounter's primary
// diagnosis, kept only when the patient consented to its disclosure (who
// recorded the consent and when are on the note); otherwise the note says
// only that the patient is unfit for work.
type SickNote struct {
	ID          string
	EncounterID string
	PatientID   string
	// The practitioner is the encounter's; IssuedBy the doctor (user) who
	// wrote the note.
	PractitionerID string
	IssuedBy       string
	ExaminedAt     time.Time
	Basis          SickNoteBasis
	From, To       Date
	Fitness        SickNoteFitness

	DiagnosisConsent  bool
	ConsentRecordedBy string // user id; "" without consent
	ConsentRecordedAt time.Time
	Diagnosis         string // "" without consent

	Status           SickNoteStatus
	IssuedAt         time.Time
	CancelledAt      time.Time
	CancelledBy      string
	CancelReason     string
	VerificationCode string // canonical form (SickNoteCode)

	// Joined for display.
	PatientName               string
	PatientIDNumber           string
	PractitionerName          string
	PractitionerRegistration  string
	PractitionerQualification string
	IssuedByName              string
	ConsentRecordedByName     string
	CancelledByName           string
}

// CalendarDays and WorkingDays are the note's period counted.
func (n *SickNote) CalendarDays() int { return CalendarDays(n.From, n.To) }
func (n *SickNote) WorkingDays() int  { return WorkingDays(n.From, n.To) }

// PatientInitials are what public verification shows of the patient: the
// first letter of each name ("T. M.").
func (n *SickNote) PatientInitials() string {
	var out []string
	for _, w := range strings.Fields(n.PatientName) {
		r := []rune(w)
		out = append(out, strings.ToUpper(string(r[0]))+".")
	}
	return strings.Join(out, " ")
}

// Validate checks a note being issued. The examination is the note's
// anchor: it cannot lie in the future (now), and the period may not start
// before the examination's date in loc (no back-dating); it ends on or
// after its start and lasts at most MaxSickNoteDays.
func (n *SickNote) Validate(now time.Time, loc *time.Location) error {
	f := FieldErrors{}
	if n.EncounterID == "" {
		f.Add("encounter_id", "Name the encounter the sick note belongs to.")
	}
	if n.ExaminedAt.IsZero() {
		f.Add("examined_at", "Give the date and time of the examination.")
	} else if n.ExaminedAt.After(now) {
		f.Add("examined_at", "The examination cannot be in the future.")
	}
	if !n.Basis.Valid() {
		f.Add("basis", "Say whether the note rests on your examination or on the patient's report.")
	}
	if !n.Fitness.Valid() {
		f.Add("fitness", "Choose unfit for work or fit for light duty.")
	}
	switch {
	case n.From.IsZero():
		f.Add("from", "Give the first day off work.")
	case !n.ExaminedAt.IsZero() && n.From.Before(DateOf(n.ExaminedAt.In(loc))):
		f.Add("from", "A sick note cannot start before the examination ("+DateOf(n.ExaminedAt.In(loc)).String()+").")
	}
	switch {
	case n.To.IsZero():
		f.Add("to", "Give the last day off work.")
	case !n.From.IsZero() && n.To.Before(n.From):
		f.Add("to", "The last day cannot be before the first.")
	case !n.From.IsZero() && CalendarDays(n.From, n.To) > MaxSickNoteDays:
		f.Add("to", fmt.Sprintf("A sick note covers at most %d days: examine the patient again for a longer absence.", MaxSickNoteDays))
	}
	return f.Err()
}

// sickNoteAlphabet is Crockford's base 32: no I, L, O or U, so a code read
// off paper is typed back without confusion.
const sickNoteAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// sickNoteCodeLen is 20 characters of 5 bits: 100 random bits.
const sickNoteCodeLen = 20

// NewSickNoteCode returns a new verification code in canonical form:
// 100 bits from crypto/rand.
func NewSickNoteCode() (string, error) {
	b := make([]byte, sickNoteCodeLen)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = sickNoteAlphabet[b[i]&31]
	}
	return string(b), nil
}

// SickNoteCode returns code in canonical form (upper case, without the
// dashes and spaces it is printed or typed with, O read as 0 and I or L as
// 1); ok is false for text that cannot be a code.
func SickNoteCode(code string) (canonical string, ok bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(sickNoteAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != sickNoteCodeLen {
		return "", false
	}
	return b.String(), true
}

// FormatSickNoteCode prints a canonical code in groups of four.
func FormatSickNoteCode(code string) string {
	var parts []string
	for i := 0; i < len(code); i += 4 {
		parts = append(parts, code[i:min(i+4, len(code))])
	}
	return strings.Join(parts, "-")
}

// SickNoteFilter narrows a listing.
type SickNoteFilter struct {
	PatientID   string
	EncounterID string
}

// SickNoteService stores the sick notes of the practice in context;
// ENOTFOUND for another practice's note or encounter.
type SickNoteService interface {
	// CreateSickNote stores n as issued for its encounter (whose patient
	// and practitioner it takes), with its verification code.
	CreateSickNote(ctx context.Context, n *SickNote) error
	FindSickNote(ctx context.Context, id string) (*SickNote, error)
	// ListSickNotes pages through notes, newest first.
	ListSickNotes(ctx context.Context, f SickNoteFilter, p Page) ([]*SickNote, string, error)
	// CancelSickNote cancels an issued note (ECONFLICT if it is cancelled
	// already).
	CancelSickNote(ctx context.Context, id, by, reason string) (*SickNote, error)
	// FindSickNoteByCode finds the note with the canonical code in the
	// practice in context.
	FindSickNoteByCode(ctx context.Context, code string) (*SickNote, error)
	// SickNotePractice resolves a canonical code to its practice, outside
	// any practice: the platform's one lookup by code, which sees nothing
	// but the practice. ENOTFOUND for an unknown code.
	SickNotePractice(ctx context.Context, code string) (*Practice, error)
	// PrimaryDiagnosis is the encounter's primary diagnosis as the note
	// prints it ("J06.9 Acute upper respiratory infection"), "" if none.
	PrimaryDiagnosis(ctx context.Context, encounterID string) (string, error)
}
