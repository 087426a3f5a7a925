package server_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/server/servertest"
)

// reminderJob is an appointment_reminder row of River's queue.
type reminderJob struct {
	id            int64
	appointmentID string
	start         time.Time
	state         string
	scheduledAt   time.Time
}

// reminderJobs lists the reminder jobs, read through the owner connection.
func reminderJobs(t *testing.T, c *pgx.Conn) []reminderJob {
	t.Helper()
	rows, err := c.Query(t.Context(), `SELECT id, args->>'appointment_id', (args->>'start')::timestamptz, state::text, scheduled_at
		FROM river_job WHERE kind = 'appointment_reminder' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (reminderJob, error) {
		var j reminderJob
		err := r.Scan(&j.id, &j.appointmentID, &j.start, &j.state, &j.scheduledAt)
		return j, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

// runRemindersNow makes every waiting reminder due now (River runs on the
// real clock; the test clock is in 2030) and waits until River has worked
// them all, and until the mail they queued has been delivered.
func runRemindersNow(t *testing.T, c *pgx.Conn) {
	t.Helper()
	ctx := t.Context()
	if _, err := c.Exec(ctx, `UPDATE river_job SET scheduled_at = now() WHERE kind = 'appointment_reminder' AND state = 'scheduled'`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var pending int
		// Reminders not yet worked, and mail not yet delivered (a worked
		// reminder's mail job committed with it).
		if err := c.QueryRow(ctx, `SELECT count(*) FROM river_job
			WHERE kind IN ('appointment_reminder', 'send_mail', 'send_practice_mail') AND state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("River left %d jobs unworked: %+v", pending, reminderJobs(t, c))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, j := range reminderJobs(t, c) {
		if j.state != "completed" {
			t.Errorf("reminder job %d for %s is %s", j.id, j.appointmentID, j.state)
		}
	}
}

// mailTo lists the delivered mail to addr whose subject contains substr.
func mailTo(env *servertest.Env, addr, substr string) []medic.Mail {
	var out []medic.Mail
	for _, m := range env.Mail() {
		if slices.Contains(m.To, addr) && strings.Contains(m.Subject, substr) {
			out = append(out, m)
		}
	}
	return out
}

func TestBookingMailAndReminders(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "remind")
	rc := d.c[medic.RoleReceptionist]
	owner, err := pgx.Connect(context.Background(), env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close(context.Background()) })

	kept := d.patient(t, "Kept", "kept@example.org")
	cancelled := d.patient(t, "Gone", "gone@example.org")
	moved := d.patient(t, "Moved", "moved@example.org")

	// Booking sends a confirmation with a calendar invitation.
	keptAppt := d.book(t, kept, thu0900)
	m := env.WaitMail(t, "kept@example.org", "appointment with Dr Naledi Dlamini is on Thursday 7 March 2030 at 09:00")
	if !strings.Contains(m.Subject, "is booked") || len(m.Attachments) != 1 {
		t.Fatalf("confirmation: %+v", m)
	}
	ics := m.Attachments[0]
	for _, want := range []string{"BEGIN:VCALENDAR", "METHOD:REQUEST", "BEGIN:VEVENT", "UID:" + keptAppt + "@medic", "DTSTART:20300307T070000Z",
		"DTEND:20300307T073000Z", "STATUS:CONFIRMED", "END:VCALENDAR"} {
		if !strings.Contains(string(ics.Data), want) {
			t.Errorf("ics lacks %q:\n%s", want, ics.Data)
		}
	}
	if ics.Filename != "appointment.ics" || !strings.HasPrefix(ics.ContentType, "text/calendar") || !strings.Contains(string(ics.Data), "\r\n") {
		t.Errorf("attachment: %s %s", ics.Filename, ics.ContentType)
	}

	// Cancelling sends a cancellation (METHOD:CANCEL).
	gone := d.book(t, cancelled, thu0930)
	env.WaitMail(t, "gone@example.org", "is on Thursday 7 March 2030 at 09:30")
	want(t, rc.Do("POST", d.base+"/appointments/"+gone+"/cancel", map[string]any{"reason": "Feeling better"}), http.StatusOK)
	m = env.WaitMail(t, "gone@example.org", "is cancelled")
	if len(m.Attachments) != 1 || !strings.Contains(string(m.Attachments[0].Data), "METHOD:CANCEL") || !strings.Contains(string(m.Attachments[0].Data), "STATUS:CANCELLED") {
		t.Errorf("cancellation: %+v", m)
	}

	// Moving sends the new time and plans a new reminder.
	mv := d.book(t, moved, thu1000)
	env.WaitMail(t, "moved@example.org", "is on Thursday 7 March 2030 at 10:00")
	want(t, rc.Do("POST", d.base+"/appointments/"+mv+"/reschedule", map[string]any{"start": fri0900}), http.StatusOK)
	m = env.WaitMail(t, "moved@example.org", "is on Friday 8 March 2030 at 09:00")
	if !strings.Contains(m.Subject, "has moved") {
		t.Errorf("move mail: %+v", m)
	}

	// Moved away and back again: the first reminder stands, once.
	back := d.patient(t, "Back", "back@example.org")
	bk := d.book(t, back, thu1030)
	want(t, rc.Do("POST", d.base+"/appointments/"+bk+"/reschedule", map[string]any{"start": fri0900}), http.StatusOK)
	want(t, rc.Do("POST", d.base+"/appointments/"+bk+"/reschedule", map[string]any{"start": thu1030}), http.StatusOK)
	env.WaitMail(t, "back@example.org", "is on Thursday 7 March 2030 at 10:30")

	// Reminders were queued durably, a day (the default) before each start.
	jobs := reminderJobs(t, owner)
	byAppt := map[string][]reminderJob{}
	for _, j := range jobs {
		byAppt[j.appointmentID] = append(byAppt[j.appointmentID], j)
		if j.state != "scheduled" || !j.scheduledAt.Equal(j.start.Add(-24*time.Hour)) {
			t.Errorf("reminder job %+v: want scheduled a day before its start", j)
		}
	}
	if len(jobs) != 6 || len(byAppt[keptAppt]) != 1 || len(byAppt[gone]) != 1 || len(byAppt[mv]) != 2 || len(byAppt[bk]) != 2 {
		t.Fatalf("reminder jobs: %+v", jobs)
	}
	if len(mailTo(env, "kept@example.org", "Reminder")) != 0 {
		t.Fatal("a reminder went out before it was due")
	}

	runRemindersNow(t, owner)

	// The booked appointment's reminder is sent.
	m = env.WaitMail(t, "kept@example.org", "A reminder of your Consultation appointment with Dr Naledi Dlamini on Thursday 7 March 2030 at 09:00")
	if !strings.HasPrefix(m.Subject, "Reminder:") {
		t.Errorf("reminder: %+v", m)
	}
	// The moved one's reminder carries the new time only.
	env.WaitMail(t, "moved@example.org", "on Friday 8 March 2030 at 09:00")
	if got := mailTo(env, "moved@example.org", "Reminder"); len(got) != 1 {
		t.Errorf("moved appointment got %d reminders: %+v", len(got), got)
	}
	// The one moved away and back gets one reminder, for its time.
	if got := mailTo(env, "back@example.org", "Reminder"); len(got) != 1 || !strings.Contains(got[0].Text, "Thursday 7 March 2030 at 10:30") {
		t.Errorf("moved away and back: %d reminders: %+v", len(got), got)
	}
	// The cancelled one's reminder sends nothing.
	if got := mailTo(env, "gone@example.org", "Reminder"); len(got) != 0 {
		t.Errorf("a cancelled appointment was reminded: %+v", got)
	}
	for _, m := range env.Mail() {
		if slices.Contains(m.To, "gone@example.org") && strings.Contains(m.Text, "reminder") {
			t.Errorf("a cancelled appointment was reminded: %+v", m)
		}
	}
	// The log says which reminders went out.
	sent := want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/audit-events?action=appointment.reminder_sent", nil), http.StatusOK)
	var reminded []string
	for _, it := range sent.Items() {
		reminded = append(reminded, it["entity_id"].(string))
	}
	slices.Sort(reminded)
	wantReminded := []string{keptAppt, mv, bk}
	slices.Sort(wantReminded)
	if !slices.Equal(reminded, wantReminded) {
		t.Errorf("reminder_sent for %v, want %v", reminded, wantReminded)
	}

	// A chart without an email gets no mail, and nothing fails.
	quiet := d.patient(t, "Quiet", "")
	d.book(t, quiet, thu0930)
	runRemindersNow(t, owner)
}

// TestBookingRolledBackQueuesNothing: a refused booking (slot full) leaves
// no mail and no reminder behind.
func TestBookingRolledBackQueuesNothing(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "rollback")
	owner, err := pgx.Connect(context.Background(), env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close(context.Background()) })
	d.book(t, d.patient(t, "First", "first@example.org"), thu0900)
	env.WaitMail(t, "first@example.org", "Thursday 7 March 2030 at 09:00")
	late := d.patient(t, "Late", "late@example.org")
	wantProblem(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/appointments", d.booking(late, thu0900)), http.StatusConflict)
	var n int
	if err := owner.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE args::text LIKE '%late@example.org%' OR kind = 'appointment_reminder' AND args->>'appointment_id' NOT IN (SELECT id::text FROM appointments)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d jobs left by a refused booking", n)
	}
	if got := len(reminderJobs(t, owner)); got != 1 {
		t.Errorf("%d reminder jobs, want 1", got)
	}
}
