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

func TestEncounterDiagnoses(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	doctor, nurse := d.c[medic.RoleDoctor], d.c[medic.RoleNurse]
	patient := d.patient(t, "Lerato", "")
	newEncounter := func() string {
		return want(t, d.c[medic.RoleAdmin].Do("POST", d.base+"/encounters", map[string]any{"patient_id": patient,
			"practitioner_id": d.practitioner, "location_id": d.loc.ID, "stage": "consultation"}), http.StatusCreated).Str("id")
	}
	enc := newEncounter()
	dx := d.base + "/encounters/" + enc + "/diagnoses"

	r := want(t, doctor.Do("POST", dx, map[string]any{"code": "j069", "primary": true}), http.StatusCreated)
	if r.Str("code") != "J06.9" || r.Get("primary") != true || r.Str("title") != "Acute upper respiratory infection, unspecified" || r.Str("patient_id") != patient {
		t.Errorf("added: %s", r)
	}
	want(t, doctor.Do("POST", dx, map[string]any{"code": "I10"}), http.StatusCreated)
	wantProblem(t, doctor.Do("POST", dx, map[string]any{"code": "W54.9", "primary": true}), http.StatusUnprocessableEntity) // an external cause
	bite := want(t, doctor.Do("POST", dx, map[string]any{"code": "W54.9"}), http.StatusCreated).Str("id")
	wantProblem(t, doctor.Do("POST", dx, map[string]any{"code": "J06.9"}), http.StatusConflict)
	wantProblem(t, doctor.Do("POST", dx, map[string]any{"code": "Q99.99"}), http.StatusUnprocessableEntity)
	wantProblem(t, doctor.Do("POST", dx, map[string]any{"code": "not a code"}), http.StatusUnprocessableEntity)
	// A new primary makes the former one secondary: one primary at most.
	want(t, doctor.Do("POST", dx, map[string]any{"code": "E11.9", "primary": true}), http.StatusCreated)
	r = want(t, nurse.Do("GET", dx, nil), http.StatusOK)
	if got := fmt.Sprint(itemValues(r, "code"), itemValues(r, "primary")); got != "[E11.9 J06.9 I10 W54.9] [true false false false]" {
		t.Errorf("list: %s", got)
	}
	if !strings.Contains(string(r.Body), `"recorded_by_name"`) {
		t.Errorf("clinical list lacks the recorder: %s", r)
	}

	// A nurse may not diagnose; billing reads the codes only; reception nothing.
	wantProblem(t, nurse.Do("POST", dx, map[string]any{"code": "R51"}), http.StatusForbidden)
	r = want(t, d.c[medic.RoleBilling].Do("GET", dx, nil), http.StatusOK)
	if len(r.Items()) != 4 || strings.Contains(string(r.Body), "recorded_by") {
		t.Errorf("billing's list: %s", r)
	}
	wantProblem(t, d.c[medic.RoleReceptionist].Do("GET", dx, nil), http.StatusForbidden)

	// Removed while a draft; locked once finished.
	want(t, doctor.Do("DELETE", dx+"/"+bite, nil), http.StatusNoContent)
	wantProblem(t, doctor.Do("DELETE", dx+"/"+bite, nil), http.StatusNotFound)
	want(t, doctor.Do("POST", d.base+"/encounters/"+enc+"/finish", nil), http.StatusOK)
	wantProblem(t, doctor.Do("POST", dx, map[string]any{"code": "R51"}), http.StatusConflict)
	first := want(t, nurse.Do("GET", dx, nil), http.StatusOK).Items()[0]["id"].(string)
	wantProblem(t, doctor.Do("DELETE", dx+"/"+first, nil), http.StatusConflict)
	// A diagnosis of one encounter is not found under another.
	enc2 := newEncounter()
	wantProblem(t, doctor.Do("DELETE", d.base+"/encounters/"+enc2+"/diagnoses/"+first, nil), http.StatusNotFound)

	// The desk: the typeahead form on the encounter's diagnoses page.
	page := "/encounters/" + enc2 + "/diagnoses"
	body := string(want(t, doctor.Do("GET", page, nil), http.StatusOK).Body)
	for _, s := range []string{`hx-get="/icd10?name=diagnosis_code"`, "No diagnosis yet.", `name="primary" type="checkbox" value="on" checked`} {
		if !strings.Contains(body, s) {
			t.Errorf("diagnoses page lacks %q", s)
		}
	}
	opts := string(want(t, doctor.Do("GET", "/icd10?name=diagnosis_code&q=acute+upper+resp", nil), http.StatusOK).Body)
	if !strings.Contains(opts, `name="diagnosis_code" value="J06.9"`) {
		t.Errorf("typeahead: %s", opts)
	}
	r = postForm(doctor, page, url.Values{"q": {"zzz"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "choose one of the matches") {
		t.Errorf("no code chosen: %s", r)
	}
	want(t, postForm(doctor, page, url.Values{"q": {"j06"}, "diagnosis_code": {"J06.9"}, "primary": {"on"}}), http.StatusSeeOther)
	body = string(want(t, nurse.Do("GET", page, nil), http.StatusOK).Body)
	if !strings.Contains(body, "<strong>J06.9</strong> Acute upper respiratory infection, unspecified") || strings.Contains(body, `action="/encounters/`+enc2+`/diagnoses"`) {
		t.Errorf("nurse's page: list missing or form offered")
	}
	want(t, d.c[medic.RoleReceptionist].Do("GET", page, nil), http.StatusForbidden)

	// The encounter page embeds the section (Alt+D focuses its search) and
	// shows the severe-allergy banner; adding there returns there.
	want(t, doctor.Do("POST", d.base+"/patients/"+patient+"/allergies", map[string]any{"substance": "Penicillin", "severity": "severe"}), http.StatusCreated)
	body = string(want(t, doctor.Do("GET", "/encounters/"+enc2, nil), http.StatusOK).Body)
	for _, s := range []string{`id="diagnosis-q"`, `<input type="hidden" name="back" value="encounter">`, "<strong>J06.9</strong>", "Severe allergy:</strong> Penicillin", "<kbd>D</kbd>"} {
		if !strings.Contains(body, s) {
			t.Errorf("encounter page lacks %q", s)
		}
	}
	r = want(t, postForm(doctor, page, url.Values{"diagnosis_code": {"R51"}, "back": {"encounter"}}), http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/encounters/"+enc2+"?m=diagnosis-added#diagnoses" {
		t.Errorf("after adding on the encounter page: %q", loc)
	}
}
