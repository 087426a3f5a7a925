package fhir

import (
	"strings"

	"medic"
)

// Patient is a chart.
type Patient struct {
	ResourceType  string                 `json:"resourceType"`
	ID            string                 `json:"id,omitempty"`
	Meta          *Meta                  `json:"meta,omitempty"`
	Text          *Narrative             `json:"text,omitempty"`
	Identifier    []Identifier           `json:"identifier,omitempty"`
	Active        *bool                  `json:"active,omitempty"`
	Name          []HumanName            `json:"name,omitempty"`
	Telecom       []ContactPoint         `json:"telecom,omitempty"`
	Gender        string                 `json:"gender,omitempty"`
	BirthDate     string                 `json:"birthDate,omitempty"`
	Address       []Address              `json:"address,omitempty"`
	Contact       []PatientContact       `json:"contact,omitempty"`
	Communication []PatientCommunication `json:"communication,omitempty"`
	Link          []PatientLink          `json:"link,omitempty"`
}

// PatientContact is an emergency contact.
type PatientContact struct {
	Relationship []CodeableConcept `json:"relationship,omitempty"`
	Name         *HumanName        `json:"name,omitempty"`
	Telecom      []ContactPoint    `json:"telecom,omitempty"`
}

// PatientCommunication is a language the patient prefers.
type PatientCommunication struct {
	Language  CodeableConcept `json:"language"`
	Preferred bool            `json:"preferred,omitempty"`
}

// PatientLink points from a merged chart to the one it was merged into.
type PatientLink struct {
	Other Reference `json:"other"`
	Type  string    `json:"type"`
}

// nationalID is the identifier type of SA ID numbers.
var nationalID = concept(v2IdentifierType, "NI", "National unique individual identifier")

