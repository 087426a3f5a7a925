package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"medic"
)

// notifyBooking emails the patient about a booking ("confirmed", "moved" or
// "cancelled") with a calendar attachment, and plans the reminder. Both are
// durable jobs in the caller's transaction: a rolled-back booking sends
// nothing. A moved appointment gets a new reminder; the old one is stale
// (it carries the old start) and sends nothing.
func (a *App) notifyBooking(ctx context.Context, p *medic.Practice, ap *medic.Appointment, patient *medic.Patient, kind string) error {
	var jobs []interface{ Kind() string } // queued together: one round trip
	if kind != "cancelled" && p.Booking.ReminderMinutes > 0 {
		at := ap.Start.Add(-time.Duration(p.Booking.ReminderMinutes) * time.Minute)
		// In UTC: reminders are unique by their arguments, and the same
		// instant must encode the same way whatever zone it came in.
		if at.After(a.now()) {
			jobs = append(jobs, medic.AppointmentReminder{PracticeID: p.ID, AppointmentID: ap.ID, Start: ap.Start.UTC(), At: at})
		}
	}
	if patient.Email == "" {
		return a.Mail.EnqueueJobs(ctx, jobs...)
	}
	loc := a.location(ctx)
	when := ap.Start.In(loc).Format("Monday 2 January 2006 at 15:04")
	subject := map[string]string{
		"confirmed": "Your appointment at " + p.Name + " is booked",
		"moved":     "Your appointment at " + p.Name + " has moved",
		"cancelled": "Your appointment at " + p.Name + " is cancelled",
	}[kind]
	var body strings.Builder
	fmt.Fprintf(&body, "Hello %s,\n\n", patient.GivenName)
	switch kind {
	case "cancelled":
		fmt.Fprintf(&body, "Your %s appointment with %s on %s is cancelled.\n", ap.TypeName, ap.PractitionerName, when)
	default:
		fmt.Fprintf(&body, "Your %s appointment with %s is on %s at %s.\n", ap.TypeName, ap.PractitionerName, when, ap.LocationName)
	}
	if ap.Source == medic.SourceOnline && kind != "cancelled" {
		// Booked online: the patient cancels or moves it through a signed link.
		link, err := a.manageURL(ctx, ap)
		if err != nil {
			return err
		}
		// The rule in the words of the done and manage pages.
		fmt.Fprintf(&body, "\n%s\n", p.Booking.ChangeRule(ap.Start, a.now()).Sentence(loc))
		fmt.Fprintf(&body, "\nTo cancel or reschedule it, open:\n%s\n\nOr contact %s", link, p.Name)
	} else {
		fmt.Fprintf(&body, "\nTo change it, contact %s", p.Name)
	}
	if p.Phone != "" {
		fmt.Fprintf(&body, " on %s", p.Phone)
	}
	body.WriteString(".\n")
	method := "REQUEST"
	if kind == "cancelled" {
		method = "CANCEL"
	}
	jobs = append(jobs, medic.Mail{
		To:      []string{patient.Email},
		Subject: subject,
		Text:    body.String(),
		Attachments: []medic.MailAttachment{{
			Filename:    "appointment.ics",
			ContentType: "text/calendar; method=" + method,
			Data:        []byte(appointmentICS(ap, p, method, a.now())),
		}},
	})
	return a.Mail.EnqueueJobs(ctx, jobs...)
}

// SendReminder runs a due reminder job. A reminder whose appointment was
// cancelled, moved (another start) or already attended sends nothing.
func (a *App) SendReminder(ctx context.Context, r medic.AppointmentReminder) error {
	p, err := a.Practices.FindPracticeByRef(ctx, r.PracticeID)
	if err != nil || p.Status != medic.PracticeActive {
		return nil // the practice is gone or suspended: nothing to send
	}
	ctx = medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		ap, err := a.Appointments.FindAppointment(ctx, r.AppointmentID)
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		if ap.Status != medic.StatusBooked || !ap.Start.Equal(r.Start) {
			return nil // stale
		}
		patient, err := a.Patients.FindPatient(ctx, ap.PatientID)
		if err != nil {
			return err
		}
		if patient.Email == "" {
			return nil
		}
		when := ap.Start.In(a.location(ctx)).Format("Monday 2 January 2006 at 15:04")
		text := fmt.Sprintf("Hello %s,\n\nA reminder of your %s appointment with %s on %s at %s.\n\nIf you cannot come, please let %s know.\n",
			patient.GivenName, ap.TypeName, ap.PractitionerName, when, ap.LocationName, p.Name)
		if err := a.Mail.EnqueueMail(ctx, medic.Mail{To: []string{patient.Email}, Subject: "Reminder: your appointment at " + p.Name, Text: text}); err != nil {
			return err
		}
		return a.auditAppointment(ctx, "appointment.reminder_sent", ap, nil)
	})
}

// appointmentICS is an iCalendar (RFC 5545) event for the appointment.
func appointmentICS(ap *medic.Appointment, p *medic.Practice, method string, now time.Time) string {
	const stamp = "20060102T150405Z"
	status := "CONFIRMED"
	if method == "CANCEL" {
		status = "CANCELLED"
	}
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Medic//Appointments//EN",
		"METHOD:" + method,
		"BEGIN:VEVENT",
		"UID:" + ap.ID + "@medic",
		// SEQUENCE grows with every change so calendars apply the latest.
		fmt.Sprintf("SEQUENCE:%d", ap.UpdatedAt.Unix()-ap.CreatedAt.Unix()),
		"DTSTAMP:" + now.UTC().Format(stamp),
		"DTSTART:" + ap.Start.UTC().Format(stamp),
		"DTEND:" + ap.End.UTC().Format(stamp),
		"SUMMARY:" + icsText(ap.TypeName+" with "+ap.PractitionerName),
		"LOCATION:" + icsText(p.Name+", "+ap.LocationName),
		"STATUS:" + status,
		"END:VEVENT",
		"END:VCALENDAR",
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(icsFold(l))
		b.WriteString("\r\n")
	}
	return b.String()
}

// icsText escapes a TEXT value.
func icsText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", "")
	return r.Replace(s)
}

// icsFold folds a content line at 75 octets, never inside a UTF-8 sequence.
func icsFold(l string) string {
	var b strings.Builder
	n := 0
	for _, r := range l {
		size := len(string(r))
		if n+size > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	return b.String()
}
