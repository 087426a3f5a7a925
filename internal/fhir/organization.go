package fhir

import "medic"

// Organization is the practice.
type Organization struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *Meta             `json:"meta,omitempty"`
	Identifier   []Identifier      `json:"identifier,omitempty"`
	Active       *bool             `json:"active,omitempty"`
	Type         []CodeableConcept `json:"type,omitempty"`
	Name         string            `json:"name,omitempty"`
	Telecom      []ContactPoint    `json:"telecom,omitempty"`
	Address      []Address         `json:"address,omitempty"`
}

// FromPractice maps the practice.
func FromPractice(p *medic.Practice) *Organization {
	active := p.Status == medic.PracticeActive
	r := &Organization{ResourceType: "Organization", ID: p.ID, Meta: metaOf(p.UpdatedAt), Active: &active, Name: p.Name,
		Type: []CodeableConcept{*concept(organizationTypeCS, "prov", "Healthcare Provider")}}
	if p.RegistrationNumber != "" {
		r.Identifier = []Identifier{{Use: "official", System: PracticeNumberSys, Value: p.RegistrationNumber}}
	}
	if p.Phone != "" {
		r.Telecom = append(r.Telecom, ContactPoint{System: "phone", Value: p.Phone, Use: "work"})
	}
	if p.Email != "" {
		r.Telecom = append(r.Telecom, ContactPoint{System: "email", Value: p.Email, Use: "work"})
	}
	if p.Address != "" {
		r.Address = []Address{{Use: "work", Text: p.Address, Line: nonEmptyLines(p.Address)}}
	}
	return r
}
