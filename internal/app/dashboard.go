package app

import (
	"context"
	"strconv"

	"medic"
)

// Dashboard is the desk's front page for the practice in context.
type Dashboard struct {
	Today []*medic.Appointment
	// Tally is today's figures, defined as on Today (medic.DayTally).
	Tally          medic.DayTally
	ActivePatients int
	// Week is the number of appointments per day of the current week (Mon–Sun).
	Week   []DayCount
	Recent []*medic.Patient
}

// DayCount is a day's appointment volume.
type DayCount struct {
	Day   medic.Date
	Count int
}

// GetDashboard gathers today's appointments, counts, the week's volume and
// recently changed charts, as far as the member's role may see them: one
// transaction, and one audit event naming every patient the page shows.
func (a *App) GetDashboard(ctx context.Context) (*Dashboard, error) {
	t, ok := medic.TenantFrom(ctx)
	if !ok {
		return nil, medic.ErrNotFound
	}
	d := &Dashboard{Tally: medic.TallyStatuses(nil)}
	loc := a.location(ctx)
	today := a.today(ctx)
	start, end := today.In(loc), today.AddDays(1).In(loc)
	monday := today.AddDays(-((int(today.Weekday()) + 6) % 7))
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var shown []string
		if t.Can(medic.PermAppointmentsRead) {
			var err error
			if d.Today, err = a.allAppointments(ctx, medic.AppointmentFilter{From: start, To: end}); err != nil {
				return err
			}
			shown = patientsOf(d.Today)
			byStatus, err := a.Appointments.CountAppointmentsByStatus(ctx, start, end)
			if err != nil {
				return err
			}
			d.Tally = medic.TallyStatuses(byStatus)
			counts, err := a.Appointments.DailyCounts(ctx, monday.In(loc), monday.AddDays(7).In(loc), loc)
			if err != nil {
				return err
			}
			for i := 0; i < 7; i++ {
				day := monday.AddDays(i)
				d.Week = append(d.Week, DayCount{Day: day, Count: counts[day]})
			}
		}
		if t.Can(medic.PermPatientsRead) {
			var err error
			if d.ActivePatients, err = a.Patients.CountPatients(ctx, medic.PatientActive); err != nil {
				return err
			}
			if d.Recent, err = a.Patients.RecentPatients(ctx, 8); err != nil {
				return err
			}
			d.Recent = projectAll(d.Recent, t.Role)
			for _, p := range d.Recent {
				shown = append(shown, p.ID)
			}
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "dashboard.viewed", EntityType: "practice", EntityID: t.PracticeID, PatientIDs: shown,
			Detail: map[string]string{"appointments": strconv.Itoa(len(d.Today)), "recent": strconv.Itoa(len(d.Recent))}})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
