package medic_test

import (
	"testing"

	"medic"
)

func TestPracticeSlugReserved(t *testing.T) {
	p := &medic.Practice{Name: "Manage Clinic", Slug: "manage", Type: medic.PracticeClinic, TimeZone: "Africa/Johannesburg"}
	err := p.Validate()
	if got := medic.ErrorFields(err)["slug"]; got == "" {
		t.Fatalf("slug manage (the /book/manage/{token} path) accepted: %v", err)
	}
	p.Slug = "manage-health"
	if got := medic.ErrorFields(p.Validate())["slug"]; got != "" {
		t.Errorf("slug manage-health refused: %s", got)
	}
}
