package medic_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"medic"
)

// thandi is a valid chart: a woman born 14 July 1985 with a matching ID.
func thandi(t *testing.T) *medic.Patient {
	return &medic.Patient{
		GivenName:   "Thandi",
		FamilyName:  "Nkosi",
		DateOfBirth: mustDate(t, "1985-07-14"),
		Sex:         medic.SexFemale,
		IDNumber:    said("850714" + "0123" + "0" + "8"),
	}
}

func TestPatientValidate(t *testing.T) {
	today := mustDate(t, "2026-06-01")
	tests := []struct {
		name   string
		edit   func(p *medic.Patient)
		fields []string // fields with errors; none: valid
		check  func(t *testing.T, p *medic.Patient)
	}{
		{name: "a complete chart is valid"},
		{
			name: "defaults: active, and sex unknown when not given",
			edit: func(p *medic.Patient) { p.Sex = "" },
			check: func(t *testing.T, p *medic.Patient) {
				if p.Status != medic.PatientActive || p.Sex != medic.SexUnknown {
					t.Errorf("status %q sex %q", p.Status, p.Sex)
				}
			},
		},
		{
			name: "names are trimmed",
			edit: func(p *medic.Patient) { p.GivenName, p.FamilyName = "  Thandi ", "\tNkosi\n" },
			check: func(t *testing.T, p *medic.Patient) {
				if p.FullName() != "Thandi Nkosi" {
					t.Errorf("full name %q", p.FullName())
				}
			},
		},
		{
			name:   "missing names",
			edit:   func(p *medic.Patient) { p.GivenName, p.FamilyName = " ", "" },
			fields: []string{"family_name", "given_name"},
		},
		{
			name:   "a name too long",
			edit:   func(p *medic.Patient) { p.FamilyName = strings.Repeat("a", 101) },
			fields: []string{"family_name"},
		},
		{
			name:   "no date of birth",
			edit:   func(p *medic.Patient) { p.DateOfBirth, p.IDNumber = medic.Date{}, "" },
			fields: []string{"date_of_birth"},
		},
		{
			name:   "a birth date in the future",
			edit:   func(p *medic.Patient) { p.DateOfBirth, p.IDNumber = mustDate(t, "2026-06-02"), "" },
			fields: []string{"date_of_birth"},
		},
		{
			name: "born today is fine",
			edit: func(p *medic.Patient) { p.DateOfBirth, p.IDNumber = today, "" },
		},
		{
			name:   "a birth date more than 130 years ago",
			edit:   func(p *medic.Patient) { p.DateOfBirth, p.IDNumber = mustDate(t, "1896-05-31"), "" },
			fields: []string{"date_of_birth"},
		},
		{
			name:   "an unknown sex",
			edit:   func(p *medic.Patient) { p.Sex = "f" },
			fields: []string{"sex"},
		},
		{
			name:   "the ID number's date does not match the date of birth",
			edit:   func(p *medic.Patient) { p.DateOfBirth = mustDate(t, "1985-07-15") },
			fields: []string{"id_number"},
			check:  wantFieldMessage("id_number", "date of birth"),
		},
		{
			name:   "the ID number is a man's and the patient a woman",
			edit:   func(p *medic.Patient) { p.IDNumber = said("850714" + "5123" + "0" + "8") },
			fields: []string{"id_number"},
			check:  wantFieldMessage("id_number", "sex"),
		},
		{
			name: "sex other or unknown is not checked against the ID number",
			edit: func(p *medic.Patient) { p.Sex = medic.SexOther },
		},
		{
			name:   "an ID number with a wrong check digit",
			edit:   func(p *medic.Patient) { p.IDNumber = p.IDNumber[:12] + string('0'+(p.IDNumber[12]-'0'+1)%10) },
			fields: []string{"id_number"},
			check:  wantFieldMessage("id_number", "check digit"),
		},
		{
			name: "an ID number typed with spaces is kept without them",
			edit: func(p *medic.Patient) {
				p.IDNumber = " " + p.IDNumber[:6] + " " + p.IDNumber[6:10] + " " + p.IDNumber[10:] + " "
			},
			check: func(t *testing.T, p *medic.Patient) {
				if len(p.IDNumber) != 13 {
					t.Errorf("ID number %q", p.IDNumber)
				}
			},
		},
		{
			name: "no ID number (a passport instead) is fine",
			edit: func(p *medic.Patient) { p.IDNumber, p.Passport = "", "A12345678" },
		},
		{
			name:  "a local phone number becomes E.164",
			edit:  func(p *medic.Patient) { p.Phone = "0821234567" },
			check: wantPhone("+27821234567"),
		},
		{
			name:  "a phone number typed with spaces and brackets",
			edit:  func(p *medic.Patient) { p.Phone = "(082) 123-4567" },
			check: wantPhone("+27821234567"),
		},
		{
			name:  "an international phone number stays",
			edit:  func(p *medic.Patient) { p.Phone = "+44 20 7946 0958" },
			check: wantPhone("+442079460958"),
		},
		{
			name:  "00 as the international prefix",
			edit:  func(p *medic.Patient) { p.Phone = "0027821234567" },
			check: wantPhone("+27821234567"),
		},
		{
			name:   "a phone number with letters",
			edit:   func(p *medic.Patient) { p.Phone = "082 CALL NOW" },
			fields: []string{"phone"},
		},
		{
			name:   "a local phone number too short",
			edit:   func(p *medic.Patient) { p.Phone = "082123" },
			fields: []string{"phone"},
		},
		{
			name: "an emergency contact's phone is normalised too",
			edit: func(p *medic.Patient) {
				p.EmergencyContacts = []medic.EmergencyContact{{Name: "Sipho Nkosi", Relationship: "brother", Phone: "083 555 0100"}}
			},
			check: func(t *testing.T, p *medic.Patient) {
				if p.EmergencyContacts[0].Phone != "+27835550100" {
					t.Errorf("emergency phone %q", p.EmergencyContacts[0].Phone)
				}
			},
		},
		{
			name: "an emergency contact's phone that is not a number",
			edit: func(p *medic.Patient) {
				p.EmergencyContacts = []medic.EmergencyContact{{Name: "Sipho", Phone: "ask at reception"}}
			},
			fields: []string{"emergency_contacts"},
		},
		{
			name: "an email is trimmed and lower-cased",
			edit: func(p *medic.Patient) { p.Email = "  Thandi.Nkosi@Example.CO.ZA " },
			check: func(t *testing.T, p *medic.Patient) {
				if p.Email != "thandi.nkosi@example.co.za" {
					t.Errorf("email %q", p.Email)
				}
			},
		},
		{name: "an email without @", edit: func(p *medic.Patient) { p.Email = "thandi.example.com" }, fields: []string{"email"}},
		{name: "an email without a domain dot", edit: func(p *medic.Patient) { p.Email = "thandi@localhost" }, fields: []string{"email"}},
		{name: "an email with a display name", edit: func(p *medic.Patient) { p.Email = "Thandi <thandi@example.com>" }, fields: []string{"email"}},
		{name: "an email with two addresses", edit: func(p *medic.Patient) { p.Email = "a@example.com, b@example.com" }, fields: []string{"email"}},
		{
			name:   "a merged status cannot be set by hand",
			edit:   func(p *medic.Patient) { p.Status = medic.PatientMerged },
			fields: []string{"status"},
		},
		{
			name: "several fields at once",
			edit: func(p *medic.Patient) {
				p.GivenName, p.Email, p.Phone = "", "nope", "nope"
			},
			fields: []string{"email", "given_name", "phone"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := thandi(t)
			if tt.edit != nil {
				tt.edit(p)
			}
			err := p.Validate(today)
			got := slices.Sorted(maps.Keys(medic.ErrorFields(err)))
			if !slices.Equal(got, tt.fields) {
				t.Fatalf("field errors %v (%v), want %v", got, err, tt.fields)
			}
			if err != nil && medic.ErrorCode(err) != medic.EINVALID {
				t.Errorf("code %q, want %q", medic.ErrorCode(err), medic.EINVALID)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func wantPhone(want string) func(t *testing.T, p *medic.Patient) {
	return func(t *testing.T, p *medic.Patient) {
		t.Helper()
		if p.Phone != want {
			t.Errorf("phone %q, want %q", p.Phone, want)
		}
	}
}

// wantFieldMessage checks the message of a field error; it is run after
// Validate on the same patient, so it validates again.
func wantFieldMessage(field, contains string) func(t *testing.T, p *medic.Patient) {
	return func(t *testing.T, p *medic.Patient) {
		t.Helper()
		msg := medic.ErrorFields(p.Validate(mustDate(t, "2026-06-01")))[field]
		if !strings.Contains(msg, contains) {
			t.Errorf("%s: %q, want it to mention %q", field, msg, contains)
		}
	}
}
