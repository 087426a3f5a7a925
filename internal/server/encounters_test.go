package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/server/servertest"
)

// TestEncounterFlow: a checked-in appointment becomes a visit (the
// appointment goes in progress), moves through the queue, is written up
// with a stale-version guard, finished by the doctor (the appointment is
// completed) and is then locked: a PATCH is 409, an addendum is kept with
// its author and reason beside the original.
func TestEncounterFlow(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	// Thursday 08:50, the day of the visit (check-in is only on the day);
	// the sessions are signed in again after the jump.
	env.Clock.Set(time.Date(2030, 3, 7, 6, 50, 0, 0, time.UTC))
	for _, role := range medic.Roles {
		d.c[role] = env.Login(t, string(role)+"@sunrise.example", pw)
	}
	nurse, doctor, rc, billing := d.c[medic.RoleNurse], d.c[medic.RoleDoctor], d.c[medic.RoleReceptionist], d.c[medic.RoleBilling]
	patient := d.patient(t, "Lindiwe", "")
	ap := d.book(t, patient, thu0900)

	// Not checked in yet: no visit.
	wantProblem(t, nurse.Do("POST", d.base+"/encounters", map[string]any{"appointment_id": ap}), http.StatusConflict)
	want(t, rc.Do("POST", d.base+"/appointments/"+ap+"/check-in", nil), http.StatusOK)
	// Reception cannot open the clinical record.
	wantProblem(t, rc.Do("POST", d.base+"/encounters", map[string]any{"appointment_id": ap}), http.StatusForbidden)

	e := want(t, nurse.Do("POST", d.base+"/encounters", map[string]any{"appointment_id": ap}), http.StatusCreated)
	id := e.Str("id")
	if e.Str("status") != "draft" || e.Str("stage") != "registration" || e.Str("patient_id") != patient || e.Str("appointment_id") != ap ||
		e.Str("practitioner_id") != d.practitioner || e.Str("location_id") != d.loc.ID || e.Get("version") != float64(1) || e.Str("soap.plan") != "" {
		t.Fatalf("new encounter: %s", e)
	}
	if r := want(t, rc.Do("GET", d.base+"/appointments/"+ap, nil), http.StatusOK); r.Str("status") != "in_progress" {
		t.Errorf("appointment after starting the visit: %s", r)
	}
	// One open visit per appointment.
	wantProblem(t, doctor.Do("POST", d.base+"/encounters", map[string]any{"appointment_id": ap}), http.StatusConflict)

	// The queue board: reception sees who waits where, never the note, and
	// hands the patient to triage; it may not move the visit further.
	env.Clock.Advance(7 * time.Minute)
	q := want(t, rc.Do("GET", d.base+"/queue?location="+d.loc.ID, nil), http.StatusOK)
	if items := q.Items(); len(items) != 1 || items[0]["id"] != id || items[0]["stage"] != "registration" || items[0]["waiting_minutes"] != float64(7) ||
		!strings.HasPrefix(items[0]["patient_name"].(string), "Lindiwe ") || items[0]["practitioner_name"] != "Dr Naledi Dlamini" {
		t.Fatalf("queue: %s", q)
	}
	if strings.Contains(string(q.Body), "soap") {
		t.Errorf("the queue carries a note: %s", q)
	}
	want(t, rc.Do("POST", d.base+"/encounters/"+id+"/stage", map[string]any{"stage": "assessment"}), http.StatusOK)
	wantProblem(t, rc.Do("POST", d.base+"/encounters/"+id+"/stage", map[string]any{"stage": "consultation"}), http.StatusForbidden)
	wantProblem(t, billing.Do("POST", d.base+"/encounters/"+id+"/stage", map[string]any{"stage": "consultation"}), http.StatusForbidden)
	wantProblem(t, rc.Do("GET", d.base+"/encounters/"+id, nil), http.StatusForbidden)
	wantProblem(t, billing.Do("GET", d.base+"/encounters?patient="+patient, nil), http.StatusForbidden)
	if r := want(t, nurse.Do("GET", d.base+"/queue", nil), http.StatusOK); r.Str("items.0.stage") != "assessment" || r.Get("items.0.waiting_minutes") != float64(0) {
		t.Errorf("queue after the stage change: %s", r)
	}

	// The nurse writes the subjective part; the doctor, on the version
	// read, the rest; a save on an older version is refused.
	r := want(t, nurse.Do("PATCH", d.base+"/encounters/"+id, map[string]any{"soap": map[string]any{"subjective": "Headache for three days"}, "version": 2}), http.StatusOK)
	if r.Get("version") != float64(3) || r.Str("soap.subjective") != "Headache for three days" {
		t.Fatalf("nurse's save: %s", r)
	}
	r = want(t, doctor.Do("PATCH", d.base+"/encounters/"+id, map[string]any{"stage": "consultation", "version": 3,
		"soap": map[string]any{"assessment": "Tension headache", "plan": "Paracetamol 1 g six-hourly\nReturn if worse"}}), http.StatusOK)
	if r.Str("stage") != "consultation" || r.Str("soap.subjective") != "Headache for three days" || r.Str("soap.plan") != "Paracetamol 1 g six-hourly\nReturn if worse" {
		t.Fatalf("doctor's save: %s", r)
	}
	stale := nurse.Do("PATCH", d.base+"/encounters/"+id, map[string]any{"soap": map[string]any{"plan": "overwritten"}, "version": 3})
	wantProblem(t, stale, http.StatusConflict)
	if !strings.Contains(string(stale.Body), `"version"`) {
		t.Errorf("stale save does not name the version: %s", stale)
	}
	// Bad input names the field.
	wantProblem(t, doctor.Do("PATCH", d.base+"/encounters/"+id, map[string]any{"stage": "lunch"}), http.StatusUnprocessableEntity)
	bad := doctor.Do("PATCH", d.base+"/encounters/"+id, map[string]any{"soap": map[string]any{"plan": strings.Repeat("x", medic.MaxSOAPLength+1)}})
	wantProblem(t, bad, http.StatusUnprocessableEntity)
	if !strings.Contains(string(bad.Body), `"soap.plan"`) {
		t.Errorf("too long a plan: %s", bad)
	}

	// The nurse cannot finish; the doctor does.
	wantProblem(t, nurse.Do("POST", d.base+"/encounters/"+id+"/finish", nil), http.StatusForbidden)
	wantProblem(t, doctor.Do("POST", d.base+"/encounters/"+id+"/addenda", map[string]any{"text": "x", "reason": "y"}), http.StatusConflict)
	env.Clock.Advance(20 * time.Minute)
	r = want(t, doctor.Do("POST", d.base+"/encounters/"+id+"/finish", map[string]any{"version": 4}), http.StatusOK)
	if r.Str("status") != "finished" || r.Str("finished_at") == "" || r.Str("finished_by") == "" || r.Str("stage") != "closure" {
		t.Fatalf("finished: %s", r)
	}
	if r := want(t, rc.Do("GET", d.base+"/appointments/"+ap, nil), http.StatusOK); r.Str("status") != "completed" {
		t.Errorf("appointment after finishing: %s", r)
	}
	if r := want(t, rc.Do("GET", d.base+"/queue", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Errorf("a finished visit is still queued: %s", r)
	}

	// Locked: a PATCH is 409 and changes nothing; so is finishing again.
	locked := doctor.Do("PATCH", d.base+"/encounters/"+id, map[string]any{"soap": map[string]any{"plan": "changed"}})
	wantProblem(t, locked, http.StatusConflict)
	if !strings.Contains(string(locked.Body), "addendum") {
		t.Errorf("409 does not point to addenda: %s", locked)
	}
	wantProblem(t, doctor.Do("POST", d.base+"/encounters/"+id+"/finish", nil), http.StatusConflict)
	wantProblem(t, doctor.Do("POST", d.base+"/encounters/"+id+"/stage", map[string]any{"stage": "counselling"}), http.StatusConflict)

	// An addendum needs text and a reason; then it is kept with author and time.
	if r := doctor.Do("POST", d.base+"/encounters/"+id+"/addenda", map[string]any{"text": "BP 150/95 on recheck"}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"reason"`) {
		t.Errorf("addendum without a reason: %s", r)
	}
	ad := want(t, doctor.Do("POST", d.base+"/encounters/"+id+"/addenda", map[string]any{"text": "BP 150/95 on recheck", "reason": "Reading taken after the patient left"}), http.StatusCreated)
	if ad.Str("author_name") == "" || ad.Str("at") == "" {
		t.Errorf("addendum: %s", ad)
	}
	got := want(t, nurse.Do("GET", d.base+"/encounters/"+id, nil), http.StatusOK)
	if got.Str("soap.plan") != "Paracetamol 1 g six-hourly\nReturn if worse" || got.Str("addenda.0.text") != "BP 150/95 on recheck" ||
		got.Str("addenda.0.reason") != "Reading taken after the patient left" || got.Str("addenda.0.author_name") != ad.Str("author_name") {
		t.Errorf("encounter with its addendum: %s", got)
	}

	// The chart's history lists it; the reads and writes were audited.
	list := want(t, doctor.Do("GET", d.base+"/encounters?patient="+patient+"&status=finished", nil), http.StatusOK)
	if items := list.Items(); len(items) != 1 || items[0]["id"] != id {
		t.Errorf("patient's finished encounters: %s", list)
	}
	owner, err := pgx.Connect(context.Background(), env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	rows, err := owner.Query(context.Background(), `SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for rows.Next() {
		var a string
		_ = rows.Scan(&a)
		actions = append(actions, a)
	}
	rows.Close()
	for _, w := range []string{"encounter.created", "encounter.stage", "encounter.updated", "encounter.finished", "encounter.amended", "encounter.viewed"} {
		if !strings.Contains(strings.Join(actions, " "), w) {
			t.Errorf("no %s audit event (got %v)", w, actions)
		}
	}
	// The queue board and the chart's list name the patient they showed.
	var named []string
	rows, err = owner.Query(context.Background(), `SELECT DISTINCT action FROM audit_events WHERE $1 = ANY(patient_ids) ORDER BY action`, patient)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		_ = rows.Scan(&a)
		named = append(named, a)
	}
	rows.Close()
	if got := strings.Join(named, " "); !strings.Contains(got, "queue.viewed") || !strings.Contains(got, "encounter.listed") {
		t.Errorf("list events naming the patient: %v, want queue.viewed and encounter.listed", named)
	}
}

// TestEncounterWalkInAndTemplates: a walk-in names patient, practitioner
// and location (each checked, by field); a template pre-fills the note;
// admins manage the practice's templates.
func TestEncounterWalkInAndTemplates(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	admin, doctor, nurse := d.c[medic.RoleAdmin], d.c[medic.RoleDoctor], d.c[medic.RoleNurse]
	patient := d.patient(t, "Sipho", "")

	r := doctor.Do("POST", d.base+"/encounters", map[string]any{"patient_id": patient})
	wantProblem(t, r, http.StatusUnprocessableEntity)
	for _, f := range []string{`"practitioner_id"`, `"location_id"`} {
		if !strings.Contains(string(r.Body), f) {
			t.Errorf("walk-in without %s: %s", f, r)
		}
	}
	r = doctor.Do("POST", d.base+"/encounters", map[string]any{"patient_id": newUUID(), "practitioner_id": d.practitioner, "location_id": d.loc.ID})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"patient_id"`) {
		t.Errorf("walk-in with an unknown patient: %s", r)
	}

	ts := want(t, nurse.Do("GET", d.base+"/encounter-templates", nil), http.StatusOK).Items()
	names := []string{}
	var antenatal string
	for _, it := range ts {
		names = append(names, it["name"].(string))
		if it["name"] == "Antenatal visit" {
			antenatal = it["id"].(string)
		}
	}
	if len(ts) != 4 || antenatal == "" {
		t.Fatalf("shipped templates: %v", names)
	}
	e := want(t, doctor.Do("POST", d.base+"/encounters", map[string]any{"patient_id": patient, "practitioner_id": d.practitioner,
		"location_id": d.loc.ID, "template_id": antenatal, "stage": "consultation"}), http.StatusCreated)
	if !strings.Contains(e.Str("soap.objective"), "Symphysis-fundal height") || e.Get("appointment_id") != nil || e.Str("stage") != "consultation" {
		t.Errorf("walk-in from the antenatal template: %s", e)
	}

	// Admins add, rename and retire templates; others may not.
	wantProblem(t, doctor.Do("POST", d.base+"/encounter-templates", map[string]any{"name": "Travel clinic"}), http.StatusForbidden)
	wantProblem(t, admin.Do("POST", d.base+"/encounter-templates", map[string]any{"name": " "}), http.StatusUnprocessableEntity)
	wantProblem(t, admin.Do("POST", d.base+"/encounter-templates", map[string]any{"name": "Antenatal visit"}), http.StatusConflict)
	tpl := want(t, admin.Do("POST", d.base+"/encounter-templates", map[string]any{"name": "Travel clinic", "soap": map[string]any{"plan": "Vaccines given:"}}), http.StatusCreated)
	want(t, admin.Do("PATCH", d.base+"/encounter-templates/"+tpl.Str("id"), map[string]any{"active": false}), http.StatusOK)
	if n := len(want(t, nurse.Do("GET", d.base+"/encounter-templates", nil), http.StatusOK).Items()); n != 4 {
		t.Errorf("active templates after retiring one: %d", n)
	}
	if n := len(want(t, admin.Do("GET", d.base+"/encounter-templates?all=true", nil), http.StatusOK).Items()); n != 5 {
		t.Errorf("all templates: %d", n)
	}
}
