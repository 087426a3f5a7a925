package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

// items lists a response's items' values at key.
func itemValues(r *servertest.Response, key string) []string {
	var out []string
	for _, it := range r.Items() {
		out = append(out, fmt.Sprint(it[key]))
	}
	return out
}

func TestAllergiesAndConditions(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	other := newDesk(t, env, "harbour")
	doctor, nurse, rc := d.c[medic.RoleDoctor], d.c[medic.RoleNurse], d.c[medic.RoleReceptionist]
	id := d.patient(t, "Lerato", "")
	base := d.base + "/patients/" + id

	// A chart nobody asked has no entries and no statement.
	r := want(t, nurse.Do("GET", base+"/allergies", nil), http.StatusOK)
	if len(r.Items()) != 0 || r.Get("no_known_allergies") != nil || !strings.Contains(string(r.Body), `"no_known_allergies":null`) {
		t.Fatalf("fresh chart: %s", r)
	}
	// "No known allergies" is a statement with its author.
	r = want(t, doctor.Do("POST", base+"/allergies/none-known", nil), http.StatusCreated)
	if r.Str("recorded_by") != d.members[medic.RoleDoctor].UserID || r.Str("recorded_at") == "" {
		t.Errorf("statement: %s", r)
	}
	if r := want(t, nurse.Do("GET", base+"/allergies", nil), http.StatusOK); r.Str("no_known_allergies.recorded_by_name") == "" {
		t.Errorf("statement not listed: %s", r)
	}

	// Recording an allergy withdraws the statement; its fields come back.
	wantProblem(t, doctor.Do("POST", base+"/allergies", map[string]any{"substance": " ", "severity": "awful"}), http.StatusUnprocessableEntity)
	r = want(t, doctor.Do("POST", base+"/allergies", map[string]any{"substance": " Penicillin ", "reaction": "Anaphylaxis", "severity": "severe"}), http.StatusCreated)
	pen := r.Str("id")
	if r.Str("substance") != "Penicillin" || r.Str("status") != "active" || r.Str("recorded_by_name") == "" {
		t.Errorf("allergy: %s", r)
	}
	wantProblem(t, doctor.Do("POST", base+"/allergies", map[string]any{"substance": "penicillin", "severity": "mild"}), http.StatusConflict)
	if r := want(t, nurse.Do("GET", base+"/allergies", nil), http.StatusOK); r.Get("no_known_allergies") != nil || len(r.Items()) != 1 {
		t.Errorf("after recording: %s", r)
	}
	wantProblem(t, doctor.Do("POST", base+"/allergies/none-known", nil), http.StatusConflict)
	// The chart's allergies field is derived from the record.
	if a := fmt.Sprint(want(t, nurse.Do("GET", base, nil), http.StatusOK).Get("allergies")); a != "[Penicillin]" {
		t.Errorf("chart allergies %s", a)
	}

	// Nurses read but do not record; reception and billing see nothing.
	wantProblem(t, nurse.Do("POST", base+"/allergies", map[string]any{"substance": "Latex", "severity": "mild"}), http.StatusForbidden)
	wantProblem(t, rc.Do("GET", base+"/allergies", nil), http.StatusForbidden)
	wantProblem(t, d.c[medic.RoleBilling].Do("GET", base+"/conditions", nil), http.StatusForbidden)

	// Problems are coded from the catalog, with its title.
	wantProblem(t, doctor.Do("POST", base+"/conditions", map[string]any{"code": "Q99.99"}), http.StatusUnprocessableEntity)
	wantProblem(t, doctor.Do("POST", base+"/conditions", map[string]any{"code": "E11.9", "onset": "2999-01-01"}), http.StatusUnprocessableEntity)
	r = want(t, doctor.Do("POST", base+"/conditions", map[string]any{"code": "e119", "onset": "2019-03-01", "note": "On metformin"}), http.StatusCreated)
	dm := r.Str("id")
	if r.Str("code") != "E11.9" || r.Str("title") != "Type 2 diabetes mellitus without complications" || r.Str("onset") != "2019-03-01" {
		t.Errorf("condition: %s", r)
	}
	want(t, doctor.Do("POST", base+"/conditions", map[string]any{"code": "I10"}), http.StatusCreated)
	if c := fmt.Sprint(want(t, nurse.Do("GET", base, nil), http.StatusOK).Get("chronic_conditions")); c != "[Type 2 diabetes mellitus without complications Essential (primary) hypertension]" {
		t.Errorf("chart conditions %s", c)
	}
	want(t, doctor.Do("PATCH", base+"/conditions/"+dm, map[string]any{"status": "resolved"}), http.StatusOK)
	wantProblem(t, doctor.Do("PATCH", base+"/conditions/"+dm, map[string]any{"status": "gone"}), http.StatusUnprocessableEntity)
	if got := itemValues(want(t, nurse.Do("GET", base+"/conditions", nil), http.StatusOK), "status"); fmt.Sprint(got) != "[active resolved]" {
		t.Errorf("conditions (active first) %v", got)
	}

	// The chart's lists stay writable (older clients): what is added is
	// recorded (severity moderate), what is left out becomes inactive.
	want(t, doctor.Do("PATCH", base, map[string]any{"allergies": []string{"Sulfa"}}), http.StatusOK)
	r = want(t, nurse.Do("GET", base+"/allergies", nil), http.StatusOK)
	if got := fmt.Sprint(itemValues(r, "substance"), itemValues(r, "status"), itemValues(r, "severity")); got != "[Penicillin Sulfa] [inactive active] [severe moderate]" {
		t.Errorf("after a list edit: %s", got)
	}
	want(t, doctor.Do("PATCH", base+"/allergies/"+pen, map[string]any{"status": "active"}), http.StatusOK)
	if a := fmt.Sprint(want(t, nurse.Do("GET", base, nil), http.StatusOK).Get("allergies")); a != "[Penicillin Sulfa]" {
		t.Errorf("chart allergies after reactivating %s", a)
	}

	// Another practice's member gets 404 for everything of this chart.
	ob := "/api/v1/practices/harbour/patients/" + id
	for _, res := range []*servertest.Response{
		other.c[medic.RoleAdmin].Do("GET", ob+"/allergies", nil),
		other.c[medic.RoleAdmin].Do("GET", ob+"/conditions", nil),
		other.c[medic.RoleAdmin].Do("POST", ob+"/allergies", map[string]any{"substance": "Latex", "severity": "mild"}),
		other.c[medic.RoleAdmin].Do("POST", ob+"/allergies/none-known", nil),
		other.c[medic.RoleAdmin].Do("PATCH", ob+"/allergies/"+pen, map[string]any{"status": "inactive"}),
		other.c[medic.RoleAdmin].Do("POST", ob+"/conditions", map[string]any{"code": "I10"}),
		other.c[medic.RoleAdmin].Do("PATCH", ob+"/conditions/"+dm, map[string]any{"status": "active"}),
		other.c[medic.RoleAdmin].Do("GET", d.base+"/patients/"+id+"/allergies", nil),
	} {
		wantProblem(t, res, http.StatusNotFound)
	}
	// An entry named under another chart of the same practice is not found either.
	id2 := d.patient(t, "Sipho", "")
	wantProblem(t, doctor.Do("PATCH", d.base+"/patients/"+id2+"/allergies/"+pen, map[string]any{"status": "inactive"}), http.StatusNotFound)
	if a := fmt.Sprint(want(t, nurse.Do("GET", base, nil), http.StatusOK).Get("allergies")); a != "[Penicillin Sulfa]" {
		t.Errorf("allergies changed by refused requests: %s", a)
	}
}

