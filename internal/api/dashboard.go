package api

import (
	"net/http"

	"medic"
)

// dashboardRoutes registers the dashboard.
func (h *Handler) dashboardRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/dashboard", h.tenant(h.getDashboard))
}

type dayCountDTO struct {
	Date  medic.Date `json:"date"`
	Count int        `json:"count"`
}

type recentPatientDTO struct {
	ID          string              `json:"id"`
	GivenName   string              `json:"given_name"`
	FamilyName  string              `json:"family_name"`
	DateOfBirth medic.Date          `json:"date_of_birth"`
	Status      medic.PatientStatus `json:"status"`
}

// dashboardDTO is the desk's front page; parts the member's role may not
// see are null.
type dashboardDTO struct {
	Date              medic.Date         `json:"date"`
	TimeZone          string             `json:"time_zone"`
	TodayTotal        *int               `json:"today_total"`
	TodayExpected     *int               `json:"today_expected"` // not cancelled, not a no-show
	TodayByStatus     map[string]int     `json:"today_by_status"`
	TodayAppointments []appointmentDTO   `json:"today_appointments"`
	Week              []dayCountDTO      `json:"week"`
	ActivePatients    *int               `json:"active_patients"`
	RecentPatients    []recentPatientDTO `json:"recent_patients"`
}

// getDashboard: today's appointments by status, the week's volume (Monday
// to Sunday), active patients and recently changed charts.
func (h *Handler) getDashboard(w http.ResponseWriter, r *http.Request) {
	d, err := h.app.GetDashboard(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	loc := practiceZone(r.Context())
	out := dashboardDTO{Date: medic.DateOf(h.app.Clock.Now().In(loc)), TimeZone: loc.String()}
	if t.Can(medic.PermAppointmentsRead) {
		total, expected := d.Tally.Total, d.Tally.Expected
		out.TodayByStatus = map[string]int{}
		for _, s := range medic.AppointmentStatuses {
			out.TodayByStatus[string(s)] = d.Tally.ByStatus[s]
		}
		out.TodayTotal, out.TodayExpected = &total, &expected
		out.TodayAppointments = mapAll(d.Today, toAppointment(loc))
		out.Week = make([]dayCountDTO, len(d.Week))
		for i, c := range d.Week {
			out.Week[i] = dayCountDTO{Date: c.Day, Count: c.Count}
		}
	}
	if t.Can(medic.PermPatientsRead) {
		n := d.ActivePatients
		out.ActivePatients = &n
		out.RecentPatients = make([]recentPatientDTO, len(d.Recent))
		for i, p := range d.Recent {
			out.RecentPatients[i] = recentPatientDTO{ID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, DateOfBirth: p.DateOfBirth, Status: p.Status}
		}
	}
	writeJSON(w, http.StatusOK, out)
}
