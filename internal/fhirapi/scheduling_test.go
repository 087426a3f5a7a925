package fhirapi_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"medic/internal/fhir"
)

// scheduling adds to A a practitioner (assigned to locA) with Thursday
// 09:00-12:00 rules of 30-minute slots, one place each, and a 30-minute type.
func (f *fx) scheduling(t *testing.T) (practitioner, typ string) {
	t.Helper()
	admin := f.env.Login(t, "admin@alpha.example", pw)
	base := "/api/v1/practices/alpha"
	practitioner = want(t, admin.Do("POST", base+"/practitioners", map[string]any{
		"name": "Dr Naledi Dlamini", "specialty": "General practice", "registration_number": "MP0123456", "location_ids": []string{f.locA.ID},
	}), http.StatusCreated).Str("id")
	typ = want(t, admin.Do("POST", base+"/appointment-types", map[string]any{"name": "Consultation", "duration_minutes": 30}), http.StatusCreated).Str("id")
	want(t, admin.Do("POST", base+"/schedules", map[string]any{"practitioner_id": practitioner, "location_id": f.locA.ID, "weekday": "thursday",
		"start": "09:00", "end": "12:00", "slot_minutes": 30, "capacity": 1, "effective_from": "2030-03-01"}), http.StatusCreated)
	return practitioner, typ
}

func appointmentBody(patient, practitioner, location, typ, start string) map[string]any {
	return map[string]any{"resourceType": "Appointment", "status": "booked", "start": start,
		"appointmentType": map[string]any{"coding": []any{map[string]any{"system": fhir.AppointmentTypeSystem, "code": typ}}},
		"participant": []any{
			map[string]any{"actor": map[string]any{"reference": "Patient/" + patient}, "status": "accepted"},
			map[string]any{"actor": map[string]any{"reference": "Practitioner/" + practitioner}, "status": "accepted"},
			map[string]any{"actor": map[string]any{"reference": "Location/" + location}, "status": "accepted"},
		}}
}

