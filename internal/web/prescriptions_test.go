package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"medic"
)

var prescriptionPath = regexp.MustCompile(`^/prescriptions/([0-9a-f-]{36})`)

// TestPrescribingAtTheDesk: a doctor prescribes amoxicillin for a patient
// with a severe penicillin allergy, sees the alert and the banner, goes
// ahead with a reason; the chart lists it as a current medicine and in the
// timeline; "Repeat last prescription" fills the form; a cancel needs a
// reason.
func TestPrescribingAtTheDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Dr Naidoo"), medic.RoleDoctor)
	e.mustMember(p, e.mustUser("nurse@sunrise.example", "Sister Dube"), medic.RoleNurse)
	cl := e.mustClinic(p, "Dr Naidoo")
	pt := e.mustPatient(p, "Ayanda", "Khoza", "1979-04-02")
	doc, nurse := e.signIn("doc@sunrise.example"), e.signIn("nurse@sunrise.example")
	wantStatus(t, doc.post("/patients/"+pt.ID+"/allergies", url.Values{"substance": {"Penicillin"}, "severity": {"severe"}, "reaction": {"Anaphylaxis"}}), http.StatusOK)
	visit := doc.post("/patients/"+pt.ID+"/walk-in", url.Values{"practitioner_id": {cl.pr.ID}, "location_id": {cl.loc.ID}, "stage": {"consultation"}})
	enc := encounterID(t, visit)
	wantContains(t, visit, `href="/encounters/`+enc+`/prescriptions/new">Prescribe</a>`)
	wantNotContains(t, nurse.get("/encounters/"+enc), ">Prescribe</a>")

	form := doc.get("/encounters/" + enc + "/prescriptions/new")
	wantStatus(t, form, http.StatusOK)
	wantContains(t, form, `hx-get="/medicines/suggest"`, `list="medicine-labels"`, "Severe allergy", "Penicillin")
	wantNotContains(t, form, `<option value="Amoxicillin 250 mg/5 ml suspension">`) // the list comes as one types
	// The typeahead offers the matches of what is typed in a row, and
	// nothing for nothing typed.
	sug := doc.get("/medicines/suggest?medicine_2=amoxi+susp")
	wantStatus(t, sug, http.StatusOK)
	wantContains(t, sug, `<option value="Amoxicillin 250 mg/5 ml suspension">`)
	wantNotContains(t, sug, "Paracetamol")
	if n := strings.Count(doc.get("/medicines/suggest?q=a").body, "<option"); n == 0 || n > 15 {
		t.Errorf("a one-letter query offers %d medicines, want 1..15", n)
	}
	wantNotContains(t, doc.get("/medicines/suggest?medicine_0=+"), "<option")
	rx := url.Values{"medicine_0": {"Amoxicillin 250 mg/5 ml suspension"}, "dose_0": {"10 ml"}, "frequency_0": {"tds"}, "days_0": {"5"}, "quantity_0": {"100 ml"},
		"medicine_1": {"Paracetamol 500 mg tablet"}, "dose_1": {"1 tablet"}, "frequency_1": {"qid"}, "days_1": {"3"}}
	r := doc.post("/encounters/"+enc+"/prescriptions/new", rx)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Check before issuing", "Recorded severe allergy to Penicillin", "Reason to go ahead despite the alert", `value="10 ml"`, `value="Paracetamol 500 mg tablet"`)

	// With a reason it is issued; the page shows the alert and the reason.
	rx.Set("override_0", "Took amoxicillin in 2024 without reaction")
	r = doc.post("/encounters/"+enc+"/prescriptions/new", rx)
	wantStatus(t, r, http.StatusOK)
	m := prescriptionPath.FindStringSubmatch(r.url)
	if m == nil {
		t.Fatalf("not a prescription page: %s", r.url)
	}
	wantContains(t, r, "Prescription issued.", "Amoxicillin 250 mg/5 ml suspension", "Reason given: Took amoxicillin in 2024", "Paracetamol 500 mg tablet", "Cancel this prescription")
	wantNotContains(t, nurse.get(r.url), "Cancel this prescription")

	// The chart: current medicines and the timeline.
	chart := doc.get("/patients/" + pt.ID)
	wantContains(t, chart, "Current medicines", "Amoxicillin 250 mg/5 ml suspension: 10 ml tds", "Alert overridden", "Prescription: Amoxicillin 250 mg/5 ml suspension, 10 ml tds for 5 days")

	// Repeat last prescription fills the rows.
	wantContains(t, doc.get("/encounters/"+enc+"/prescriptions/new?repeat=1"), "The medicines of the last prescription are filled in", `value="Amoxicillin 250 mg/5 ml suspension"`, `value="100 ml"`)

	// A mistyped medicine and a missing dose are named on their row.
	bad := doc.post("/encounters/"+enc+"/prescriptions/new", url.Values{"medicine_0": {"Amoxicilin"}, "dose_0": {"5 ml"}, "frequency_0": {"tds"}, "days_0": {"5"},
		"medicine_1": {"Paracetamol 500 mg tablet"}, "frequency_1": {"qid"}, "days_1": {"3"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantContains(t, bad, "Choose a medicine from the list.", "Give the dose, such as 500 mg or 5 ml.")

	// Cancel: a reason is required; then it is no longer current.
	wantStatus(t, doc.post("/prescriptions/"+m[1]+"/cancel", url.Values{"reason": {""}}), http.StatusUnprocessableEntity)
	r = doc.post("/prescriptions/"+m[1]+"/cancel", url.Values{"reason": {"Changed to azithromycin"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Prescription cancelled.", "Changed to azithromycin")
	wantContains(t, doc.get("/patients/"+pt.ID), "None from prescriptions issued here.", "Prescription (cancelled: Changed to azithromycin)")
}
