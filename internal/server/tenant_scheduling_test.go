package server_test

import (
	"net/http"
	"strings"
	"testing"

	"medic/internal/server/servertest"
)

// schedulingRecords creates, through the API as the practice's admin c, a
// practitioner at loc, an appointment type, a Thursday rule (09:00-12:00,
// capacity 1), a leave exception in May, a patient named name and a booked
// appointment on Thursday 09:00; it returns their ids by kind.
func schedulingRecords(t *testing.T, c *servertest.Client, slug, loc, name string) map[string]string {
	t.Helper()
	base := "/api/v1/practices/" + slug
	recs := map[string]string{}
	recs["practitioner"] = want(t, c.Do("POST", base+"/practitioners", map[string]any{"name": "Dr " + name, "location_ids": []string{loc}}), http.StatusCreated).Str("id")
	recs["type"] = want(t, c.Do("POST", base+"/appointment-types", map[string]any{"name": name + " visit", "duration_minutes": 30}), http.StatusCreated).Str("id")
	recs["rule"] = want(t, c.Do("POST", base+"/schedules", map[string]any{"practitioner_id": recs["practitioner"], "location_id": loc,
		"weekday": "thursday", "start": "09:00", "end": "12:00", "slot_minutes": 30, "capacity": 1, "effective_from": "2030-03-01"}), http.StatusCreated).Str("id")
	recs["exception"] = want(t, c.Do("POST", base+"/schedule-exceptions", map[string]any{"practitioner_id": recs["practitioner"], "kind": "leave",
		"start": "2030-05-01", "end": "2030-05-03", "reason": "Leave"}), http.StatusCreated).Str("id")
	recs["patient"] = want(t, c.Do("POST", base+"/patients", map[string]any{"given_name": name, "family_name": "Cele", "date_of_birth": "1988-08-08",
		"email": strings.ToLower(name) + "@" + slug + ".example"}), http.StatusCreated).Str("id")
	recs["appointment"] = want(t, c.Do("POST", base+"/appointments", map[string]any{"patient_id": recs["patient"], "practitioner_id": recs["practitioner"],
		"location_id": loc, "appointment_type_id": recs["type"], "start": thu0900}), http.StatusCreated).Str("id")
	return recs
}

