package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

// starts lists the "start" of each item of an availability or appointment list.
func starts(r *servertest.Response) []string {
	var out []string
	for _, it := range r.Items() {
		out = append(out, it["start"].(string))
	}
	return out
}

func TestScheduleRules(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "rules")
	admin := d.c[medic.RoleAdmin]
	second := env.Location(t, d.p, "Harbour Road")
	want(t, admin.Do("PATCH", d.base+"/practitioners/"+d.practitioner, map[string]any{"location_ids": []string{d.loc.ID, second.ID}}), http.StatusOK)
	rule := func(changes map[string]any) map[string]any {
		b := map[string]any{"practitioner_id": d.practitioner, "location_id": d.loc.ID, "weekday": "monday", "start": "14:00", "end": "16:00",
			"slot_minutes": 20, "capacity": 2, "effective_from": "2030-03-01"}
		for k, v := range changes {
			b[k] = v
		}
		return b
	}

	t.Run("a rule reads back as written", func(t *testing.T) {
		r := want(t, admin.Do("GET", d.base+"/schedules/"+d.thursday, nil), http.StatusOK)
		for k, v := range map[string]any{"practitioner_id": d.practitioner, "location_id": d.loc.ID, "weekday": "thursday", "start": "09:00",
			"end": "12:00", "slot_minutes": float64(30), "capacity": float64(1), "effective_from": "2030-03-01", "effective_to": nil} {
			if r.Get(k) != v {
				t.Errorf("%s = %v, want %v", k, r.Get(k), v)
			}
		}
		if l := want(t, admin.Do("GET", d.base+"/schedules?practitioner="+d.practitioner, nil), http.StatusOK); !slices.Equal(ids(l), []string{d.thursday, d.friday}) {
			t.Errorf("rules: %s", l.Body)
		}
		if l := want(t, admin.Do("GET", d.base+"/schedules?practitioner="+newUUID(), nil), http.StatusOK); len(l.Items()) != 0 {
			t.Errorf("rules of nobody: %s", l.Body)
		}
	})

	t.Run("invalid rules are field errors", func(t *testing.T) {
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{rule(map[string]any{"weekday": "funday"}), "weekday"},
			{rule(map[string]any{"weekday": nil}), "weekday"},
			{rule(map[string]any{"start": "2pm"}), "start"},
			{rule(map[string]any{"end": "13:00"}), "end"},
			{rule(map[string]any{"slot_minutes": 45}), "slot_minutes"},
			{rule(map[string]any{"capacity": 0}), "capacity"},
			{rule(map[string]any{"effective_from": "March"}), "effective_from"},
			{rule(map[string]any{"effective_to": "2030-02-01"}), "effective_to"},
			{rule(map[string]any{"practitioner_id": newUUID()}), "practitioner_id"},
			{rule(map[string]any{"location_id": "nowhere"}), "location_id"},
			{rule(map[string]any{"appointment_type_ids": []string{newUUID()}}), "appointment_type_ids"},
		} {
			if c.body["weekday"] == nil {
				delete(c.body, "weekday")
			}
			r := admin.Do("POST", d.base+"/schedules", c.body)
			wantProblem(t, r, http.StatusUnprocessableEntity)
			if r.Get("errors."+c.field) == nil {
				t.Errorf("%v: no %s field error: %s", c.body, c.field, r)
			}
		}
	})

	t.Run("overlapping rules of one practitioner are refused, at any location", func(t *testing.T) {
		r := admin.Do("POST", d.base+"/schedules", rule(map[string]any{"weekday": "thursday", "start": "11:00", "end": "13:00", "location_id": second.ID}))
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if msg := r.Str("errors.start"); !strings.Contains(msg, "thursday 09:00–12:00 rule at Main Street") && !strings.Contains(msg, "Thursday 09:00–12:00 rule at Main Street") {
			t.Errorf("overlap message: %s", r)
		}
		// Back to back is fine; so is the same time on another weekday.
		want(t, admin.Do("POST", d.base+"/schedules", rule(map[string]any{"weekday": "thursday", "start": "12:00", "end": "13:00", "location_id": second.ID})), http.StatusCreated)
		want(t, admin.Do("POST", d.base+"/schedules", rule(map[string]any{"weekday": "wednesday", "start": "09:00", "end": "12:00", "location_id": second.ID})), http.StatusCreated)
		// A rule stays with its practitioner.
		other := want(t, admin.Do("POST", d.base+"/practitioners", map[string]any{"name": "Dr Other", "location_ids": []string{d.loc.ID}}), http.StatusCreated).Str("id")
		r = admin.Do("PATCH", d.base+"/schedules/"+d.thursday, map[string]any{"practitioner_id": other})
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Get("errors.practitioner_id") == nil {
			t.Errorf("moving a rule to another practitioner: %s", r)
		}
	})

	t.Run("a change that strands appointments lists them and needs confirmation", func(t *testing.T) {
		late := d.book(t, d.patient(t, "Late", ""), "2030-03-07T11:30:00+02:00")
		early := d.book(t, d.patient(t, "Early", ""), thu0900)
		r := admin.Do("PATCH", d.base+"/schedules/"+d.thursday, map[string]any{"end": "11:00"})
		wantProblem(t, r, http.StatusConflict)
		stranded, _ := r.Get("stranded_appointments").([]any)
		if len(stranded) != 1 || r.Str("stranded_appointments.0.id") != late || r.Str("stranded_appointments.0.start") != "2030-03-07T11:30:00+02:00" {
			t.Fatalf("stranded: %s", r)
		}
		if g := want(t, admin.Do("GET", d.base+"/schedules/"+d.thursday, nil), http.StatusOK); g.Str("end") != "12:00" {
			t.Errorf("an unconfirmed change was saved: %s", g)
		}
		for _, confirm := range []struct {
			query string
			body  map[string]any
		}{{"?confirm=true", map[string]any{"end": "11:00"}}, {"", map[string]any{"end": "10:30", "confirm": true}}} {
			want(t, admin.Do("PATCH", d.base+"/schedules/"+d.thursday+confirm.query, confirm.body), http.StatusOK)
		}
		if g := want(t, admin.Do("GET", d.base+"/schedules/"+d.thursday, nil), http.StatusOK); g.Str("end") != "10:30" {
			t.Errorf("confirmed change: %s", g)
		}
		// The appointment is kept, booked, outside the hours.
		if a := want(t, admin.Do("GET", d.base+"/appointments/"+late, nil), http.StatusOK); a.Str("status") != "booked" {
			t.Errorf("stranded appointment: %s", a)
		}
		// Deleting the rule strands the early one too; the list names it (the
		// late one is outside the hours already, not by this change).
		r = admin.Do("DELETE", d.base+"/schedules/"+d.thursday, nil)
		wantProblem(t, r, http.StatusConflict)
		if got := r.Get("stranded_appointments").([]any); len(got) != 1 || r.Str("stranded_appointments.0.id") != early {
			t.Errorf("stranded by deletion: %s", r)
		}
		wantProblem(t, admin.Do("DELETE", d.base+"/schedules/"+d.thursday+"?confirm=maybe", nil), http.StatusUnprocessableEntity)
		r = admin.Do("DELETE", d.base+"/schedules/"+d.thursday, map[string]any{"confirm": true})
		if r.Status != http.StatusNoContent {
			t.Fatalf("confirmed delete: %s", r)
		}
		wantProblem(t, admin.Do("GET", d.base+"/schedules/"+d.thursday, nil), http.StatusNotFound)
		wantProblem(t, admin.Do("DELETE", d.base+"/schedules/"+d.thursday+"?confirm=true", nil), http.StatusNotFound)
		for _, id := range []string{early, late} {
			if a := want(t, admin.Do("GET", d.base+"/appointments/"+id, nil), http.StatusOK); a.Str("status") != "booked" {
				t.Errorf("appointment after the rule went: %s", a)
			}
		}
		// A rule change that strands nothing needs no confirmation, even with
		// appointments outside the hours elsewhere.
		want(t, admin.Do("PATCH", d.base+"/schedules/"+d.friday, map[string]any{"capacity": 4, "appointment_type_ids": []string{d.typ}}), http.StatusOK)
		ev := want(t, admin.Do("GET", d.base+"/audit-events?action=schedule.rule_", nil), http.StatusOK)
		if len(ev.Items()) < 6 {
			t.Errorf("rule changes not audited: %s", ev.Body)
		}
	})
}

