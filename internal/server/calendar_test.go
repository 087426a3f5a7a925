package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"medic/internal/app"
)

// One view of the calendar, day or week, writes exactly one audit event,
// naming every patient it shows, however many appointments the range
// holds: a day of 400 (two list pages of medic.MaxLimit) once cost two
// list transactions and two appointment.listed events (issue 17).
func TestCalendarViewIsOneAuditEvent(t *testing.T) {
	t.Parallel()
	env, day := seedGridBench(t)
	c := env.Login(t, "desk@grid-bench.example", pw)
	owner, err := pgx.Connect(context.Background(), env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	// The rows the receptionist's requests wrote (sign-in included) and the
	// distinct patients they name.
	written := func() (events, patients int) {
		t.Helper()
		err := owner.QueryRow(context.Background(), `SELECT count(*),
			(SELECT count(DISTINCT p) FROM audit_events a, unnest(a.patient_ids) p WHERE a.actor_id = u.id)
			FROM audit_events e JOIN users u ON u.id = e.actor_id WHERE u.email = 'desk@grid-bench.example' GROUP BY u.id`).Scan(&events, &patients)
		if err != nil {
			t.Fatal(err)
		}
		return events, patients
	}
	for _, view := range []string{"day", "week"} {
		before, _ := written()
		r := c.Do("GET", "/calendar?view="+view+"&date="+day.String(), nil)
		if r.Status != http.StatusOK {
			t.Fatalf("%s view: %s", view, r)
		}
		if n := strings.Count(string(r.Body), `appt-booked`); n < 400 {
			t.Fatalf("%s view shows %d booked appointments, want 400", view, n)
		}
		after, patients := written()
		if after-before != 1 {
			t.Errorf("%s view: one page view wrote %d audit events, want 1", view, after-before)
		}
		if patients != 400 {
			t.Errorf("%s view: the events name %d patients, want the 400 shown", view, patients)
		}
		if strings.Contains(string(r.Body), "data-capped") {
			t.Errorf("%s view of 400 says it is capped", view)
		}
	}

	// A week of 1200 (the same day's again on the next two days) is cut at
	// app.MaxCalendarAppointments, says so, and is still one event.
	if _, err := owner.Exec(context.Background(), `INSERT INTO appointments (practice_id, patient_id, practitioner_id, location_id,
		appointment_type_id, starts_at, ends_at, status, source, created_at, updated_at)
		SELECT practice_id, patient_id, practitioner_id, location_id, appointment_type_id, starts_at + d * interval '1 day',
			ends_at + d * interval '1 day', status, source, created_at, updated_at
		FROM appointments, generate_series(1, 2) d`); err != nil {
		t.Fatal(err)
	}
	before, _ := written()
	r := c.Do("GET", "/calendar?view=week&date="+day.String(), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("week view: %s", r)
	}
	if n := strings.Count(string(r.Body), `class="appt appt-booked`); n != app.MaxCalendarAppointments {
		t.Errorf("a week of 1200 shows %d appointments, want the first %d", n, app.MaxCalendarAppointments)
	}
	if !strings.Contains(string(r.Body), "Only the first 1000 appointments are shown: choose a practitioner or a location") {
		t.Errorf("the capped week does not say so:\n%s", r.Body)
	}
	if after, _ := written(); after-before != 1 {
		t.Errorf("capped week view: one page view wrote %d audit events, want 1", after-before)
	}
}
