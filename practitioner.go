package medic

import (
	"context"
	"time"
)

type PractitionerStatus string

const (
	PractitionerActive   PractitionerStatus = "active"
	PractitionerInactive PractitionerStatus = "inactive"
	PractitionerOnLeave  PractitionerStatus = "on_leave"
)

// Practitioner is someone patients book with; optionally a member.
type Practitioner struct {
	ID                 string
	PracticeID         string
	MemberID           string
	Name               string
	Specialty          string
	RegistrationNumber string // HPCSA (e.g. MP0123456) or NPI
	PracticeNumber     string
	Qualifications     string
	Status             PractitionerStatus
	HasSignature       bool // a signature image is uploaded
	Assignments        []LocationAssignment
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Signature is a practitioner's uploaded signature image (PNG or JPEG),
// printed on the documents they sign.
type Signature struct {
	ContentType string
	Data        []byte
}

// LocationAssignment places a practitioner at a location for a period.
type LocationAssignment struct {
	LocationID string `json:"location_id"`
	Primary    bool   `json:"primary"`
	StartDate  Date   `json:"start_date"`
	EndDate    Date   `json:"end_date"` // zero: open-ended
}

// LocationIDs lists the assigned locations.
func (p *Practitioner) LocationIDs() []string {
	out := make([]string, 0, len(p.Assignments))
	for _, a := range p.Assignments {
		out = append(out, a.LocationID)
	}
	return out
}

// AssignedAt reports whether p works at location on day.
func (p *Practitioner) AssignedAt(location string, day Date) bool {
	for _, a := range p.Assignments {
		if a.LocationID == location && !day.Before(a.StartDate) && (a.EndDate.IsZero() || !day.After(a.EndDate)) {
			return true
		}
	}
	return false
}

// Validate checks the fields a user can set.
func (p *Practitioner) Validate() error {
	f := FieldErrors{}
	f.RequiredLine("name", &p.Name, MaxNameLength, "Enter the practitioner's name.")
	f.Line("specialty", &p.Specialty, MaxShortText)
	f.Line("registration_number", &p.RegistrationNumber, MaxShortText)
	f.Line("practice_number", &p.PracticeNumber, MaxShortText)
	f.MultiLine("qualifications", &p.Qualifications, 500)
	switch p.Status {
	case PractitionerActive, PractitionerInactive, PractitionerOnLeave:
	case "":
		p.Status = PractitionerActive
	default:
		f.Add("status", "Choose active, inactive or on_leave.")
	}
	primaries := 0
	seen := map[string]bool{}
	for _, a := range p.Assignments {
		if a.LocationID == "" {
			f.Add("assignments", "Choose a location for every assignment.")
		}
		if seen[a.LocationID] {
			f.Add("assignments", "Assign each location once.")
		}
		seen[a.LocationID] = true
		if a.Primary {
			primaries++
		}
		if !a.EndDate.IsZero() && a.EndDate.Before(a.StartDate) {
			f.Add("assignments", "An assignment cannot end before it starts.")
		}
	}
	if primaries > 1 {
		f.Add("assignments", "Mark at most one location as primary.")
	}
	return f.Err()
}

// PractitionerService manages the practitioners of the practice in context;
// ENOTFOUND for another practice's.
type PractitionerService interface {
	ListPractitioners(ctx context.Context, p Page) ([]*Practitioner, string, error)
	FindPractitioner(ctx context.Context, id string) (*Practitioner, error)
	// FindPractitionerByMember returns the practitioner linked to a member, if any.
	FindPractitionerByMember(ctx context.Context, memberID string) (*Practitioner, error)
	CreatePractitioner(ctx context.Context, p *Practitioner) error
	UpdatePractitioner(ctx context.Context, p *Practitioner) error
	// SetSignature stores (or replaces) the practitioner's signature image.
	SetSignature(ctx context.Context, practitionerID string, s *Signature) error
	// Signature returns the practitioner's signature; ENOTFOUND if none.
	Signature(ctx context.Context, practitionerID string) (*Signature, error)
}
