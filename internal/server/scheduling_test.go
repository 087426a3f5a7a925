package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

// The test clock starts on Monday 2030-03-04 at 10:00 in Johannesburg
// (servertest.Start); the fixture's rules are on Thursdays and Fridays, so
// every slot below is more than a day ahead (its reminder is still to come).
const (
	thu0900 = "2030-03-07T09:00:00+02:00"
	thu0930 = "2030-03-07T09:30:00+02:00"
	thu1000 = "2030-03-07T10:00:00+02:00"
	thu1030 = "2030-03-07T10:30:00+02:00"
	fri0900 = "2030-03-08T09:00:00+02:00"
)

// desk is one practice with a member of every role (signed in), a
// location, and a practitioner, an appointment type and schedule rules made
// through the API by the admin: Thursdays 09:00-12:00 in 30-minute slots of
// capacity 1, Fridays 09:00-12:00 with capacity 3.
type desk struct {
	env          *servertest.Env
	p            *medic.Practice
	base         string
	c            map[medic.Role]*servertest.Client
	members      map[medic.Role]*medic.Member
	loc          *medic.Location
	practitioner string
	typ          string
	thursday     string // rule ids
	friday       string
}

func newDesk(t *testing.T, env *servertest.Env, slug string) *desk {
	t.Helper()
	d := &desk{env: env, p: env.Practice(t, slug), base: "/api/v1/practices/" + slug,
		c: map[medic.Role]*servertest.Client{}, members: map[medic.Role]*medic.Member{}}
	for _, role := range medic.Roles {
		email := string(role) + "@" + slug + ".example"
		d.members[role] = env.Member(t, d.p, env.User(t, email, pw), role)
		d.c[role] = env.Login(t, email, pw)
	}
	d.loc = env.Location(t, d.p, "Main Street")
	admin := d.c[medic.RoleAdmin]
	d.practitioner = want(t, admin.Do("POST", d.base+"/practitioners", map[string]any{
		"name": "Dr Naledi Dlamini", "specialty": "General practice", "registration_number": "MP0123456",
		"member_id": d.members[medic.RoleDoctor].ID, "location_ids": []string{d.loc.ID},
	}), http.StatusCreated).Str("id")
	d.typ = want(t, admin.Do("POST", d.base+"/appointment-types", map[string]any{
		"name": "Consultation", "duration_minutes": 30, "online_bookable": true,
	}), http.StatusCreated).Str("id")
	d.thursday = d.rule(t, "thursday", 1)
	d.friday = d.rule(t, "friday", 3)
	return d
}

// rule adds a 09:00-12:00 rule of 30-minute slots on weekday.
func (d *desk) rule(t *testing.T, weekday string, capacity int) string {
	t.Helper()
	return want(t, d.c[medic.RoleAdmin].Do("POST", d.base+"/schedules", map[string]any{
		"practitioner_id": d.practitioner, "location_id": d.loc.ID, "weekday": weekday, "start": "09:00", "end": "12:00",
		"slot_minutes": 30, "capacity": capacity, "effective_from": "2030-03-01",
	}), http.StatusCreated).Str("id")
}

var patientSeq struct {
	sync.Mutex
	n int
}

// patient creates a chart through the API (as the receptionist) and
// returns its id; names are unique, so no duplicate warning interferes.
func (d *desk) patient(t *testing.T, given, email string) string {
	t.Helper()
	patientSeq.Lock()
	patientSeq.n++
	n := patientSeq.n
	patientSeq.Unlock()
	return want(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/patients", map[string]any{
		"given_name": given, "family_name": fmt.Sprintf("Mokoena%d", n), "date_of_birth": "1985-06-15", "sex": "female",
		"email": email, "phone": "082 555 0100",
	}), http.StatusCreated).Str("id")
}

// booking is a POST /appointments body at start.
func (d *desk) booking(patient, start string) map[string]any {
	return map[string]any{"patient_id": patient, "practitioner_id": d.practitioner, "location_id": d.loc.ID,
		"appointment_type_id": d.typ, "start": start}
}