func TestScheduleExceptionsAndAvailability(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "avail")
	admin, rc := d.c[medic.RoleAdmin], d.c[medic.RoleReceptionist]
	avail := func(query string) *servertest.Response {
		t.Helper()
		return want(t, rc.Do("GET", d.base+"/availability?practitioner="+d.practitioner+"&"+query, nil), http.StatusOK)
	}
	thursday := []string{thu0900, thu0930, thu1000, thu1030, "2030-03-07T11:00:00+02:00", "2030-03-07T11:30:00+02:00"}

	t.Run("slots follow the rules, in the practice's zone", func(t *testing.T) {
		r := avail("type=" + d.typ + "&from=2030-03-07&to=2030-03-08")
		if !slices.Equal(starts(r), thursday) {
			t.Errorf("Thursday: %v", starts(r))
		}
		it := r.Items()[0]
		if it["end"] != "2030-03-07T09:30:00+02:00" || it["practitioner_id"] != d.practitioner || it["location_id"] != d.loc.ID || it["remaining"] != float64(1) {
			t.Errorf("slot: %v", it)
		}
		// An RFC 3339 range in another offset means the same instants.
		if r := avail("type=" + d.typ + "&from=2030-03-07T07:00:00Z&to=2030-03-07T08:00:00Z"); !slices.Equal(starts(r), thursday[:2]) {
			t.Errorf("09:00-10:00 local: %v", starts(r))
		}
		// A 60-minute type takes two slots.
		long := want(t, admin.Do("POST", d.base+"/appointment-types", map[string]any{"name": "Long", "duration_minutes": 60}), http.StatusCreated).Str("id")
		if r := avail("type=" + long + "&from=2030-03-07&to=2030-03-08"); !slices.Equal(starts(r), thursday[:5]) || r.Str("items.0.end") != thu1000 {
			t.Errorf("60 minutes: %s", r.Body)
		}
		d.book(t, d.patient(t, "Booked", ""), thu0930)
		if r := avail("type=" + long + "&from=2030-03-07&to=2030-03-08"); !slices.Equal(starts(r), []string{thu1000, thu1030, "2030-03-07T11:00:00+02:00"}) {
			t.Errorf("60 minutes around a booking: %v", starts(r))
		}
		for _, q := range []string{"from=tomorrow", "to=2030-13-01", "from=2030-03-07&to=2030-03-06", "from=2030-01-01&to=2030-06-01", "type=" + newUUID(), "location=" + newUUID()} {
			wantProblem(t, rc.Do("GET", d.base+"/availability?practitioner="+d.practitioner+"&"+q, nil), http.StatusUnprocessableEntity)
		}
		wantProblem(t, rc.Do("GET", d.base+"/availability?practitioner="+newUUID(), nil), http.StatusUnprocessableEntity)
	})

	t.Run("leave removes slots and strands appointments only with confirmation", func(t *testing.T) {
		leave := map[string]any{"practitioner_id": d.practitioner, "kind": "leave", "start": "2030-03-07", "end": "2030-03-08", "reason": "Conference"}
		r := admin.Do("POST", d.base+"/schedule-exceptions", leave)
		wantProblem(t, r, http.StatusConflict)
		if len(r.Get("stranded_appointments").([]any)) != 1 {
			t.Fatalf("leave over a booking: %s", r)
		}
		leave["confirm"] = true
		r = want(t, admin.Do("POST", d.base+"/schedule-exceptions", leave), http.StatusCreated)
		id := r.Str("id")
		if r.Str("start") != "2030-03-07T00:00:00+02:00" || r.Str("end") != "2030-03-08T00:00:00+02:00" || r.Str("kind") != "leave" || r.Get("location_id") != nil {
			t.Errorf("leave: %s", r)
		}
		if r := avail("type=" + d.typ + "&from=2030-03-07&to=2030-03-09"); !slices.Equal(starts(r)[:1], []string{fri0900}) {
			t.Errorf("on leave Thursday: %v", starts(r))
		}
		l := want(t, rc.Do("GET", d.base+"/schedule-exceptions?practitioner="+d.practitioner+"&from=2030-03-01&to=2030-04-01", nil), http.StatusOK)
		if !slices.Equal(ids(l), []string{id}) {
			t.Errorf("exceptions: %s", l.Body)
		}
		if l := want(t, rc.Do("GET", d.base+"/schedule-exceptions?from=2030-04-01", nil), http.StatusOK); len(l.Items()) != 0 {
			t.Errorf("exceptions after April: %s", l.Body)
		}
		if r := admin.Do("DELETE", d.base+"/schedule-exceptions/"+id, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete leave: %s", r)
		}
		wantProblem(t, admin.Do("DELETE", d.base+"/schedule-exceptions/"+id, nil), http.StatusNotFound)
		if r := avail("type=" + d.typ + "&from=2030-03-07&to=2030-03-08"); len(r.Items()) != 5 {
			t.Errorf("after the leave: %v", starts(r))
		}
	})

	t.Run("extra hours add slots", func(t *testing.T) {
		r := admin.Do("POST", d.base+"/schedule-exceptions", map[string]any{"practitioner_id": d.practitioner, "kind": "extra", "location_id": d.loc.ID,
			"start": "2030-03-09T08:00:00+02:00", "end": "2030-03-09T09:00:00+02:00"})
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Get("errors.slot_minutes") == nil || r.Get("errors.capacity") == nil {
			t.Errorf("extra hours without slots: %s", r)
		}
		wantProblem(t, admin.Do("POST", d.base+"/schedule-exceptions", map[string]any{"practitioner_id": d.practitioner, "kind": "holiday",
			"start": "2030-03-09", "end": "2030-03-10"}), http.StatusUnprocessableEntity)
		extra := want(t, admin.Do("POST", d.base+"/schedule-exceptions", map[string]any{"practitioner_id": d.practitioner, "kind": "extra", "location_id": d.loc.ID,
			"start": "2030-03-09T08:00:00+02:00", "end": "2030-03-09T09:00:00+02:00", "slot_minutes": 30, "capacity": 2, "reason": "Saturday clinic"}), http.StatusCreated).Str("id")
		r = avail("type=" + d.typ + "&from=2030-03-09&to=2030-03-10")
		if !slices.Equal(starts(r), []string{"2030-03-09T08:00:00+02:00", "2030-03-09T08:30:00+02:00"}) || r.Get("items.0.remaining") != float64(2) {
			t.Errorf("Saturday: %s", r.Body)
		}
		saturday := d.book(t, d.patient(t, "Saturday", ""), "2030-03-09T08:00:00+02:00")
		if r := avail("type=" + d.typ + "&from=2030-03-09&to=2030-03-10"); r.Get("items.0.remaining") != float64(1) {
			t.Errorf("Saturday after a booking: %s", r.Body)
		}

		// Removing the extra hours would strand the Saturday booking: it is
		// listed and kept until the removal is confirmed.
		r = admin.Do("DELETE", d.base+"/schedule-exceptions/"+extra, nil)
		wantProblem(t, r, http.StatusConflict)
		if got, _ := r.Get("stranded_appointments").([]any); len(got) != 1 || r.Str("stranded_appointments.0.id") != saturday {
			t.Fatalf("stranded by removing extra hours: %s", r)
		}
		if r := avail("type=" + d.typ + "&from=2030-03-09&to=2030-03-10"); len(r.Items()) == 0 {
			t.Errorf("the refused removal took the extra hours away: %s", r.Body)
		}
		if r := admin.Do("DELETE", d.base+"/schedule-exceptions/"+extra+"?confirm=true", nil); r.Status != http.StatusNoContent {
			t.Fatalf("confirmed removal: %s", r)
		}
		if a := want(t, rc.Do("GET", d.base+"/appointments/"+saturday, nil), http.StatusOK); a.Str("status") != "booked" {
			t.Errorf("the stranded appointment after removal: %s", a)
		}
		if r := avail("type=" + d.typ + "&from=2030-03-09&to=2030-03-10"); len(r.Items()) != 0 {
			t.Errorf("Saturday after removing the extra hours: %s", r.Body)
		}
	})

	t.Run("an inactive or on-leave practitioner has no slots and takes no bookings", func(t *testing.T) {
		p := d.patient(t, "Hopeful", "")
		for _, status := range []string{"inactive", "on_leave"} {
			want(t, admin.Do("PATCH", d.base+"/practitioners/"+d.practitioner, map[string]any{"status": status}), http.StatusOK)
			if r := avail("from=2030-03-04&to=2030-03-18"); len(r.Items()) != 0 {
				t.Errorf("%s: %v", status, starts(r))
			}
			wantProblem(t, rc.Do("POST", d.base+"/appointments", d.booking(p, fri0900)), http.StatusUnprocessableEntity)
		}
		want(t, admin.Do("PATCH", d.base+"/practitioners/"+d.practitioner, map[string]any{"status": "active"}), http.StatusOK)
		d.book(t, p, fri0900)
	})

	t.Run("lead time applies to the listed slots", func(t *testing.T) {
		// Monday 2030-03-04 10:00 local; a Monday rule from 10:00 with the
		// default hour of lead time lists 11:00 first.
		want(t, admin.Do("POST", d.base+"/schedules", map[string]any{"practitioner_id": d.practitioner, "location_id": d.loc.ID, "weekday": "monday",
			"start": "10:00", "end": "12:00", "slot_minutes": 30, "effective_from": "2030-03-04"}), http.StatusCreated)
		if r := avail("type=" + d.typ + "&from=2030-03-04&to=2030-03-05"); !slices.Equal(starts(r), []string{"2030-03-04T11:00:00+02:00", "2030-03-04T11:30:00+02:00"}) {
			t.Errorf("today: %v", starts(r))
		}
	})
}