func TestSchedulingResources(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	pr, typ := f.scheduling(t)
	c := f.tokens["receptionist"]
	search := func(path string) []string {
		t.Helper()
		return idsOf(entries(t, want(t, c.Do("GET", path, nil), http.StatusOK)))
	}

	if r := want(t, c.Do("GET", "/fhir/R4/Practitioner/"+pr, nil), http.StatusOK); r.Str("name.0.text") != "Dr Naledi Dlamini" || r.Str("identifier.0.value") != "MP0123456" {
		t.Errorf("practitioner: %s", r)
	}
	if got := search("/fhir/R4/Practitioner?name=nal"); !slices.Equal(got, []string{pr}) {
		t.Errorf("practitioner by name: %v", got)
	}
	if got := search("/fhir/R4/Practitioner?identifier=" + fhir.HPCSASystem + "|MP0123456"); !slices.Equal(got, []string{pr}) {
		t.Errorf("practitioner by identifier: %v", got)
	}
	if got := search("/fhir/R4/Practitioner?name=zzz"); len(got) != 0 {
		t.Errorf("practitioner zzz: %v", got)
	}
	if got := search("/fhir/R4/PractitionerRole?location=Location/" + f.locA.ID); !slices.Equal(got, []string{pr}) {
		t.Errorf("roles at locA: %v", got)
	}
	if r := want(t, c.Do("GET", "/fhir/R4/PractitionerRole/"+pr, nil), http.StatusOK); r.Str("organization.reference") != "Organization/"+f.A.ID || r.Str("location.0.reference") != "Location/"+f.locA.ID {
		t.Errorf("role: %s", r)
	}
	if r := want(t, c.Do("GET", "/fhir/R4/Organization/"+f.A.ID, nil), http.StatusOK); r.Str("name") != f.A.Name {
		t.Errorf("organization: %s", r)
	}
	if got := search("/fhir/R4/Organization"); !slices.Equal(got, []string{f.A.ID}) {
		t.Errorf("organizations: %v", got)
	}
	if r := want(t, c.Do("GET", "/fhir/R4/Location/"+f.locA.ID, nil), http.StatusOK); r.Str("name") != "Alpha Main" || r.Str("managingOrganization.reference") != "Organization/"+f.A.ID {
		t.Errorf("location: %s", r)
	}
	if got := search("/fhir/R4/Location?name=alpha"); !slices.Equal(got, []string{f.locA.ID}) {
		t.Errorf("locations: %v", got)
	}

	// The schedule is the practitioner at the location; its slots come
	// from the availability engine.
	sched := fhir.ScheduleID(pr, f.locA.ID)
	if got := search("/fhir/R4/Schedule?actor=Practitioner/" + pr); !slices.Equal(got, []string{sched}) {
		t.Fatalf("schedules: %v", got)
	}
	if r := want(t, c.Do("GET", "/fhir/R4/Schedule/"+sched, nil), http.StatusOK); r.Str("actor.1.reference") != "Location/"+f.locA.ID || r.Get("active") != true {
		t.Errorf("schedule: %s", r)
	}
	slotsQ := "/fhir/R4/Slot?schedule=Schedule/" + sched + "&start=ge2030-03-07&start=lt2030-03-08"
	slots := search(slotsQ)
	if len(slots) != 6 {
		t.Fatalf("Thursday's slots: %v", slots)
	}
	first := want(t, c.Do("GET", "/fhir/R4/Slot/"+slots[0], nil), http.StatusOK)
	if first.Str("start") != "2030-03-07T09:00:00+02:00" || first.Str("status") != "free" || first.Str("schedule.reference") != "Schedule/"+sched {
		t.Errorf("slot: %s", first)
	}
	page := want(t, c.Do("GET", slotsQ+"&_count=4", nil), http.StatusOK)
	next := link(page, "next", f.env.URL)
	if len(entries(t, page)) != 4 || next == "" {
		t.Fatalf("slot page: %s", page)
	}
	if rest := search(next); len(rest) != 2 || !slices.Equal(append(idsOf(entries(t, page)), rest...), slots) {
		t.Errorf("slot pages: %v", rest)
	}

	// Booking through FHIR holds the slot; the same slot again is a 409.
	patient := want(t, c.Do("POST", "/fhir/R4/Patient", patientBody("Lerato", "Khumalo", "1992-02-02", "female", nil)), http.StatusCreated).Str("id")
	other := want(t, c.Do("POST", "/fhir/R4/Patient", patientBody("Musa", "Ndlovu", "1980-08-08", "male", nil)), http.StatusCreated).Str("id")
	booked := want(t, c.Do("POST", "/fhir/R4/Appointment", appointmentBody(patient, pr, f.locA.ID, typ, "2030-03-07T09:00:00+02:00")), http.StatusCreated)
	appt, ver := booked.Str("id"), booked.Str("meta.versionId")
	if booked.Str("status") != "booked" || booked.Str("end") != "2030-03-07T09:30:00+02:00" || booked.Str("participant.0.actor.reference") != "Patient/"+patient {
		t.Errorf("booked: %s", booked)
	}
	wantOutcome(t, c.Do("POST", "/fhir/R4/Appointment", appointmentBody(other, pr, f.locA.ID, typ, "2030-03-07T09:00:00+02:00")), http.StatusConflict, "conflict")
	if busy := search(slotsQ + "&status=busy"); !slices.Equal(busy, slots[:1]) {
		t.Errorf("busy slots: %v", busy)
	}
	wantOutcome(t, c.Do("POST", "/fhir/R4/Appointment", appointmentBody(other, pr, f.locA.ID, typ, "not a time")), http.StatusUnprocessableEntity, "invalid")
	wantOutcome(t, f.tokens["billing"].Do("POST", "/fhir/R4/Appointment", appointmentBody(other, pr, f.locA.ID, typ, "2030-03-07T10:00:00+02:00")), http.StatusForbidden, "forbidden")

	for q, wantIDs := range map[string][]string{
		"date=2030-03-07": {appt}, "date=2030-03-08": nil, "date=ge2030-03-07T09:00:00%2B02:00": {appt}, "date=gt2030-03-07T09:00:00%2B02:00": nil,
		"patient=Patient/" + patient: {appt}, "patient=" + other: nil, "practitioner=Practitioner/" + pr: {appt},
		"location=Location/" + f.locA.ID: {appt}, "status=booked,arrived": {appt}, "status=cancelled": nil, "patient=Practitioner/" + patient: nil,
	} {
		if got := search("/fhir/R4/Appointment?" + q); !slices.Equal(got, wantIDs) {
			t.Errorf("appointments %s: %v, want %v", q, got, wantIDs)
		}
	}

	// Update: a stale version is refused; a cancellation frees the slot;
	// a move takes the new slot.
	upd := booked.JSON
	upd["status"] = "cancelled"
	upd["cancelationReason"] = map[string]any{"text": "Patient asked"}
	f.env.Clock.Advance(time.Minute)
	wantOutcome(t, c.DoHeader("PUT", "/fhir/R4/Appointment/"+appt, upd, map[string]string{"If-Match": `W/"1"`}), http.StatusPreconditionFailed, "conflict")
	cancelled := want(t, c.DoHeader("PUT", "/fhir/R4/Appointment/"+appt, upd, map[string]string{"If-Match": `W/"` + ver + `"`}), http.StatusOK)
	if cancelled.Str("status") != "cancelled" || cancelled.Str("cancelationReason.text") != "Patient asked" {
		t.Errorf("cancel: %s", cancelled)
	}
	second := want(t, c.Do("POST", "/fhir/R4/Appointment", appointmentBody(other, pr, f.locA.ID, typ, "2030-03-07T09:00:00+02:00")), http.StatusCreated)
	move := second.JSON
	move["start"] = "2030-03-07T10:00:00+02:00"
	move["status"] = "noshow"
	wantOutcome(t, c.Do("PUT", "/fhir/R4/Appointment/"+second.Str("id"), move), http.StatusUnprocessableEntity, "invalid")
	move["status"] = "booked"
	moved := want(t, c.Do("PUT", "/fhir/R4/Appointment/"+second.Str("id"), move), http.StatusOK)
	if moved.Str("start") != "2030-03-07T10:00:00+02:00" {
		t.Errorf("move: %s", moved)
	}
	if busy := search(slotsQ + "&status=busy"); !slices.Equal(busy, slots[2:3]) {
		t.Errorf("busy slots after the move: %v, want %v", busy, slots[2:3])
	}

	// Practice B sees none of it.
	b := f.tokens["adminB"]
	for _, p := range []string{"/fhir/R4/Appointment/" + appt, "/fhir/R4/Practitioner/" + pr, "/fhir/R4/PractitionerRole/" + pr, "/fhir/R4/Location/" + f.locA.ID,
		"/fhir/R4/Organization/" + f.A.ID, "/fhir/R4/Schedule/" + sched, "/fhir/R4/Slot/" + slots[1], "/fhir/R4/Patient/" + patient} {
		wantOutcome(t, b.Do("GET", p, nil), http.StatusNotFound, "not-found")
	}
	for _, p := range []string{"/fhir/R4/Appointment?patient=" + patient, "/fhir/R4/Appointment?date=2030-03-07", "/fhir/R4/Practitioner", "/fhir/R4/Slot?schedule=Schedule/" + sched,
		"/fhir/R4/Schedule", "/fhir/R4/PractitionerRole", "/fhir/R4/Location?name=alpha"} {
		if got := idsOf(entries(t, want(t, b.Do("GET", p, nil), http.StatusOK))); len(got) != 0 {
			t.Errorf("B's %s: %v", p, got)
		}
	}
	wantOutcome(t, b.Do("PUT", "/fhir/R4/Appointment/"+appt, upd), http.StatusNotFound, "not-found")
}