// FromPatient maps a chart, as the reader's role sees it, to a Patient.
// A chart whose demographics are withheld shows its id only.
func FromPatient(p *medic.Patient) *Patient {
	active := p.Status == medic.PatientActive
	r := &Patient{ResourceType: "Patient", ID: p.ID, Meta: metaOf(p.UpdatedAt)}
	if !p.Shows(medic.ChartDemographics) {
		return r
	}
	r.Active = &active
	if p.IDNumber != "" {
		r.Identifier = append(r.Identifier, Identifier{Use: "official", Type: nationalID, System: SAIDSystem, Value: p.IDNumber})
	}
	if p.Passport != "" {
		r.Identifier = append(r.Identifier, Identifier{Use: "secondary", Type: concept(v2IdentifierType, "PPN", "Passport number"), System: PassportSystem, Value: p.Passport})
	}
	r.Name = []HumanName{{Use: "official", Text: p.FullName(), Family: p.FamilyName, Given: strings.Fields(p.GivenName)}}
	if p.Phone != "" {
		r.Telecom = append(r.Telecom, ContactPoint{System: "phone", Value: p.Phone, Use: "mobile"})
	}
	if p.Email != "" {
		r.Telecom = append(r.Telecom, ContactPoint{System: "email", Value: p.Email})
	}
	r.Gender = string(p.Sex)
	if !p.DateOfBirth.IsZero() {
		r.BirthDate = p.DateOfBirth.String()
	}
	if p.Address != "" {
		r.Address = []Address{{Use: "home", Text: p.Address, Line: nonEmptyLines(p.Address)}}
	}
	for _, c := range p.EmergencyContacts {
		pc := PatientContact{Relationship: []CodeableConcept{{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/v2-0131", Code: "C", Display: "Emergency Contact"}}}}}
		if c.Relationship != "" {
			pc.Relationship = append(pc.Relationship, CodeableConcept{Text: c.Relationship})
		}
		if c.Name != "" {
			pc.Name = &HumanName{Text: c.Name}
		}
		if c.Phone != "" {
			pc.Telecom = []ContactPoint{{System: "phone", Value: c.Phone}}
		}
		r.Contact = append(r.Contact, pc)
	}
	if p.PreferredLanguage != "" {
		r.Communication = []PatientCommunication{{Language: CodeableConcept{Text: p.PreferredLanguage}, Preferred: true}}
	}
	if p.MergedInto != "" {
		r.Link = []PatientLink{{Other: Reference{Reference: "Patient/" + p.MergedInto}, Type: "replaced-by"}}
	}
	return r
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ApplyPatient copies what a Patient carries onto chart p (a create or an
// update: FHIR replaces the whole resource, so an element left out clears
// the field). What FHIR's Patient does not carry (medical aid, the
// clinical lists) keeps its value. Errors name the element (FHIRPath).
func ApplyPatient(r *Patient, p *medic.Patient) error {
	f := medic.FieldErrors{}
	if r.ResourceType != "Patient" {
		f.Add("Patient.resourceType", "Send a Patient.")
	}
	p.GivenName, p.FamilyName = "", ""
	for _, n := range r.Name {
		if n.Use == "" || n.Use == "official" || n.Use == "usual" {
			p.GivenName, p.FamilyName = strings.Join(n.Given, " "), n.Family
			break
		}
	}
	p.IDNumber, p.Passport = "", ""
	for i, id := range r.Identifier {
		switch id.System {
		case SAIDSystem:
			p.IDNumber = id.Value
		case PassportSystem:
			p.Passport = id.Value
		default:
			f.Add(indexed("Patient.identifier", i), "Use the SA ID system "+SAIDSystem+" or the passport system "+PassportSystem+".")
		}
	}
	p.Phone, p.Email = "", ""
	for i, t := range r.Telecom {
		switch {
		case t.System == "phone" && p.Phone == "":
			p.Phone = t.Value
		case t.System == "email" && p.Email == "":
			p.Email = t.Value
		default:
			f.Add(indexed("Patient.telecom", i), "Give at most one phone number and one email address.")
		}
	}
	p.Sex = medic.Sex(r.Gender)
	p.DateOfBirth = medic.Date{}
	if r.BirthDate != "" {
		d, err := medic.ParseDate(r.BirthDate)
		if err != nil {
			f.Add("Patient.birthDate", "Give the full date of birth, YYYY-MM-DD.")
		}
		p.DateOfBirth = d
	}
	p.Address = ""
	if len(r.Address) > 0 {
		a := r.Address[0]
		p.Address = a.Text
		if p.Address == "" {
			p.Address = strings.Join(a.Line, "\n")
		}
	}
	p.PreferredLanguage = ""
	if len(r.Communication) > 0 {
		p.PreferredLanguage = r.Communication[0].Language.Text
		if p.PreferredLanguage == "" && len(r.Communication[0].Language.Coding) > 0 {
			p.PreferredLanguage = r.Communication[0].Language.Coding[0].Code
		}
	}
	p.EmergencyContacts = nil
	for _, c := range r.Contact {
		ec := medic.EmergencyContact{}
		if c.Name != nil {
			ec.Name = c.Name.Text
			if ec.Name == "" {
				ec.Name = strings.TrimSpace(strings.Join(c.Name.Given, " ") + " " + c.Name.Family)
			}
		}
		for _, rel := range c.Relationship {
			if rel.Text != "" {
				ec.Relationship = rel.Text
			}
		}
		for _, t := range c.Telecom {
			if t.System == "phone" {
				ec.Phone = t.Value
			}
		}
		p.EmergencyContacts = append(p.EmergencyContacts, ec)
	}
	if r.Active != nil && !*r.Active {
		p.Status = medic.PatientInactive
	} else {
		p.Status = medic.PatientActive
	}
	return f.Err()
}

// PatientField maps a domain field error key (medic.Patient.Validate) to
// the FHIRPath of the element it came from.
var PatientField = map[string]string{
	"given_name": "Patient.name.given", "family_name": "Patient.name.family", "date_of_birth": "Patient.birthDate",
	"sex": "Patient.gender", "id_number": "Patient.identifier", "passport": "Patient.identifier", "email": "Patient.telecom",
	"phone": "Patient.telecom", "address": "Patient.address", "preferred_language": "Patient.communication",
	"emergency_contacts": "Patient.contact", "status": "Patient.active",
}

func indexed(path string, i int) string { return path + "[" + itoa(i) + "]" }
