package medic

import (
	"context"
	"strings"
	"time"
)

type Sex string

const (
	SexFemale  Sex = "female"
	SexMale    Sex = "male"
	SexOther   Sex = "other"
	SexUnknown Sex = "unknown"
)

type PatientStatus string

const (
	PatientActive   PatientStatus = "active"
	PatientInactive PatientStatus = "inactive"
	// PatientMerged charts were merged into another (MergedInto); they are
	// kept for the record and hidden from lists.
	PatientMerged PatientStatus = "merged"
)

// Patient is a chart inside one practice. A person seen by two practices
// has two charts.
type Patient struct {
	ID                string
	PracticeID        string
	GivenName         string
	FamilyName        string
	DateOfBirth       Date
	Sex               Sex
	IDNumber          string // South African ID number, checksum-validated
	Passport          string
	Email             string
	Phone             string // E.164
	Address           string
	PreferredLanguage string
	MedicalAid        MedicalAid
	EmergencyContacts []EmergencyContact
	Allergies         []string
	ChronicConditions []string
	Status            PatientStatus
	MergedInto        string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// Withheld lists the parts this copy leaves out for the role it was
	// made for (ProjectPatient); nil for a chart as stored.
	Withheld []ChartPart
}

// MedicalAid is the patient's medical scheme membership.
type MedicalAid struct {
	Scheme        string `json:"scheme"`
	MemberNumber  string `json:"member_number"`
	DependentCode string `json:"dependent_code"`
}

// EmergencyContact is someone to call.
type EmergencyContact struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	Phone        string `json:"phone"`
}

// MaxListEntries bounds a chart's lists (allergies, chronic conditions).
const MaxListEntries = 50

// MaxEmergencyContacts bounds the emergency contacts of a chart.
const MaxEmergencyContacts = 10

// FullName is "Given Family".
func (p *Patient) FullName() string { return strings.TrimSpace(p.GivenName + " " + p.FamilyName) }

// Validate normalises and checks the fields a user can set: names, date of
// birth, sex, SA ID number (checksum, and consistent with date of birth and
// sex), phone (to E.164), email.
func (p *Patient) Validate(today Date) error {
	f := FieldErrors{}
	f.RequiredLine("given_name", &p.GivenName, MaxPersonNameLength, "Enter the given name.")
	f.RequiredLine("family_name", &p.FamilyName, MaxPersonNameLength, "Enter the family name.")
	if p.DateOfBirth.IsZero() {
		f.Add("date_of_birth", "Enter the date of birth.")
	} else if p.DateOfBirth.After(today) || p.DateOfBirth.Before(today.AddDate(-130, 0, 0)) {
		f.Add("date_of_birth", "Enter a date of birth in the past 130 years.")
	}
	switch p.Sex {
	case SexFemale, SexMale, SexOther, SexUnknown:
	case "":
		p.Sex = SexUnknown
	default:
		f.Add("sex", "Choose female, male, other or unknown.")
	}
	p.IDNumber = strings.ReplaceAll(strings.TrimSpace(p.IDNumber), " ", "")
	if p.IDNumber != "" {
		id, err := ParseSAID(p.IDNumber)
		switch {
		case err != nil:
			f.Add("id_number", ErrorMessage(err))
		case !p.DateOfBirth.IsZero() && !id.MatchesBirthDate(p.DateOfBirth):
			f.Add("id_number", "The ID number does not match the date of birth.")
		case (p.Sex == SexFemale || p.Sex == SexMale) && id.Sex != p.Sex:
			f.Add("id_number", "The ID number does not match the sex.")
		}
	}
	f.Line("passport", &p.Passport, 30)
	if p.Email = strings.TrimSpace(p.Email); p.Email != "" {
		if e, err := NormalizeEmail(p.Email); err != nil {
			f.Add("email", "Enter a valid email address.")
		} else {
			p.Email = e
		}
	}
	if p.Phone = strings.TrimSpace(p.Phone); p.Phone != "" {
		if ph, err := NormalizePhone(p.Phone); err != nil {
			f.Add("phone", "Enter a phone number such as 082 555 0100 or +27 82 555 0100.")
		} else {
			p.Phone = ph
		}
	}
	f.MultiLine("address", &p.Address, MaxAddressLength)
	f.Line("preferred_language", &p.PreferredLanguage, 50)
	f.Line("medical_aid.scheme", &p.MedicalAid.Scheme, MaxShortText)
	f.Line("medical_aid.member_number", &p.MedicalAid.MemberNumber, 50)
	f.Line("medical_aid.dependent_code", &p.MedicalAid.DependentCode, 10)
	if len(p.EmergencyContacts) > MaxEmergencyContacts {
		f.Add("emergency_contacts", "Give at most 10 emergency contacts.")
	}
	for i := range p.EmergencyContacts {
		c := &p.EmergencyContacts[i]
		f.Line("emergency_contacts", &c.Name, MaxNameLength)
		f.Line("emergency_contacts", &c.Relationship, MaxShortText)
		if c.Phone = strings.TrimSpace(c.Phone); c.Phone != "" {
			if ph, err := NormalizePhone(c.Phone); err != nil {
				f.Add("emergency_contacts", "Enter valid phone numbers for emergency contacts.")
			} else {
				p.EmergencyContacts[i].Phone = ph
			}
		}
	}
	f.LineList("allergies", &p.Allergies, MaxListEntries, MaxNameLength)
	f.LineList("chronic_conditions", &p.ChronicConditions, MaxListEntries, MaxNameLength)
	switch p.Status {
	case PatientActive, PatientInactive:
	case "":
		p.Status = PatientActive
	default:
		f.Add("status", "Choose active or inactive.")
	}
	return f.Err()
}

// PatientFilter narrows a patient search.
type PatientFilter struct {
	// Query matches names (typo-tolerant), phone, email or ID number.
	Query string
	// DateOfBirth, when set, keeps the charts born that day.
	DateOfBirth Date
	// Sort is "name" (default), "-name", "created", "-created", "date_of_birth".
	Sort            string
	IncludeInactive bool
}

// DuplicateMatch is an existing chart that looks like the same person.
type DuplicateMatch struct {
	Patient *Patient
	Reason  string // "id_number", "email", "name_and_date_of_birth"
}

// PatientService manages the charts of the practice in context; ENOTFOUND
// for a chart of another practice.
type PatientService interface {
	PatientQueryService
	SearchPatients(ctx context.Context, f PatientFilter, p Page) ([]*Patient, string, error)
	CountPatients(ctx context.Context, status PatientStatus) (int, error)
	FindPatient(ctx context.Context, id string) (*Patient, error)
	// PatientNames maps those of ids that are charts of the practice to
	// "Given Family" (for the audit log's words; other ids are left out).
	PatientNames(ctx context.Context, ids []string) (map[string]string, error)
	CreatePatient(ctx context.Context, p *Patient) error
	UpdatePatient(ctx context.Context, p *Patient) error
	// FindDuplicates lists charts with the same ID number, the same email,
	// or the same name and date of birth (excluding p.ID).
	FindDuplicates(ctx context.Context, p *Patient) ([]DuplicateMatch, error)
	// MergePatients moves everything of `from` (appointments, later clinical
	// records) to `into` and marks `from` merged.
	MergePatients(ctx context.Context, from, into string) error
	RecentPatients(ctx context.Context, limit int) ([]*Patient, error)
}