// TestSevereAllergyBannerOnTheDesk: the chart page shows a severe allergy
// as a banner to clinical roles, never to reception; the desk forms record
// allergies and problems (with the ICD-10 typeahead).
func TestSevereAllergyBannerOnTheDesk(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	doctor := d.c[medic.RoleDoctor]
	id := d.patient(t, "Lerato", "")
	page := "/patients/" + id

	if body := string(want(t, doctor.Do("GET", page, nil), http.StatusOK).Body); strings.Contains(body, "Severe allergy") || !strings.Contains(body, "Not yet asked") {
		t.Errorf("fresh chart page: banner or statement wrong")
	}
	r := postForm(doctor, page+"/allergies", url.Values{"substance": {"Penicillin"}, "severity": {""}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "Choose mild, moderate or severe.") || !strings.Contains(string(r.Body), `value="Penicillin"`) {
		t.Errorf("invalid desk allergy: %s", r)
	}
	want(t, postForm(doctor, page+"/allergies", url.Values{"substance": {"Penicillin"}, "reaction": {"Anaphylaxis"}, "severity": {"severe"}}), http.StatusSeeOther)
	for _, role := range []medic.Role{medic.RoleAdmin, medic.RoleDoctor, medic.RoleNurse} {
		body := string(want(t, d.c[role].Do("GET", page, nil), http.StatusOK).Body)
		if !strings.Contains(body, `<div class="alert allergy-banner" role="alert"><strong>Severe allergy:</strong> Penicillin</div>`) {
			t.Errorf("%s: no banner on the chart", role)
		}
	}
	for _, role := range []medic.Role{medic.RoleReceptionist, medic.RoleBilling} {
		body := string(want(t, d.c[role].Do("GET", page, nil), http.StatusOK).Body)
		if strings.Contains(body, "Penicillin") || strings.Contains(body, "Severe allergy") {
			t.Errorf("%s sees the allergy", role)
		}
	}

	// The typeahead answers with choosable codes; a problem is added by code.
	opts := string(want(t, doctor.Do("GET", "/icd10?q=diabetes+type+2", nil), http.StatusOK).Body)
	if !strings.Contains(opts, `type="radio" name="code" value="E11.9"`) {
		t.Errorf("typeahead: %s", opts)
	}
	if r := want(t, d.c[medic.RoleReceptionist].Do("GET", "/icd10?q=diabetes", nil), http.StatusForbidden); strings.Contains(string(r.Body), "E11") {
		t.Error("reception got codes")
	}
	r = postForm(doctor, page+"/conditions", url.Values{"q": {"diab"}, "onset": {"31/12/2020"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "Use a date like") {
		t.Errorf("bad onset: %s", r)
	}
	want(t, postForm(doctor, page+"/conditions", url.Values{"q": {"diab"}, "code": {"E11.9"}}), http.StatusSeeOther)
	want(t, postForm(doctor, page+"/allergies/none-known", url.Values{}), http.StatusConflict)
	body := string(want(t, doctor.Do("GET", page, nil), http.StatusOK).Body)
	if !strings.Contains(body, "<strong>E11.9</strong> Type 2 diabetes mellitus without complications") {
		t.Errorf("problem list lacks the new problem")
	}
	// A nurse reads the lists but is offered no form.
	body = string(want(t, d.c[medic.RoleNurse].Do("GET", page, nil), http.StatusOK).Body)
	if !strings.Contains(body, "E11.9") || strings.Contains(body, `action="/patients/`+id+`/allergies"`) {
		t.Errorf("nurse's chart page: list missing or form offered")
	}
}