// TestCrossTenantReferences: ids of another practice inside B's own
// requests (bodies and filters) are refused exactly like ids of nothing,
// and create nothing.
func TestCrossTenantReferences(t *testing.T) {
	t.Parallel()
	x := newTenants(t)
	a := schedulingRecords(t, x.adminA, "alpha", x.locA.ID, "Amahle")
	b := schedulingRecords(t, x.adminB, "bravo", x.locB.ID, "Bongani")
	const base = "/api/v1/practices/bravo"
	c := x.adminB

	// same answers r exactly like the request made with an id of nothing.
	same := func(t *testing.T, status int, foreign, missing *servertest.Response) {
		t.Helper()
		wantProblem(t, foreign, status)
		if string(foreign.Body) != string(missing.Body) {
			t.Errorf("%s %s: a foreign id answers differently from a missing one:\n%s\n%s", foreign.Method, foreign.Path, foreign.Body, missing.Body)
		}
	}
	booking := func(kind, id string) map[string]any {
		body := map[string]any{"patient_id": b["patient"], "practitioner_id": b["practitioner"], "location_id": x.locB.ID,
			"appointment_type_id": b["type"], "start": "2030-03-07T09:30:00+02:00"}
		body[kind] = id
		return body
	}

	t.Run("booking with A's ids", func(t *testing.T) {
		for field, id := range map[string]string{"patient_id": a["patient"], "practitioner_id": a["practitioner"], "location_id": x.locA.ID, "appointment_type_id": a["type"]} {
			foreign := c.Do("POST", base+"/appointments", booking(field, id))
			same(t, http.StatusUnprocessableEntity, foreign, c.Do("POST", base+"/appointments", booking(field, newUUID())))
			if foreign.Get("errors."+field) == nil {
				t.Errorf("%s: no field error: %s", field, foreign)
			}
		}
		// Even an admin's overbooking cannot reach A's slot.
		ob := booking("practitioner_id", a["practitioner"])
		ob["start"], ob["overbook"], ob["overbook_reason"] = thu0900, true, "urgent"
		wantProblem(t, c.Do("POST", base+"/appointments", ob), http.StatusUnprocessableEntity)
		// Moving B's appointment to A's location.
		moved := c.Do("POST", base+"/appointments/"+b["appointment"]+"/reschedule", map[string]any{"start": thu0900, "location_id": x.locA.ID})
		same(t, http.StatusUnprocessableEntity, moved, c.Do("POST", base+"/appointments/"+b["appointment"]+"/reschedule", map[string]any{"start": thu0900, "location_id": newUUID()}))
	})

	t.Run("schedules, practitioners and merges with A's ids", func(t *testing.T) {
		rule := func(field string, v any) map[string]any {
			body := map[string]any{"practitioner_id": b["practitioner"], "location_id": x.locB.ID, "weekday": "friday", "start": "09:00", "end": "10:00", "slot_minutes": 30}
			body[field] = v
			return body
		}
		for field, v := range map[string][2]any{
			"practitioner_id":      {a["practitioner"], newUUID()},
			"location_id":          {x.locA.ID, newUUID()},
			"appointment_type_ids": {[]string{a["type"]}, []string{newUUID()}},
		} {
			same(t, http.StatusUnprocessableEntity, c.Do("POST", base+"/schedules", rule(field, v[0])), c.Do("POST", base+"/schedules", rule(field, v[1])))
		}
		same(t, http.StatusUnprocessableEntity,
			c.Do("PATCH", base+"/schedules/"+b["rule"], map[string]any{"location_id": x.locA.ID}),
			c.Do("PATCH", base+"/schedules/"+b["rule"], map[string]any{"location_id": newUUID()}))
		leave := func(id string) map[string]any {
			return map[string]any{"practitioner_id": id, "kind": "leave", "start": "2030-06-01", "end": "2030-06-02"}
		}
		same(t, http.StatusUnprocessableEntity, c.Do("POST", base+"/schedule-exceptions", leave(a["practitioner"])), c.Do("POST", base+"/schedule-exceptions", leave(newUUID())))
		same(t, http.StatusUnprocessableEntity,
			c.Do("POST", base+"/practitioners", map[string]any{"name": "Dr Cross", "location_ids": []string{x.locA.ID}}),
			c.Do("POST", base+"/practitioners", map[string]any{"name": "Dr Cross", "location_ids": []string{newUUID()}}))
		same(t, http.StatusUnprocessableEntity,
			c.Do("POST", base+"/practitioners", map[string]any{"name": "Dr Cross", "member_id": x.doctorA.ID}),
			c.Do("POST", base+"/practitioners", map[string]any{"name": "Dr Cross", "member_id": newUUID()}))
		same(t, http.StatusNotFound,
			c.Do("POST", base+"/patients/"+b["patient"]+"/merge", map[string]any{"into": a["patient"], "confirm": true}),
			c.Do("POST", base+"/patients/"+b["patient"]+"/merge", map[string]any{"into": newUUID(), "confirm": true}))
	})

	t.Run("filters with A's ids find nothing", func(t *testing.T) {
		same(t, http.StatusUnprocessableEntity,
			c.Do("GET", base+"/availability?practitioner="+a["practitioner"], nil), c.Do("GET", base+"/availability?practitioner="+newUUID(), nil))
		same(t, http.StatusUnprocessableEntity,
			c.Do("GET", base+"/availability?type="+a["type"], nil), c.Do("GET", base+"/availability?type="+newUUID(), nil))
		for _, q := range []string{"patient=" + a["patient"], "practitioner=" + a["practitioner"], "location=" + x.locA.ID, "patient=not-a-uuid"} {
			if r := want(t, c.Do("GET", base+"/appointments?"+q, nil), http.StatusOK); len(r.Items()) != 0 {
				t.Errorf("appointments?%s: %s", q, r.Body)
			}
		}
		for _, q := range []string{"Amahle", "amahle@alpha.example", "Cele"} {
			r := want(t, c.Do("GET", base+"/patients?include_inactive=true&q="+q, nil), http.StatusOK)
			for _, it := range r.Items() {
				if it["id"] == a["patient"] {
					t.Errorf("patients?q=%s finds A's chart: %s", q, r.Body)
				}
			}
		}
		// The log of B names none of A's records.
		log := want(t, c.Do("GET", base+"/audit-events?limit=200", nil), http.StatusOK)
		for kind, id := range a {
			if strings.Contains(string(log.Body), id) {
				t.Errorf("B's log holds A's %s: %s", kind, log.Body)
			}
		}
	})

	t.Run("nothing was created or changed", func(t *testing.T) {
		for path, n := range map[string]int{"/appointments": 1, "/schedules": 1, "/schedule-exceptions": 1, "/practitioners": 1, "/patients": 1} {
			if r := want(t, c.Do("GET", base+path, nil), http.StatusOK); len(r.Items()) != n {
				t.Errorf("bravo%s: %s", path, r.Body)
			}
		}
		if r := want(t, c.Do("GET", base+"/appointments/"+b["appointment"], nil), http.StatusOK); r.Str("location_id") != x.locB.ID || r.Str("start") != thu0900 {
			t.Errorf("B's appointment changed: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/appointments", nil), http.StatusOK); len(r.Items()) != 1 || r.Str("items.0.id") != a["appointment"] {
			t.Errorf("A's appointments: %s", r.Body)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/patients/"+a["patient"], nil), http.StatusOK); r.Str("status") != "active" {
			t.Errorf("A's patient: %s", r)
		}
	})
}
