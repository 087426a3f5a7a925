package medic

import "time"

// AppointmentReminder is the durable job that reminds a patient of an
// appointment. It carries the start it was planned for: a moved or
// cancelled appointment makes it stale, and a stale reminder sends nothing.
type AppointmentReminder struct {
	PracticeID    string    `json:"practice_id"`
	AppointmentID string    `json:"appointment_id"`
	Start         time.Time `json:"start"`
	At            time.Time `json:"-"` // when to run
}

// Kind names the job.
func (AppointmentReminder) Kind() string { return "appointment_reminder" }

// RunAt is when the job runs.
func (r AppointmentReminder) RunAt() time.Time { return r.At }

// UniqueByArgs: one reminder per appointment and start. An appointment
// moved away and back again must not get the first reminder twice; the
// stale one planned for the other start sends nothing.
func (AppointmentReminder) UniqueByArgs() bool { return true }
