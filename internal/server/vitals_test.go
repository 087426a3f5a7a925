package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

// walkIn starts a draft encounter of patient at the desk's location.
func (d *desk) walkIn(t *testing.T, patient string) string {
	t.Helper()
	return want(t, d.c[medic.RoleNurse].Do("POST", d.base+"/encounters", map[string]any{"patient_id": patient, "practitioner_id": d.practitioner,
		"location_id": d.loc.ID, "stage": "assessment"}), http.StatusCreated).Str("id")
}

// flagOf returns the level of the flag for field in a vitals answer.
func flagOf(r *servertest.Response, field string) string {
	flags, _ := r.Get("flags").([]any)
	for _, f := range flags {
		m := f.(map[string]any)
		if m["field"] == field {
			return m["level"].(string)
		}
	}
	return ""
}

// TestVitalsAPI: a nurse records vitals at triage and gets the BMI and the
// flags for the patient's age band; impossible values are 422 naming the
// field and store nothing; the chart's series reads back by time range;
// a finished encounter takes no more; reception and billing get nothing.
func TestVitalsAPI(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	nurse, doctor, rc, billing := d.c[medic.RoleNurse], d.c[medic.RoleDoctor], d.c[medic.RoleReceptionist], d.c[medic.RoleBilling]
	patient := d.patient(t, "Refilwe", "") // born 1985: an adult
	enc := d.walkIn(t, patient)
	path := d.base + "/encounters/" + enc + "/vitals"

	r := want(t, nurse.Do("POST", path, map[string]any{"systolic_mmhg": 182, "diastolic_mmhg": 96, "pulse_bpm": 72, "weight_kg": 70, "height_cm": 175}), http.StatusCreated)
	if r.Get("bmi") != 22.9 || r.Str("age_band") != "adult" || r.Str("patient_id") != patient || r.Str("encounter_id") != enc ||
		r.Get("temperature_c") != nil || r.Get("systolic_mmhg") != float64(182) {
		t.Fatalf("recorded: %s", r)
	}
	if flagOf(r, "systolic_mmhg") != "critical_high" || flagOf(r, "diastolic_mmhg") != "high" || flagOf(r, "pulse_bpm") != "" || flagOf(r, "bmi") != "" {
		t.Errorf("flags: %s", r)
	}
	if msg := r.Get("flags").([]any)[0].(map[string]any)["message"].(string); !strings.Contains(msg, "182 mmHg is critically high for an adult") {
		t.Errorf("flag message %q", msg)
	}
	first := r.Str("id")

	// Impossible values: 422 naming the field; nothing stored.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"systolic_mmhg": 400, "diastolic_mmhg": 80}, "systolic_mmhg"},
		{map[string]any{"temperature_c": 55}, "temperature_c"},
		{map[string]any{"systolic_mmhg": 120, "diastolic_mmhg": 130}, "diastolic_mmhg"},
		{map[string]any{"spo2_percent": 101}, "spo2_percent"},
		{map[string]any{"pulse_bpm": -60}, "pulse_bpm"},
		{map[string]any{"head_circumference_cm": 55}, "head_circumference_cm"},
		{map[string]any{"pulse_bpm": "seventy"}, "pulse_bpm"},
		{map[string]any{"pulse_bpm": 70, "measured_at": "2031-01-01T00:00:00Z"}, "measured_at"},
	} {
		res := doctor.Do("POST", path, c.body)
		wantProblem(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(string(res.Body), `"`+c.field+`"`) {
			t.Errorf("%v: the problem does not name %s: %s", c.body, c.field, res)
		}
	}
	wantProblem(t, doctor.Do("POST", path, map[string]any{}), http.StatusUnprocessableEntity)

	// A second set 20 minutes later (measured a little earlier than recorded).
	env.Clock.Advance(20 * time.Minute) // within the session's idle timeout
	measured := env.Clock.Now().Add(-10 * time.Minute)
	second := want(t, doctor.Do("POST", path, map[string]any{"temperature_c": 38.4, "measured_at": measured.Format(time.RFC3339)}), http.StatusCreated)
	if flagOf(second, "temperature_c") != "high" {
		t.Errorf("38.4 C: %s", second)
	}

	// The series, oldest first, by range.
	list := want(t, doctor.Do("GET", d.base+"/patients/"+patient+"/vitals", nil), http.StatusOK)
	if items := list.Items(); len(items) != 2 || items[0]["id"] != first || items[1]["id"] != second.Str("id") || items[0]["bmi"] != 22.9 {
		t.Fatalf("series: %s", list)
	}
	from := d.base + "/patients/" + patient + "/vitals?from=" + measured.Add(-time.Minute).Format(time.RFC3339)
	if items := want(t, nurse.Do("GET", strings.ReplaceAll(from, "+", "%2B"), nil), http.StatusOK).Items(); len(items) != 1 {
		t.Errorf("from: %d items", len(items))
	}
	today := servertest.Start.Format("2006-01-02")
	if items := want(t, nurse.Do("GET", d.base+"/patients/"+patient+"/vitals?from="+today+"&to="+today, nil), http.StatusOK).Items(); len(items) != 2 {
		t.Errorf("today's (a 'to' date includes the day): %d items", len(items))
	}
	wantProblem(t, nurse.Do("GET", d.base+"/patients/"+patient+"/vitals?from=yesterday", nil), http.StatusUnprocessableEntity)

	// Reception and billing: refused, nothing clinical shown.
	for _, c := range []*servertest.Client{rc, billing} {
		wantProblem(t, c.Do("POST", path, map[string]any{"pulse_bpm": 70}), http.StatusForbidden)
		if res := c.Do("GET", d.base+"/patients/"+patient+"/vitals", nil); res.Status != http.StatusForbidden || strings.Contains(string(res.Body), "182") {
			t.Errorf("vitals to a non-clinical role: %s", res)
		}
	}

	// Finished: locked.
	want(t, doctor.Do("POST", d.base+"/encounters/"+enc+"/finish", nil), http.StatusOK)
	wantProblem(t, nurse.Do("POST", path, map[string]any{"pulse_bpm": 70}), http.StatusConflict)

	// Every read and write was audited against the chart.
	events := want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/audit-events?limit=200", nil), http.StatusOK).Items()
	counts := map[string]int{}
	for _, e := range events {
		if e["patient_id"] == patient {
			counts[e["action"].(string)]++
		}
	}
	if counts["vitals.recorded"] != 2 || counts["vitals.viewed"] < 3 {
		t.Errorf("audit events on the chart: %v", counts)
	}
}

// TestVitalsChild: the same numbers mean other things for a child: a
// head circumference is taken, the WHO growth standard flags a low weight,
// and a pulse normal for an adult is low for an infant.
func TestVitalsChild(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	dob := servertest.Start.AddDate(0, -6, 0).Format("2006-01-02")
	child := want(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/patients", map[string]any{
		"given_name": "Lesedi", "family_name": "Molefe", "date_of_birth": dob, "sex": "female"}), http.StatusCreated).Str("id")
	enc := d.walkIn(t, child)
	r := want(t, d.c[medic.RoleNurse].Do("POST", d.base+"/encounters/"+enc+"/vitals", map[string]any{
		"weight_kg": 5.4, "height_cm": 65.5, "head_circumference_cm": 42, "pulse_bpm": 72, "temperature_c": 37.2}), http.StatusCreated)
	if r.Str("age_band") != "infant" || flagOf(r, "weight_kg") != "low" || flagOf(r, "height_cm") != "" || flagOf(r, "pulse_bpm") != "low" ||
		flagOf(r, "temperature_c") != "" || flagOf(r, "bmi") != "" {
		t.Errorf("infant's flags: %s", r)
	}
}
