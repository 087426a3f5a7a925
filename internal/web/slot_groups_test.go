package web_test

import (
	"strings"
	"testing"

	"medic"
)

// TestSlotPickersOnePerTimeOrByPractitioner: with anyone available, two
// practitioners free at 09:00 are one button (desk and public); asked
// for, each practitioner's times come under their name; the practice's
// time zone is named for the browser's script to hide when it matches.
func TestSlotPickersOnePerTimeOrByPractitioner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), medic.RoleReceptionist)
	c := e.onlineClinic(p, "Dr Naidoo")
	ctx := tenantCtx(p)
	other := &medic.Practitioner{Name: "Dr Abrahams", Specialty: "General practice", Status: medic.PractitionerActive,
		Assignments: c.pr.Assignments}
	if err := e.db.CreatePractitioner(ctx, other); err != nil {
		t.Fatal(err)
	}
	rule := *c.rule
	rule.ID, rule.PractitionerID = "", other.ID
	if err := e.db.CreateScheduleRule(ctx, &rule); err != nil {
		t.Fatal(err)
	}
	nine := `class="slot-time">09:00</span>`
	count := func(body string) int { return strings.Count(body, nine) }

	desk := e.signIn("desk@sunrise.example")
	base := "/appointments/new?type=" + c.typ.ID + "&date=" + c.day.String()
	r := desk.get(base)
	wantStatus(t, r, 200)
	wantContains(t, r, "One button per time", `data-zone="Africa/Johannesburg"`, "Africa/Johannesburg (SAST, UTC&#43;02:00)")
	wantNotContains(t, r, `class="slot-group"`)
	if n := count(r.body); n != 1 {
		t.Errorf("desk, anyone: 09:00 offered %d times, want 1", n)
	}
	r = desk.get(base + "&by=practitioner")
	wantContains(t, r, `<h3 class="slot-group">Dr Abrahams</h3>`, `<h3 class="slot-group">Dr Naidoo</h3>`, "One button per time</a>")
	if n := count(r.body); n != 2 {
		t.Errorf("desk, by practitioner: 09:00 offered %d times, want 2", n)
	}
	if strings.Index(r.body, "Dr Abrahams</h3>") > strings.Index(r.body, "Dr Naidoo</h3>") {
		t.Error("groups not in name order")
	}
	r = desk.get(base + "&practitioner=" + other.ID)
	wantContains(t, r, `<h3 class="slot-group">Dr Abrahams</h3>`)
	wantNotContains(t, r, "Dr Naidoo</h3>", "One button per time")

	patient := e.client()
	pub := "/book/sunrise?type=" + c.typ.ID + "&date=" + c.day.String()
	r = patient.get(pub)
	wantStatus(t, r, 200)
	wantContains(t, r, `data-zone="Africa/Johannesburg"`, "Show each practitioner")
	if n := count(r.body); n != 1 {
		t.Errorf("public, anyone: 09:00 offered %d times, want 1", n)
	}
	r = patient.get(pub + "&by=practitioner")
	wantContains(t, r, `<h3 class="slot-group">Dr Abrahams</h3>`, `<h3 class="slot-group">Dr Naidoo</h3>`)
	if n := count(r.body); n != 2 {
		t.Errorf("public, by practitioner: 09:00 offered %d times, want 2", n)
	}
	// A full day offers the first open day (both practitioners' 09:00 gone
	// still leaves 08:00; the day after has no rule).
	r = patient.get("/book/sunrise?type=" + c.typ.ID + "&date=" + c.day.AddDays(1).String())
	wantContains(t, r, "Next open day: "+c.day.AddDays(7).Time().Format("Monday 2 January"))
}
