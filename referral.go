package medic

import (
	"context"
	"time"
)

// ReferralKind: to another practitioner of the practice, or outside it.
type ReferralKind string

const (
	ReferralInternal ReferralKind = "internal"
	ReferralExternal ReferralKind = "external"
)

func (k ReferralKind) Valid() bool { return k == ReferralInternal || k == ReferralExternal }

// ReferralUrgency is how soon the patient must be seen.
type ReferralUrgency string

const (
	UrgencyRoutine   ReferralUrgency = "routine"
	UrgencyUrgent    ReferralUrgency = "urgent"
	UrgencyEmergency ReferralUrgency = "emergency"
)

func (u ReferralUrgency) Valid() bool {
	return u == UrgencyRoutine || u == UrgencyUrgent || u == UrgencyEmergency
}

// ReferralStatus: a draft is sent (or cancelled); a sent one can still be
// cancelled. Nothing is deleted.
type ReferralStatus string

const (
	ReferralDraft     ReferralStatus = "draft"
	ReferralSent      ReferralStatus = "sent"
	ReferralCancelled ReferralStatus = "cancelled"
)

func (s ReferralStatus) Valid() bool {
	return s == ReferralDraft || s == ReferralSent || s == ReferralCancelled
}

// MaxReferralSummary bounds the clinical summary a referral carries.
const MaxReferralSummary = 20000

// Referral sends a patient seen at an encounter to another practitioner of
// the practice (internal: ToPractitionerID) or to someone outside it
// (external: ToName, ToSpeciality, ToFacility).
type Referral struct {
	ID               string
	PracticeID       string
	EncounterID      string
	PatientID        string
	Kind             ReferralKind
	ToPractitionerID string
	ToName           string // external: the clinician; internal: the practitioner's name (joined)
	ToSpeciality     string
	ToFacility       string
	Urgency          ReferralUrgency
	Reason           string
	// Summary is the clinical summary, pre-filled from the encounter (SOAP
	// assessment and plan, diagnoses, allergies, last vitals) and edited
	// by the doctor.
	Summary       string
	Status        ReferralStatus
	CreatedBy     string
	CreatedByName string
	CreatedAt     time.Time
	SentAt        time.Time // zero unless sent
	UpdatedAt     time.Time

	PatientName string // joined for display
}

// To names the receiver in words ("Dr N. Naidoo (Cardiology), Groote Schuur Hospital").
func (r *Referral) To() string {
	s := r.ToName
	if r.ToSpeciality != "" {
		if s != "" {
			s += " "
		}
		s += "(" + r.ToSpeciality + ")"
	}
	if r.ToFacility != "" {
		if s != "" {
			s += ", "
		}
		s += r.ToFacility
	}
	return s
}

// Validate checks a new referral; an empty status is draft (only draft or
// sent may be asked for).
func (r *Referral) Validate() error {
	f := FieldErrors{}
	switch r.Kind {
	case ReferralInternal:
		if r.ToPractitionerID == "" {
			f.Add("to_practitioner_id", "Choose the practitioner to refer to.")
		}
		r.ToName, r.ToFacility = "", ""
		f.Line("to_speciality", &r.ToSpeciality, MaxShortText)
	case ReferralExternal:
		r.ToPractitionerID = ""
		f.Line("to_name", &r.ToName, MaxNameLength)
		f.Line("to_speciality", &r.ToSpeciality, MaxShortText)
		f.Line("to_facility", &r.ToFacility, MaxNameLength)
		if r.ToName == "" && r.ToFacility == "" && f["to_name"] == "" && f["to_facility"] == "" {
			f.Add("to_name", "Name the clinician or the facility.")
		}
	default:
		f.Add("kind", "Choose internal or external.")
	}
	if !r.Urgency.Valid() {
		f.Add("urgency", "Choose routine, urgent or emergency.")
	}
	f.RequiredLine("reason", &r.Reason, MaxReasonLength, "Say why the patient is referred.")
	f.MultiLine("summary", &r.Summary, MaxReferralSummary)
	if r.Status == "" {
		r.Status = ReferralDraft
	}
	if r.Status != ReferralDraft && r.Status != ReferralSent {
		f.Add("status", "A new referral is a draft or sent.")
	}
	return f.Err()
}

// ReferralFilter narrows a referral listing.
type ReferralFilter struct {
	PatientID        string
	EncounterID      string
	ToPractitionerID string // internal referrals received by this practitioner
}

// ReferralService stores the referrals of the practice in context;
// ENOTFOUND for another practice's referral, encounter or practitioner.
type ReferralService interface {
	// CreateReferral inserts r for its encounter (whose patient it takes),
	// written now unless r.CreatedAt is set.
	CreateReferral(ctx context.Context, r *Referral) error
	FindReferral(ctx context.Context, id string) (*Referral, error)
	// ListReferrals pages through referrals, newest first.
	ListReferrals(ctx context.Context, f ReferralFilter, p Page) ([]*Referral, string, error)
	// SetReferralStatus moves a referral: draft -> sent, draft or sent ->
	// cancelled; ECONFLICT otherwise.
	SetReferralStatus(ctx context.Context, id string, s ReferralStatus) (*Referral, error)
}
