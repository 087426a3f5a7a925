package fhir

import (
	"fmt"
	"html"

	"medic"
)

// Group is a group of charts a Bulk Data export takes (Group/{id}/$export):
// every chart of the practice, or a practitioner's.
type Group struct {
	ResourceType   string        `json:"resourceType"`
	ID             string        `json:"id"`
	Text           *Narrative    `json:"text,omitempty"`
	Active         bool          `json:"active"`
	Type           string        `json:"type"`
	Actual         bool          `json:"actual"`
	Name           string        `json:"name"`
	Quantity       int           `json:"quantity"`
	ManagingEntity *Reference    `json:"managingEntity,omitempty"`
	Member         []GroupMember `json:"member,omitempty"`
}

// GroupMember is a chart of a Group.
type GroupMember struct {
	Entity Reference `json:"entity"`
}

// FromPatientGroup maps a group of the practice practiceID. The group of
// every chart lists no members (its quantity says how many); a
// practitioner's lists them up to medic.GroupMembersShown, and its
// narrative says so when there are more.
func FromPatientGroup(g *medic.PatientGroup, practiceID string) *Group {
	r := &Group{ResourceType: "Group", ID: g.ID, Active: true, Type: "person", Actual: true, Quantity: g.Quantity}
	if g.Practitioner == nil {
		r.Name = "All patients of the practice"
		r.ManagingEntity = Ref("Organization", practiceID, "")
		return r
	}
	r.Name = "Patients of " + g.Practitioner.Name
	r.ManagingEntity = Ref("Practitioner", g.Practitioner.ID, g.Practitioner.Name)
	for _, id := range g.Members {
		r.Member = append(r.Member, GroupMember{Entity: *Ref("Patient", id, "")})
	}
	if len(g.Members) < g.Quantity {
		r.Text = &Narrative{Status: "generated", Div: fmt.Sprintf(`<div xmlns="http://www.w3.org/1999/xhtml">%s: %d charts (an appointment or an encounter with them); `+
			`the first %d by id are listed as members. Group/%s/$export exports them all.</div>`, html.EscapeString(r.Name), g.Quantity, len(g.Members), html.EscapeString(g.ID))}
	}
	return r
}