// book books as the receptionist and returns the appointment id.
func (d *desk) book(t *testing.T, patient, start string) string {
	t.Helper()
	r := want(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/appointments", d.booking(patient, start)), http.StatusCreated)
	if r.Str("status") != "booked" || r.Str("start") != start {
		t.Fatalf("booked: %s", r)
	}
	return r.Str("id")
}

// remaining is the availability API's remaining places at start ("" type
// and location filters as given), or 0 when the slot is not offered.
func (d *desk) remaining(t *testing.T, start string) int {
	t.Helper()
	r := want(t, d.c[medic.RoleReceptionist].Do("GET", d.base+"/availability?practitioner="+d.practitioner+"&type="+d.typ+"&from=2030-03-05&to=2030-03-12", nil), http.StatusOK)
	for _, it := range r.Items() {
		if it["start"] == start {
			return int(it["remaining"].(float64))
		}
	}
	return 0
}

func TestConcurrentBookingOfOneSlot(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "race")
	patients := make([]string, 50)
	for i := range patients {
		patients[i] = d.patient(t, "Racer", "")
	}
	for _, tc := range []struct {
		name     string
		start    string
		capacity int
	}{{"capacity 1", thu0900, 1}, {"capacity 3", fri0900, 3}} {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.remaining(t, tc.start); got != tc.capacity {
				t.Fatalf("before: %d places, want %d", got, tc.capacity)
			}
			var wg sync.WaitGroup
			results := make([]*servertest.Response, len(patients))
			start := make(chan struct{})
			for i, p := range patients {
				// Every role that books, each on its own session.
				c := d.c[[]medic.Role{medic.RoleReceptionist, medic.RoleNurse, medic.RoleDoctor, medic.RoleAdmin}[i%4]]
				wg.Go(func() {
					<-start
					results[i] = c.Do("POST", d.base+"/appointments", d.booking(p, tc.start))
				})
			}
			close(start)
			wg.Wait()
			created, full := 0, 0
			for _, r := range results {
				switch r.Status {
				case http.StatusCreated:
					created++
				case http.StatusConflict:
					full++
					wantProblem(t, r, http.StatusConflict)
					if !strings.Contains(r.Str("detail"), "just taken") {
						t.Errorf("409 detail: %s", r)
					}
				default:
					t.Errorf("unexpected answer: %s", r)
				}
			}
			if created != tc.capacity || full != len(patients)-tc.capacity {
				t.Fatalf("%d created, %d full; want %d and %d", created, full, tc.capacity, len(patients)-tc.capacity)
			}
			// The database holds exactly that many, and the slot is gone.
			list := want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/appointments?practitioner="+d.practitioner+"&from="+urlq(tc.start)+"&to=2030-03-09", nil), http.StatusOK)
			n := 0
			for _, it := range list.Items() {
				if it["start"] == tc.start {
					n++
				}
			}
			if n != tc.capacity {
				t.Errorf("%d appointments stored at %s, want %d: %s", n, tc.start, tc.capacity, list.Body)
			}
			if got := d.remaining(t, tc.start); got != 0 {
				t.Errorf("after: the slot still offers %d places", got)
			}
		})
	}
}

// urlq escapes the + of an offset for a query string.
func urlq(s string) string { return strings.ReplaceAll(s, "+", "%2B") }

