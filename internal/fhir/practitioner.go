package fhir

import "medic"

// Practitioner is someone patients are seen by.
type Practitioner struct {
	ResourceType  string                      `json:"resourceType"`
	ID            string                      `json:"id,omitempty"`
	Meta          *Meta                       `json:"meta,omitempty"`
	Identifier    []Identifier                `json:"identifier,omitempty"`
	Active        *bool                       `json:"active,omitempty"`
	Name          []HumanName                 `json:"name,omitempty"`
	Qualification []PractitionerQualification `json:"qualification,omitempty"`
}

// PractitionerQualification is a qualification as text.
type PractitionerQualification struct {
	Code CodeableConcept `json:"code"`
}

// FromPractitioner maps a practitioner.
func FromPractitioner(p *medic.Practitioner) *Practitioner {
	active := p.Status == medic.PractitionerActive
	r := &Practitioner{ResourceType: "Practitioner", ID: p.ID, Meta: metaOf(p.UpdatedAt), Active: &active,
		Name: []HumanName{{Use: "official", Text: p.Name}}}
	if p.RegistrationNumber != "" {
		r.Identifier = append(r.Identifier, Identifier{Use: "official", System: HPCSASystem, Value: p.RegistrationNumber})
	}
	if p.PracticeNumber != "" {
		r.Identifier = append(r.Identifier, Identifier{Use: "secondary", System: PracticeNumberSys, Value: p.PracticeNumber})
	}
	if p.Qualifications != "" {
		r.Qualification = []PractitionerQualification{{Code: CodeableConcept{Text: p.Qualifications}}}
	}
	return r
}

// PractitionerRole is a practitioner's role in the practice: one per
// practitioner, with the same id, at the locations they are assigned to.
type PractitionerRole struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *Meta             `json:"meta,omitempty"`
	Active       *bool             `json:"active,omitempty"`
	Period       *Period           `json:"period,omitempty"`
	Practitioner *Reference        `json:"practitioner,omitempty"`
	Organization *Reference        `json:"organization,omitempty"`
	Specialty    []CodeableConcept `json:"specialty,omitempty"`
	Location     []Reference       `json:"location,omitempty"`
}

// FromPractitionerRole maps a practitioner's place in practice pr.
func FromPractitionerRole(p *medic.Practitioner, practiceID, practiceName string) *PractitionerRole {
	active := p.Status == medic.PractitionerActive
	r := &PractitionerRole{ResourceType: "PractitionerRole", ID: p.ID, Meta: metaOf(p.UpdatedAt), Active: &active,
		Practitioner: Ref("Practitioner", p.ID, p.Name), Organization: Ref("Organization", practiceID, practiceName)}
	if p.Specialty != "" {
		r.Specialty = []CodeableConcept{{Text: p.Specialty}}
	}
	for _, a := range p.Assignments {
		r.Location = append(r.Location, Reference{Reference: "Location/" + a.LocationID})
	}
	return r
}