// TestAvailabilityAcrossDaylightSaving: in Europe/London a Sunday rule of
// 00:00-03:00 has no 01:00 or 01:30 on the day clocks go forward, and each
// only once on the day they go back.
func TestAvailabilityAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "london")
	admin := d.c[medic.RoleAdmin]
	want(t, admin.Do("PATCH", d.base, map[string]any{"time_zone": "Europe/London"}), http.StatusOK)
	want(t, admin.Do("POST", d.base+"/schedules", map[string]any{"practitioner_id": d.practitioner, "location_id": d.loc.ID, "weekday": "sunday",
		"start": "00:00", "end": "03:00", "slot_minutes": 30, "effective_from": "2030-03-01"}), http.StatusCreated)
	for _, c := range []struct {
		from, to string
		want     []string
	}{
		{"2030-03-31", "2030-04-01", []string{"2030-03-31T00:00:00Z", "2030-03-31T00:30:00Z", "2030-03-31T02:00:00+01:00", "2030-03-31T02:30:00+01:00"}},
		{"2030-10-27", "2030-10-28", []string{"2030-10-27T00:00:00+01:00", "2030-10-27T00:30:00+01:00", "2030-10-27T01:00:00+01:00",
			"2030-10-27T01:30:00+01:00", "2030-10-27T02:00:00Z", "2030-10-27T02:30:00Z"}},
		{"2030-03-24", "2030-03-25", []string{"2030-03-24T00:00:00Z", "2030-03-24T00:30:00Z", "2030-03-24T01:00:00Z", "2030-03-24T01:30:00Z",
			"2030-03-24T02:00:00Z", "2030-03-24T02:30:00Z"}},
	} {
		r := want(t, d.c[medic.RoleReceptionist].Do("GET", d.base+"/availability?practitioner="+d.practitioner+"&type="+d.typ+"&from="+c.from+"&to="+c.to, nil), http.StatusOK)
		if got := starts(r); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.from, got, c.want)
		}
	}
	// The first 01:30 on the day clocks go back is BST; 30 real minutes
	// later it is 01:00 GMT.
	a := d.book(t, d.patient(t, "Night", ""), "2030-10-27T01:30:00+01:00")
	if r := want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/appointments/"+a, nil), http.StatusOK); r.Str("end") != "2030-10-27T01:00:00Z" {
		t.Errorf("across the change: %s", r)
	}
	// Appointments go out in the practice's zone.
	thu := want(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/appointments", d.booking(d.patient(t, "Day", ""), "2030-03-07T09:00:00Z")), http.StatusCreated)
	if thu.Str("start") != "2030-03-07T09:00:00Z" {
		t.Errorf("London appointment: %s", thu)
	}
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "dash")
	rc := d.c[medic.RoleReceptionist]
	a := d.book(t, d.patient(t, "One", ""), thu0900)
	d.book(t, d.patient(t, "Two", ""), thu0930)
	c := d.book(t, d.patient(t, "Three", ""), thu1000)
	d.book(t, d.patient(t, "Four", ""), fri0900)
	inactive := d.patient(t, "Five", "")
	want(t, rc.Do("POST", d.base+"/patients/"+inactive+"/deactivate", nil), http.StatusOK)
	want(t, rc.Do("POST", d.base+"/appointments/"+c+"/cancel", map[string]any{"reason": "Ill"}), http.StatusOK)
	// Thursday morning, 08:00 in Johannesburg (sessions idled out meanwhile).
	env.Clock.Set(time.Date(2030, 3, 7, 6, 0, 0, 0, time.UTC))
	for _, role := range medic.Roles {
		d.c[role] = env.Login(t, string(role)+"@dash.example", pw)
	}
	rc = d.c[medic.RoleReceptionist]
	want(t, rc.Do("POST", d.base+"/appointments/"+a+"/check-in", nil), http.StatusOK)

	for _, role := range medic.Roles {
		r := want(t, d.c[role].Do("GET", d.base+"/dashboard", nil), http.StatusOK)
		if r.Str("date") != "2030-03-07" || r.Get("today_total") != float64(3) || r.Get("today_expected") != float64(2) || r.Get("active_patients") != float64(4) {
			t.Errorf("%s: %s", role, r.Body)
		}
		for status, n := range map[string]float64{"booked": 1, "checked_in": 1, "cancelled": 1, "completed": 0, "in_progress": 0, "no_show": 0} {
			if r.Get("today_by_status."+status) != n {
				t.Errorf("%s: %s = %v, want %v", role, status, r.Get("today_by_status."+status), n)
			}
		}
		if got := starts(&servertest.Response{JSON: map[string]any{"items": r.Get("today_appointments")}}); !slices.Equal(got, []string{thu0900, thu0930, thu1000}) {
			t.Errorf("%s: today's list %v", role, got)
		}
		week, _ := r.Get("week").([]any)
		counts := map[string]float64{}
		for _, w := range week {
			counts[w.(map[string]any)["date"].(string)] = w.(map[string]any)["count"].(float64)
		}
		if len(week) != 7 || r.Str("week.0.date") != "2030-03-04" || counts["2030-03-07"] != 2 || counts["2030-03-08"] != 1 || counts["2030-03-10"] != 0 {
			t.Errorf("%s: week %v", role, week)
		}
		if n := len(r.Get("recent_patients").([]any)); n != 5 {
			t.Errorf("%s: %d recent patients", role, n)
		}
	}
}
