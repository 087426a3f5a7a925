package fhirapi_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestGroupRead: Group/all counts the practice's charts and lists none;
// a practitioner's group lists the charts with an appointment or an
// encounter with them; another practice's practitioner, an unknown id and
// another practice's charts are not found or counted; each read is audited.
func TestGroupRead(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	x := f.clinical(t) // the practitioner's encounter with x.patient; x.nka has none
	c := f.tokens["receptionist"]
	want(t, c.Do("POST", "/fhir/R4/Appointment", appointmentBody(x.nka, x.practitioner, f.locA.ID, x.apptType, "2030-03-07T09:00:00+02:00")), http.StatusCreated)
	want(t, c.Do("POST", "/fhir/R4/Patient", patientBody("Nobody", "Else", "1999-09-09", "male", nil)), http.StatusCreated)
	want(t, f.tokens["adminB"].Do("POST", "/fhir/R4/Patient", patientBody("Bravo", "Only", "1988-08-08", "female", nil)), http.StatusCreated)

	all := want(t, c.Do("GET", "/fhir/R4/Group/all", nil), http.StatusOK)
	if all.Str("resourceType") != "Group" || all.Str("id") != "all" || all.Str("type") != "person" || all.Get("actual") != true ||
		all.Get("quantity") != 3.0 || all.Get("member") != nil || all.Str("managingEntity.reference") != "Organization/"+f.A.ID {
		t.Errorf("Group/all: %s", all)
	}
	g := want(t, c.Do("GET", "/fhir/R4/Group/"+x.practitioner, nil), http.StatusOK)
	var members []string
	for _, m := range g.JSON["member"].([]any) {
		members = append(members, m.(map[string]any)["entity"].(map[string]any)["reference"].(string))
	}
	wantMembers := []string{"Patient/" + x.patient, "Patient/" + x.nka}
	slices.Sort(wantMembers)
	if g.Str("id") != x.practitioner || g.Get("quantity") != 2.0 || !slices.Equal(members, wantMembers) ||
		g.Str("managingEntity.reference") != "Practitioner/"+x.practitioner || g.Str("name") != "Patients of Dr Naledi Dlamini" || g.Get("text") != nil {
		t.Errorf("the practitioner's group: %s", g)
	}

	// Practice B: A's practitioner is not found; its own group counts its own.
	b := f.tokens["adminB"]
	wantOutcome(t, b.Do("GET", "/fhir/R4/Group/"+x.practitioner, nil), http.StatusNotFound, "not-found")
	if n := want(t, b.Do("GET", "/fhir/R4/Group/all", nil), http.StatusOK).Get("quantity"); n != 1.0 {
		t.Errorf("B's Group/all counts %v charts", n)
	}
	wantOutcome(t, c.Do("GET", "/fhir/R4/Group/00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound, "not-found")
	wantOutcome(t, c.Do("GET", "/fhir/R4/Group/everyone", nil), http.StatusNotFound, "not-found")

	if n := f.query(t, `SELECT count(*)::text FROM audit_events WHERE action = 'bulk_export.group_viewed'`)[0]; n != "3" {
		t.Errorf("%s group reads audited, want 3", n)
	}
}