func TestSchedulingRoles(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "roles")
	patient := d.patient(t, "Lerato", "")
	appt := d.book(t, patient, thu0900)
	forbidden := func(t *testing.T, r *servertest.Response) {
		t.Helper()
		wantProblem(t, r, http.StatusForbidden)
		if !strings.Contains(string(r.Body), "Your role does not allow this.") {
			t.Errorf("403 body: %s", r)
		}
	}

	t.Run("billing reads patients and appointments but writes neither", func(t *testing.T) {
		b := d.c[medic.RoleBilling]
		want(t, b.Do("GET", d.base+"/patients", nil), http.StatusOK)
		want(t, b.Do("GET", d.base+"/patients/"+patient, nil), http.StatusOK)
		want(t, b.Do("GET", d.base+"/appointments", nil), http.StatusOK)
		want(t, b.Do("GET", d.base+"/appointments/"+appt, nil), http.StatusOK)
		want(t, b.Do("GET", d.base+"/patients/"+patient+"/appointments", nil), http.StatusOK)
		want(t, b.Do("GET", d.base+"/dashboard", nil), http.StatusOK)
		forbidden(t, b.Do("POST", d.base+"/patients", map[string]any{"given_name": "New", "family_name": "Chart", "date_of_birth": "1990-01-01"}))
		forbidden(t, b.Do("PATCH", d.base+"/patients/"+patient, map[string]any{"phone": "082 555 0199"}))
		forbidden(t, b.Do("POST", d.base+"/patients/"+patient+"/deactivate", nil))
		forbidden(t, b.Do("POST", d.base+"/appointments", d.booking(patient, thu0930)))
		forbidden(t, b.Do("POST", d.base+"/appointments/"+appt+"/check-in", nil))
		forbidden(t, b.Do("POST", d.base+"/appointments/"+appt+"/cancel", map[string]any{"reason": "billing says so"}))
		forbidden(t, b.Do("POST", d.base+"/appointments/"+appt+"/reschedule", map[string]any{"start": thu1000}))
	})

	t.Run("only the admin manages practitioners, types and schedules", func(t *testing.T) {
		for _, role := range []medic.Role{medic.RoleDoctor, medic.RoleNurse, medic.RoleReceptionist, medic.RoleBilling} {
			c := d.c[role]
			// Everyone reads them.
			want(t, c.Do("GET", d.base+"/practitioners", nil), http.StatusOK)
			want(t, c.Do("GET", d.base+"/practitioners/"+d.practitioner, nil), http.StatusOK)
			want(t, c.Do("GET", d.base+"/appointment-types", nil), http.StatusOK)
			want(t, c.Do("GET", d.base+"/schedules?practitioner="+d.practitioner, nil), http.StatusOK)
			want(t, c.Do("GET", d.base+"/schedules/"+d.thursday, nil), http.StatusOK)
			want(t, c.Do("GET", d.base+"/schedule-exceptions", nil), http.StatusOK)
			want(t, c.Do("GET", d.base+"/availability", nil), http.StatusOK)
			forbidden(t, c.Do("POST", d.base+"/practitioners", map[string]any{"name": "Dr Sneaky"}))
			forbidden(t, c.Do("PATCH", d.base+"/practitioners/"+d.practitioner, map[string]any{"status": "inactive"}))
			forbidden(t, c.Do("POST", d.base+"/appointment-types", map[string]any{"name": "Sneaky", "duration_minutes": 15}))
			forbidden(t, c.Do("PATCH", d.base+"/appointment-types/"+d.typ, map[string]any{"duration_minutes": 60}))
			forbidden(t, c.Do("POST", d.base+"/schedules", map[string]any{"practitioner_id": d.practitioner, "location_id": d.loc.ID,
				"weekday": "monday", "start": "09:00", "end": "10:00", "slot_minutes": 30}))
			forbidden(t, c.Do("PATCH", d.base+"/schedules/"+d.thursday, map[string]any{"capacity": 5}))
			forbidden(t, c.Do("DELETE", d.base+"/schedules/"+d.thursday+"?confirm=true", nil))
			forbidden(t, c.Do("POST", d.base+"/schedule-exceptions", map[string]any{"practitioner_id": d.practitioner, "kind": "leave",
				"start": "2030-04-01", "end": "2030-04-02"}))
		}
		if r := want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/schedules/"+d.thursday, nil), http.StatusOK); r.Get("capacity") != float64(1) {
			t.Errorf("rule changed: %s", r)
		}
		// A refusal is in the audit log.
		r := want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/audit-events?action=schedule.save&outcome=denied", nil), http.StatusOK)
		if len(r.Items()) == 0 {
			t.Errorf("no denied schedule.save events: %s", r.Body)
		}
	})

	t.Run("receptionist, nurse and doctor book", func(t *testing.T) {
		for i, role := range []medic.Role{medic.RoleReceptionist, medic.RoleNurse, medic.RoleDoctor} {
			p := d.patient(t, "Booker", "")
			r := want(t, d.c[role].Do("POST", d.base+"/appointments", d.booking(p, []string{thu0930, thu1000, thu1030}[i])), http.StatusCreated)
			if r.Str("status") != "booked" || r.Str("source") != "desk" || r.Get("overbooked") != false {
				t.Errorf("%s booked: %s", role, r)
			}
		}
	})

	t.Run("overbooking: admin or doctor with a reason, audited", func(t *testing.T) {
		p := d.patient(t, "Urgent", "")
		full := d.booking(p, thu0900) // taken by appt
		wantProblem(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/appointments", full), http.StatusConflict)
		full["overbook"], full["overbook_reason"] = true, "Acute asthma, must be seen today"
		for _, role := range []medic.Role{medic.RoleReceptionist, medic.RoleNurse} {
			r := d.c[role].Do("POST", d.base+"/appointments", full)
			wantProblem(t, r, http.StatusForbidden)
			if !strings.Contains(r.Str("detail"), "Only an admin or a doctor") {
				t.Errorf("%s overbooking: %s", role, r)
			}
		}
		noReason := d.booking(p, thu0900)
		noReason["overbook"] = true
		r := d.c[medic.RoleDoctor].Do("POST", d.base+"/appointments", noReason)
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Get("errors.overbook_reason") == nil {
			t.Errorf("no overbook_reason field error: %s", r)
		}
		r = want(t, d.c[medic.RoleDoctor].Do("POST", d.base+"/appointments", full), http.StatusCreated)
		if r.Get("overbooked") != true || r.Str("overbook_reason") != "Acute asthma, must be seen today" || r.Str("status") != "booked" {
			t.Errorf("overbooked: %s", r)
		}
		id := r.Str("id")
		ev := want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/audit-events?action=appointment.booked&entity="+id, nil), http.StatusOK)
		if len(ev.Items()) != 1 || ev.Str("items.0.detail.overbook_reason") != "Acute asthma, must be seen today" ||
			ev.Str("items.0.actor_email") != "doctor@roles.example" || ev.Str("items.0.patient_id") != p {
			t.Errorf("overbooking audit: %s", ev.Body)
		}
		denied := want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/audit-events?action=appointment.overbook&outcome=denied", nil), http.StatusOK)
		if len(denied.Items()) != 2 {
			t.Errorf("denied overbookings: %s", denied.Body)
		}
		// The admin may too; the slot stays full for regular bookings.
		full["patient_id"] = d.patient(t, "Second", "")
		want(t, d.c[medic.RoleAdmin].Do("POST", d.base+"/appointments", full), http.StatusCreated)
		wantProblem(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/appointments", d.booking(d.patient(t, "Third", ""), thu0900)), http.StatusConflict)

		// Moved to a slot with room, an overbooked appointment takes a
		// regular place there: that slot is then full for everyone else.
		const thu1100 = "2030-03-07T11:00:00+02:00"
		r = want(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/appointments/"+id+"/reschedule", map[string]any{"start": thu1100}), http.StatusOK)
		if r.Get("overbooked") != false || r.Str("overbook_reason") != "" || r.Str("start") != thu1100 {
			t.Errorf("moved overbooking: %s", r)
		}
		if got := d.remaining(t, thu1100); got != 0 {
			t.Errorf("%s offers %d places after the move", thu1100, got)
		}
		wantProblem(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/appointments", d.booking(d.patient(t, "Fourth", ""), thu1100)), http.StatusConflict)
	})
}

func TestAppointmentStatusChanges(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "status")
	rc := d.c[medic.RoleReceptionist]
	patient := d.patient(t, "Sipho", "")
	path := func(id, action string) string { return d.base + "/appointments/" + id + "/" + action }
	conflict := func(t *testing.T, r *servertest.Response) {
		t.Helper()
		wantProblem(t, r, http.StatusConflict)
	}

	// onThursday runs fn at 08:00 on the appointments' day in Johannesburg
	// with a receptionist signed in then, and comes back to the test clock.
	onThursday := func(t *testing.T, fn func(th *servertest.Client)) {
		t.Helper()
		env.Clock.Set(time.Date(2030, 3, 7, 6, 0, 0, 0, time.UTC))
		defer env.Clock.Set(servertest.Start)
		fn(env.Login(t, "receptionist@status.example", pw))
	}

	t.Run("a visit goes booked, checked in, in progress, completed", func(t *testing.T) {
		id := d.book(t, patient, thu0900)
		// Arrival follows the appointment's date: not on Monday for Thursday.
		for _, action := range []string{"check-in", "no-show"} {
			r := rc.Do("POST", path(id, action), nil)
			conflict(t, r)
			if !strings.Contains(r.Str("detail"), "Thu 7 Mar 2030") {
				t.Errorf("%s before the day: %s", action, r)
			}
		}
		onThursday(t, func(th *servertest.Client) {
			for _, step := range []struct{ action, status string }{{"check-in", "checked_in"}, {"start", "in_progress"}, {"complete", "completed"}} {
				if r := want(t, th.Do("POST", path(id, step.action), nil), http.StatusOK); r.Str("status") != step.status {
					t.Fatalf("%s: %s", step.action, r)
				}
			}
			for _, action := range []string{"check-in", "start", "complete", "no-show"} {
				conflict(t, th.Do("POST", path(id, action), nil))
			}
		})
		conflict(t, rc.Do("POST", path(id, "cancel"), map[string]any{"reason": "too late"}))
		conflict(t, rc.Do("POST", path(id, "reschedule"), map[string]any{"start": thu1030}))
		if r := want(t, rc.Do("GET", d.base+"/appointments/"+id, nil), http.StatusOK); r.Str("status") != "completed" {
			t.Errorf("status: %s", r)
		}
		// A completed visit keeps its place: the slot stays taken.
		if got := d.remaining(t, thu0900); got != 0 {
			t.Errorf("slot reopened after completion: %d", got)
		}
	})

	t.Run("a booked appointment cannot be started or completed directly", func(t *testing.T) {
		id := d.book(t, patient, thu0930)
		onThursday(t, func(th *servertest.Client) {
			conflict(t, th.Do("POST", path(id, "start"), nil))
			conflict(t, th.Do("POST", path(id, "complete"), nil))
			if r := want(t, th.Do("POST", path(id, "no-show"), nil), http.StatusOK); r.Str("status") != "no_show" {
				t.Errorf("no-show: %s", r)
			}
			conflict(t, th.Do("POST", path(id, "check-in"), nil))
		})
		conflict(t, rc.Do("POST", path(id, "cancel"), map[string]any{"reason": "x"}))
		// A no-show frees the slot.
		if got := d.remaining(t, thu0930); got != 1 {
			t.Errorf("slot after a no-show: %d places", got)
		}
	})

	t.Run("cancelling needs a reason and frees the slot", func(t *testing.T) {
		id := d.book(t, patient, thu1000)
		for _, body := range []any{map[string]any{}, map[string]any{"reason": "   "}} {
			r := rc.Do("POST", path(id, "cancel"), body)
			wantProblem(t, r, http.StatusUnprocessableEntity)
			if r.Get("errors.reason") == nil {
				t.Errorf("no reason field error: %s", r)
			}
		}
		wantProblem(t, rc.Do("POST", path(id, "cancel"), nil), http.StatusUnprocessableEntity)
		r := want(t, rc.Do("POST", path(id, "cancel"), map[string]any{"reason": "Patient is travelling"}), http.StatusOK)
		if r.Str("status") != "cancelled" || r.Str("cancel_reason") != "Patient is travelling" {
			t.Errorf("cancelled: %s", r)
		}
		conflict(t, rc.Do("POST", path(id, "cancel"), map[string]any{"reason": "again"}))
		conflict(t, rc.Do("POST", path(id, "check-in"), nil))
		if got := d.remaining(t, thu1000); got != 1 {
			t.Errorf("slot after cancelling: %d places", got)
		}
		d.book(t, d.patient(t, "Next", ""), thu1000)
	})

	t.Run("rescheduling moves the place", func(t *testing.T) {
		id := d.book(t, patient, thu1030)
		r := want(t, rc.Do("POST", path(id, "reschedule"), map[string]any{"start": fri0900}), http.StatusOK)
		if r.Str("start") != fri0900 || r.Str("end") != "2030-03-08T09:30:00+02:00" || r.Str("status") != "booked" {
			t.Errorf("moved: %s", r)
		}
		if got := d.remaining(t, thu1030); got != 1 {
			t.Errorf("old slot: %d places", got)
		}
		if got := d.remaining(t, fri0900); got != 2 {
			t.Errorf("new slot: %d places", got)
		}
		// Not onto a full slot, nor off the grid.
		conflict(t, rc.Do("POST", path(id, "reschedule"), map[string]any{"start": thu1000}))
		bad := rc.Do("POST", path(id, "reschedule"), map[string]any{"start": "2030-03-08T09:10:00+02:00"})
		wantProblem(t, bad, http.StatusUnprocessableEntity)
		if bad.Get("errors.start") == nil {
			t.Errorf("off-grid move: %s", bad)
		}
		if r := want(t, rc.Do("GET", d.base+"/appointments/"+id, nil), http.StatusOK); r.Str("start") != fri0900 {
			t.Errorf("a refused move changed the appointment: %s", r)
		}
	})

	t.Run("bookings off the schedule are field errors", func(t *testing.T) {
		for name, c := range map[string]struct {
			body  map[string]any
			field string
		}{
			"off grid":      {d.booking(patient, "2030-03-07T09:10:00+02:00"), "start"},
			"not a workday": {d.booking(patient, "2030-03-06T09:00:00+02:00"), "start"},
			"in the past":   {d.booking(patient, "2030-02-28T09:00:00+02:00"), "start"},
			"no offset":     {d.booking(patient, "2030-03-07T09:00:00"), "start"},
			"no patient":    {d.booking("", thu1030), "patient_id"},
			"unknown type": {func() map[string]any {
				b := d.booking(patient, thu1030)
				b["appointment_type_id"] = newUUID()
				return b
			}(), "appointment_type_id"},
		} {
			r := rc.Do("POST", d.base+"/appointments", c.body)
			wantProblem(t, r, http.StatusUnprocessableEntity)
			if r.Get("errors."+c.field) == nil {
				t.Errorf("%s: no %s field error: %s", name, c.field, r)
			}
		}
	})

	t.Run("filters", func(t *testing.T) {
		r := want(t, rc.Do("GET", d.base+"/appointments?status=cancelled,no_show", nil), http.StatusOK)
		if len(r.Items()) != 2 {
			t.Errorf("cancelled or no-show: %s", r.Body)
		}
		wantProblem(t, rc.Do("GET", d.base+"/appointments?status=teleported", nil), http.StatusUnprocessableEntity)
		wantProblem(t, rc.Do("GET", d.base+"/appointments?from=yesterday", nil), http.StatusUnprocessableEntity)
		r = want(t, rc.Do("GET", d.base+"/appointments?from=2030-03-08&to=2030-03-09&limit=1", nil), http.StatusOK)
		if len(r.Items()) != 1 || r.Str("items.0.start") != fri0900 || r.Get("next_cursor") != nil {
			t.Errorf("Friday: %s", r.Body)
		}
		all := want(t, rc.Do("GET", d.base+"/appointments?limit=2", nil), http.StatusOK)
		next := all.Str("next_cursor")
		if len(all.Items()) != 2 || next == "" {
			t.Fatalf("first page: %s", all.Body)
		}
		more := want(t, rc.Do("GET", d.base+"/appointments?limit=2&cursor="+next, nil), http.StatusOK)
		if len(more.Items()) == 0 || more.Str("items.0.id") == all.Str("items.1.id") {
			t.Errorf("second page: %s", more.Body)
		}
	})
}

func TestSearchThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "find")
	rc := d.c[medic.RoleReceptionist]
	id := d.patient(t, "Zanele", "")
	appt := want(t, rc.Do("POST", d.base+"/appointments", d.booking(id, thu0900)), http.StatusCreated)
	ref := appt.Str("reference")
	if len(ref) != 8 || !strings.HasSuffix(strings.ToUpper(appt.Str("id")), ref) {
		t.Fatalf("reference %q of %s", ref, appt.Str("id"))
	}
	for _, q := range []string{"Zanel", "15/06/1985", "15 Jun 1985"} {
		r := want(t, rc.Do("GET", d.base+"/search?q="+strings.ReplaceAll(q, " ", "+"), nil), http.StatusOK)
		if r.Str("patients.0.id") != id {
			t.Errorf("%q: %s", q, r)
		}
	}
	r := want(t, rc.Do("GET", d.base+"/search?q="+strings.ToLower(ref), nil), http.StatusOK)
	if r.Str("appointment.id") != appt.Str("id") {
		t.Errorf("by reference: %s", r)
	}
	if r := rc.Do("GET", d.base+"/search?q=", nil); r.Get("errors.q") == nil {
		t.Errorf("an empty query: %s", r)
	}
}
