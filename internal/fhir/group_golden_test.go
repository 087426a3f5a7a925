package fhir_test

import (
	"fmt"
	"testing"

	"medic"
	"medic/internal/fhir"
)

func TestGroupGolden(t *testing.T) {
	golden(t, "group-all", fhir.FromPatientGroup(&medic.PatientGroup{ID: medic.GroupAllPatients, Quantity: 1234}, practiceID))
	g := &medic.PatientGroup{ID: pracID, Practitioner: samplePractitioner(), Quantity: 2,
		Members: []string{"0190c3a2-0000-7000-8000-000000000001", "0190c3a2-0000-7000-8000-000000000002"}}
	golden(t, "group-practitioner", fhir.FromPatientGroup(g, practiceID))

	// More charts than are listed: the quantity is all of them, and the
	// narrative says the members are the first ones.
	g.Quantity, g.Members = medic.GroupMembersShown+5, nil
	for i := range medic.GroupMembersShown {
		g.Members = append(g.Members, fmt.Sprintf("0190c3a2-0000-7000-8000-%012d", i))
	}
	capped := fhir.FromPatientGroup(g, practiceID)
	if len(capped.Member) != medic.GroupMembersShown || capped.Quantity != medic.GroupMembersShown+5 || capped.Text == nil {
		t.Errorf("capped group: %d members, quantity %d, text %v", len(capped.Member), capped.Quantity, capped.Text)
	}
	capped.Member = capped.Member[:2] // the golden file shows the narrative, not a thousand members
	golden(t, "group-practitioner-capped", capped)
}
