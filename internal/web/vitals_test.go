package web_test

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"medic"
)

// mustEncounter starts a walk-in draft encounter of pt at c.
func (e *env) mustEncounter(p *medic.Practice, c clinic, pt *medic.Patient) *medic.Encounter {
	e.t.Helper()
	enc := &medic.Encounter{PatientID: pt.ID, PractitionerID: c.pr.ID, LocationID: c.loc.ID, Stage: medic.StageAssessment}
	if err := e.db.CreateEncounter(tenantCtx(p), enc); err != nil {
		e.t.Fatalf("create encounter: %v", err)
	}
	return enc
}

// TestVitalsDesk: the nurse records vitals on the encounter's vitals form
// (units beside the inputs); an impossible value comes back beside its
// field with the values typed kept and nothing stored; flags show in
// colour and words; the chart shows the last vitals with trend arrows and
// a Vitals tab of SVG charts. Reception sees none of it.
func TestVitalsDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("vitals-desk", "Vitals Desk")
	e.mustMember(p, e.mustUser("nurse@vitals.example", "Nurse Sipho"), medic.RoleNurse)
	e.mustMember(p, e.mustUser("rc@vitals.example", "Reception"), medic.RoleReceptionist)
	c := e.mustClinic(p, "Dr Vitals")
	pt := e.mustPatient(p, "Bongani", "Hypertensive", "1961-04-02")
	enc := e.mustEncounter(p, c, pt)
	path := "/encounters/" + enc.ID + "/vitals"

	nurse := e.signIn("nurse@vitals.example")
	form := nurse.get(path)
	wantStatus(t, form, http.StatusOK)
	wantContains(t, form, `name="systolic_mmhg"`, `Systolic pressure <span class="unit">(mmHg)</span>`, `Temperature <span class="unit">(°C)</span>`,
		"Record vitals", "No vitals recorded yet.")
	wantNotContains(t, form, `name="head_circumference_cm"`) // an adult

	// Impossible: systolic 400 and diastolic above systolic; the typed
	// values stay, the messages stand beside their fields; nothing stored.
	bad := nurse.post(path, url.Values{"systolic_mmhg": {"400"}, "diastolic_mmhg": {"90"}, "pulse_bpm": {"88"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantContains(t, bad, `id="v-systolic_mmhg-err">A systolic pressure must be between 30 and 300 mmHg`, `value="88"`, `aria-invalid="true"`)
	bad = nurse.post(path, url.Values{"systolic_mmhg": {"120"}, "diastolic_mmhg": {"130"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantContains(t, bad, `id="v-diastolic_mmhg-err">The diastolic pressure must be below the systolic.`)
	bad = nurse.post(path, url.Values{"temperature_c": {"hot"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantContains(t, bad, `id="v-temperature_c-err">Enter a number`)
	if vs, _ := e.db.ListVitals(tenantCtx(p), pt.ID, time.Time{}, time.Time{}, 10); len(vs) != 0 {
		t.Fatalf("a refused form stored %d sets", len(vs))
	}

	// Two sets: the pressure falls.
	earlier := time.Now().In(zone).Add(-2 * time.Hour).Format("2006-01-02T15:04")
	ok := nurse.post(path, url.Values{"systolic_mmhg": {"168"}, "diastolic_mmhg": {"102"}, "pulse_bpm": {"80"}, "weight_kg": {"92"}, "height_cm": {"178"},
		"measured_at": {earlier}})
	wantStatus(t, ok, http.StatusOK)
	wantContains(t, ok, "Vitals recorded.", "168/102", "(High)", "flag-high")
	ok = nurse.post(path, url.Values{"systolic_mmhg": {"184"}, "diastolic_mmhg": {"96"}, "temperature_c": {"36,9"}})
	wantContains(t, ok, "184/96", "Critically high:", "flag-critical_high", "36.9")

	// The encounter page holds the same form; recording there returns to it.
	encPage := nurse.get("/encounters/" + enc.ID)
	wantStatus(t, encPage, http.StatusOK)
	wantContains(t, encPage, `id="vitals"`, `name="from" value="encounter"`, "184/96")
	back := nurse.post(path, url.Values{"pulse_bpm": {"76"}, "from": {"encounter"}})
	wantStatus(t, back, http.StatusOK)
	if !strings.HasPrefix(back.url, "/encounters/"+enc.ID+"?m=vitals-recorded") {
		t.Errorf("after recording on the encounter page: at %s", back.url)
	}
	wantContains(t, back, "Vitals recorded.", "76 <span")

	// The chart: last vitals with a trend arrow, and the charts.
	chartPage := nurse.get("/patients/" + pt.ID)
	wantContains(t, chartPage, "Last vitals", `<th scope="row">Systolic pressure</th>`, `184 <span class="unit">mmHg</span>`, `trend-up`, "up</span> from 168", "down</span> from 102")
	tab := nurse.get("/patients/" + pt.ID + "?tab=vitals")
	wantStatus(t, tab, http.StatusOK)
	svgs := regexp.MustCompile(`(?s)<svg xmlns="http://www.w3.org/2000/svg" class="vital-chart".*?</svg>`).FindAllString(tab.body, -1)
	if len(svgs) < 4 { // BP, pulse, temperature, weight, height, BMI
		t.Fatalf("%d vital charts on the tab", len(svgs))
	}
	if err := xml.Unmarshal([]byte(svgs[0]), new(struct{})); err != nil {
		t.Errorf("the BP chart is not well-formed XML: %v", err)
	}
	wantContains(t, tab, `aria-label="Blood pressure over time, latest 184/96 mmHg on`, `role="img"`, "Normal Systolic for an adult")
	wantNotContains(t, tab, "growth-chart")                      // an adult
	wantContains(t, tab, `href="/encounters/`+enc.ID+`/vitals"`) // the open visit, to record more

	// Reception: no tab, no summary, no page, no recording.
	rc := e.signIn("rc@vitals.example")
	wantNotContains(t, rc.get("/patients/"+pt.ID), "Last vitals", "184", "?tab=vitals")
	wantStatus(t, rc.get("/patients/"+pt.ID+"?tab=vitals"), http.StatusNotFound)
	wantStatus(t, rc.get(path), http.StatusForbidden)
	wantStatus(t, rc.post(path, url.Values{"pulse_bpm": {"70"}}), http.StatusForbidden)
}

// TestVitalsDeskChild: a child under 3 gets the head circumference input,
// and the chart's Vitals tab shows the WHO growth charts.
func TestVitalsDeskChild(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("vitals-child", "Vitals Child")
	e.mustMember(p, e.mustUser("nurse@child.example", "Nurse"), medic.RoleNurse)
	c := e.mustClinic(p, "Dr Child")
	dob := today().AddDate(0, -9, 0)
	pt := e.mustPatient(p, "Naledi", "Baby", dob.String())
	pt.Sex = medic.SexFemale
	if err := e.db.UpdatePatient(tenantCtx(p), pt); err != nil {
		t.Fatal(err)
	}
	enc := e.mustEncounter(p, c, pt)
	nurse := e.signIn("nurse@child.example")
	path := "/encounters/" + enc.ID + "/vitals"
	wantContains(t, nurse.get(path), `name="head_circumference_cm"`, "ranges for an infant")
	ok := nurse.post(path, url.Values{"weight_kg": {"8,2"}, "height_cm": {"70"}, "head_circumference_cm": {"44"}})
	wantStatus(t, ok, http.StatusOK)
	tab := nurse.get("/patients/" + pt.ID + "?tab=vitals")
	wantContains(t, tab, "Weight for age (girls)", "Length/height for age (girls)", `class="growth-chart"`, "latest 8.2 kg at 9 mo")
	if n := strings.Count(tab.body, `class="growth-chart"`); n != 2 {
		t.Errorf("%d growth charts", n)
	}
}
